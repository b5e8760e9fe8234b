
_add(
    "4.4-1",
    Number(
        expected=lambda: 1.0 - 0.9**40,
        tol=1e-6,
        hint=(
            "write h_t = (1 − z) n + z h_{t−1} with n = 1 for a few steps and look at "
            "1 − h_t: what happens to it at every step?"
        ),
    ),
    "4.4",
)

_add(
    "4.4-2",
    Choice(
        correct="b",
        options={
            "a": (
                "ReLU's zero slope for negative inputs can slow learning, but it "
                "cannot make a forward pass overflow; look at what happens when the "
                "gate is large, not when it is 0."
            ),
            "b": "",
            "c": (
                "the kink at 0 changes one derivative at one point; the capped gate "
                "clamp(x, 0, 1) has the same kink and trains normally."
            ),
            "d": (
                "ReLU is never negative; which bound of the sigmoid does ReLU lack, "
                "the lower one or the upper one?"
            ),
        },
    ),
    "4.4",
)

_add(
    "4.4-3",
    Number(
        expected=lambda: 40.0,
        tol=1e-9,
        hint=(
            "each step adds i · g, with |i · g| ≤ 1, to f · c, with |f · c| ≤ |c|; "
            "start from c_0 = 0 and take the largest value every factor allows."
        ),
    ),
    "4.4",
)
