_add(
    "5.4-1",
    Number(
        expected=lambda: 0.6 * 100 * 100,
        tol=1e-9,
        hint=(
            "each zero input of a Linear(100, 100) removes one column of the weight "
            "matrix from the product: how many multiply-adds is that per zero?"
        ),
    ),
    "5.4",
)
_add(
    "5.4-2",
    Function(
        reference=F.hardswish,
        tol=1e-12,
        hint="ReLU6(z) is min(max(z, 0), 6); torch.clamp does both at once.",
    ),
    "5.4",
)
_add(
    "5.4-3",
    Number(
        expected=lambda: 2 * (2 * 20 + 20) + 20 + 1,
        tol=0,
        integer=True,
        hint=(
            "two Linear(2, h) layers, each with weights and biases, then a "
            "Linear(h, 1) "
            "read-out with its bias."
        ),
    ),
    "5.4",
)
