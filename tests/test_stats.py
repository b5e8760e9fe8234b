"""actlib.stats: every function against scipy or hand-computed values.

Every bad input is tested as well.
"""

import ast
import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import stats as st

from actlib import stats as S

A = [66.3, 64.9, 67.8, 65.1, 66.0, 68.2, 64.4, 66.9, 65.7, 66.1]
B = [65.2, 66.4, 64.9, 65.9, 66.8, 65.0, 66.1, 65.5, 64.6, 66.0]
SMALL_A = [1.0, 2.0, 4.0]
SMALL_B = [2.5, 2.0, 7.0, 9.0, 3.5]


def rng_data(seed=0, n=12, shift=0.0, scale=1.0):
    return (np.random.default_rng(seed).normal(shift, scale, n)).tolist()


# ------------------------------------------------------------------------- module shape


def test_stats_is_a_leaf_module():
    tree = ast.parse(Path(S.__file__).read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "actlib.stats must not import other actlib modules"
            roots.add(node.module.split(".")[0])
    assert roots <= {"math", "numbers", "dataclasses", "numpy", "scipy", "torch"}, roots


def test_module_docstring_defines_within_seed_noise():
    doc = " ".join(S.__doc__.split())
    assert (
        '"Within seed noise"' in doc
        and "contains 0" in doc
        and "p >= 1 - confidence" in doc
    )
    for name in S.__all__:
        assert getattr(S, name).__doc__, name


# ------------------------------------------------------------------------------ mean_ci


@pytest.mark.parametrize("values", [SMALL_A, A, rng_data(1, n=2), rng_data(2, n=40)])
@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95, 0.99])
def test_mean_ci_equals_scipy_t_interval(values, confidence):
    mean, half = S.mean_ci(values, confidence)
    lo, hi = st.t.interval(
        confidence, len(values) - 1, loc=np.mean(values), scale=st.sem(values)
    )
    assert mean == pytest.approx(np.mean(values), rel=1e-12)
    assert (mean - half, mean + half) == pytest.approx((lo, hi), rel=1e-10)


def test_mean_ci_hand_value_and_return_type():
    # [1, 2, 3]: mean 2, sd 1, t(0.975, 2) = 4.302652729749462 -> half = 4.3027 /
    # sqrt(3)
    out = S.mean_ci([1, 2, 3])
    assert type(out) is tuple and all(type(x) is float for x in out)
    assert out == pytest.approx((2.0, 4.302652729749462 / math.sqrt(3)), rel=1e-12)


def old_train_mean_ci(values, confidence=0.95):
    """actlib.train.mean_ci as it was before actlib.stats replaced it.

    The logic is verbatim.
    """
    v = torch.as_tensor(values, dtype=torch.float64).flatten()
    n = v.numel()
    half = float(
        st.t.ppf(0.5 + confidence / 2, n - 1) * v.std(unbiased=True) / math.sqrt(n)
    )
    return float(v.mean()), half


def test_mean_ci_is_a_drop_in_for_the_old_train_mean_ci():
    old = old_train_mean_ci
    for values, c in [
        (A, 0.95),
        (SMALL_B, 0.9),
        (torch.tensor([[1.0, 2.0], [4.0, 8.0]]), 0.8),
    ]:
        assert S.mean_ci(values, c) == pytest.approx(old(values, c), rel=1e-12)
        assert S.mean_ci(values, confidence=c) == pytest.approx(
            old(values, confidence=c)
        )


def test_all_equal_values_give_zero_half_width():
    assert S.mean_ci([0.1] * 10) == (0.1, 0.0)
    assert S.mean_ci(torch.full((5,), 3.7)) == (pytest.approx(3.7), 0.0)


@pytest.mark.parametrize(
    "convert",
    [
        list,
        tuple,
        np.array,
        lambda v: np.array(v, dtype=np.float32),
        torch.tensor,
        lambda v: torch.tensor(v, dtype=torch.bfloat16),
        lambda v: torch.tensor(v, requires_grad=True),
        lambda v: np.array(v).reshape(2, 2),
    ],
)
def test_any_container_and_dtype(convert):
    values = [1.0, 2.0, 4.0, 8.0]  # exact in every dtype
    assert S.mean_ci(convert(values)) == pytest.approx(S.mean_ci(values), rel=1e-12)
    assert S.mean_ci(np.array([1, 2, 4, 8])) == pytest.approx(
        S.mean_ci(values), rel=1e-12
    )
    assert S.mean_ci(torch.tensor([1, 2, 4, 8])) == pytest.approx(
        S.mean_ci(values), rel=1e-12
    )


# ------------------------------------------------------------------------ welch, paired


@pytest.mark.parametrize(
    "a,b", [(A, B), (SMALL_A, SMALL_B), (rng_data(3, 5), rng_data(4, 9, 2, 3))]
)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_welch_matches_scipy(a, b, confidence):
    r = S.welch(a, b, confidence)
    ref = st.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(confidence)
    assert r.method == "welch" and (r.n_a, r.n_b) == (len(a), len(b))
    assert r.diff == pytest.approx(np.mean(a) - np.mean(b), rel=1e-12)
    assert (r.t, r.p, r.df) == pytest.approx(
        (ref.statistic, ref.pvalue, ref.df), rel=1e-9
    )
    assert (r.low, r.high) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert r.half_width == pytest.approx((ci.high - ci.low) / 2, rel=1e-9)
    assert r.confidence == confidence


def test_welch_hand_value():
    # a = [1, 2, 4]: mean 7/3, var 7/3; b = [2.5, 2, 7, 9, 3.5]: mean 4.8, var 37.3 / 4
    qa, qb = (7 / 3) / 3, 9.325 / 5
    df = (qa + qb) ** 2 / (qa**2 / 2 + qb**2 / 4)
    r = S.welch(SMALL_A, SMALL_B)
    assert r.diff == pytest.approx(7 / 3 - 4.8)
    assert r.df == pytest.approx(df)
    assert r.t == pytest.approx((7 / 3 - 4.8) / math.sqrt(qa + qb))
    assert r.half_width == pytest.approx(st.t.ppf(0.975, df) * math.sqrt(qa + qb))


@pytest.mark.parametrize(
    "a,b", [(A, B), (SMALL_A, SMALL_B[:3]), (rng_data(5, 2), rng_data(6, 2))]
)
@pytest.mark.parametrize("confidence", [0.8, 0.95])
def test_paired_matches_scipy(a, b, confidence):
    r = S.paired(a, b, confidence)
    ref = st.ttest_rel(a, b)
    ci = ref.confidence_interval(confidence)
    assert r.method == "paired" and r.n_a == r.n_b == len(a) and r.df == len(a) - 1
    assert (r.t, r.p) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-9)
    assert (r.low, r.high) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_paired_is_mean_ci_of_the_differences():
    d = np.subtract(A, B)
    r = S.paired(A, B, 0.9)
    assert (r.diff, r.half_width) == pytest.approx(S.mean_ci(d, 0.9), rel=1e-12)


def test_paired_rejects_different_lengths():
    with pytest.raises(ValueError, match=r"len\(a\)=3 and len\(b\)=5"):
        S.paired(SMALL_A, SMALL_B)
    with pytest.raises(ValueError, match=r"len\(a\)=10 and len\(b\)=9"):
        S.corrected_resampled_t(A, B[:9], 90, 10)


def test_degenerate_spread():
    same = S.welch([2.0] * 4, [2.0] * 6)
    assert (same.diff, same.half_width, same.t, same.p, same.within_noise) == (
        0,
        0,
        0,
        1,
        True,
    )
    apart = S.welch([3.0] * 4, [2.0] * 6)
    assert (apart.half_width, apart.t, apart.p, apart.within_noise) == (
        0,
        math.inf,
        0,
        False,
    )
    shift = S.paired([1.0, 5.0, 2.0], [0.0, 4.0, 1.0])  # constant difference 1
    assert (shift.diff, shift.half_width, shift.p) == (1.0, 0.0, 0.0)
    one_constant = S.welch([1.0, 1.0, 1.0], [0.0, 1.0, 2.0, 3.0])
    assert one_constant.df == pytest.approx(3.0)  # Welch df reduces to n_b - 1
    assert one_constant.p == pytest.approx(
        st.ttest_1samp([0.0, 1.0, 2.0, 3.0], 1.0).pvalue
    )


def test_comparison_is_frozen_and_readable():
    r = S.welch(A, B)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.p = 0.0
    text = repr(r)
    assert text.startswith("Comparison(welch: diff = +") and "95 % interval [" in text
    assert "p = " in text and "n = 10 vs 10" in text
    assert r.low < r.diff < r.high and r.within_noise == (r.low <= 0 <= r.high)


# ---------------------------------------------------------------- corrected resampled t


@pytest.mark.parametrize("n_train,n_test", [(900, 100), (800, 200), (50, 50)])
def test_corrected_resampled_t_is_wider_by_the_right_factor(n_train, n_test):
    plain = S.paired(A, B)
    corr = S.corrected_resampled_t(A, B, n_train=n_train, n_test=n_test)
    j = len(A)
    factor = math.sqrt(1 + j * n_test / n_train)  # sqrt((1/J + n2/n1) / (1/J))
    assert corr.method == "corrected" and corr.df == plain.df == j - 1
    assert corr.diff == pytest.approx(plain.diff)
    assert corr.half_width == pytest.approx(plain.half_width * factor, rel=1e-12)
    assert corr.t == pytest.approx(plain.t / factor, rel=1e-12)
    assert corr.p == pytest.approx(2 * st.t.sf(abs(plain.t) / factor, j - 1), rel=1e-10)
    assert corr.p > plain.p


def test_corrected_resampled_t_hand_value():
    # d = [1, 2, 3, 6]: mean 3, var 14/3, J = 4, n_test / n_train = 1/3
    se = math.sqrt(14 / 3 * (1 / 4 + 1 / 3))
    r = S.corrected_resampled_t(
        [2, 4, 6, 10], [1, 2, 3, 4], n_train=30, n_test=10, confidence=0.9
    )
    assert (r.diff, r.t) == pytest.approx((3.0, 3.0 / se))
    assert r.half_width == pytest.approx(st.t.ppf(0.95, 3) * se)


# -------------------------------------------------------------------- bootstrap, wilson


def test_bootstrap_is_seeded_and_agrees_with_scipy():
    first = S.bootstrap_ci(A)
    assert first == S.bootstrap_ci(A) and all(type(x) is float for x in first)
    assert S.bootstrap_ci(A, seed=1) != first
    ref = st.bootstrap(
        (A,),
        np.mean,
        confidence_level=0.95,
        n_resamples=10_000,
        method="percentile",
        rng=np.random.default_rng(5),
    ).confidence_interval
    est, lo, hi = first
    assert est == pytest.approx(np.mean(A))
    width = ref.high - ref.low
    assert lo == pytest.approx(ref.low, abs=0.05 * width)
    assert hi == pytest.approx(ref.high, abs=0.05 * width)


def test_bootstrap_stays_inside_data_range_and_bounds():
    pct = [99.0, 100.0, 100.0, 98.0, 100.0, 100.0, 97.0, 100.0]
    m, h = S.mean_ci(pct)
    assert m + h > 100  # the t-interval leaves the possible range ...
    est, lo, hi = S.bootstrap_ci(pct, bounds=(0, 100))
    assert min(pct) <= lo <= est <= hi <= 100  # ... the bootstrap interval does not
    assert S.bootstrap_ci([0.0, 0.0, 0.0, 1.0], bounds=(0, 100))[1] == 0.0
    # a statistic that could leave the bounds is clipped to them
    assert S.bootstrap_ci(
        [1.0, 2.0, 3.0], statistic=lambda x, axis: x.sum(axis) * 100, bounds=(0, 100)
    )[1:] == (100.0, 100.0)


def test_bootstrap_statistics_and_vectorisation():
    calls = []

    def spy(x, axis):
        calls.append(x.shape)
        return np.median(x, axis=axis)

    assert S.bootstrap_ci(SMALL_B, statistic=spy, n_boot=500) == S.bootstrap_ci(
        SMALL_B, statistic="median", n_boot=500
    )
    assert len(calls) == 2 and calls[1] == (
        500,
        5,
    )  # the estimate, then all resamples at once
    assert S.bootstrap_ci(SMALL_B, statistic=np.mean) == S.bootstrap_ci(SMALL_B)
    est, lo, hi = S.bootstrap_ci(A, confidence=0.5, n_boot=2000)
    est2, lo2, hi2 = S.bootstrap_ci(A, confidence=0.99, n_boot=2000)
    assert lo2 < lo < est < hi < hi2


@pytest.mark.parametrize(
    "k,n,confidence",
    [(8, 10, 0.95), (0, 10, 0.95), (10, 10, 0.9), (1, 3, 0.99), (57, 200, 0.8)],
)
def test_wilson_matches_scipy(k, n, confidence):
    ref = st.binomtest(k, n).proportion_ci(confidence, method="wilson")
    lo, hi = S.wilson_ci(k, n, confidence)
    assert (lo, hi) == pytest.approx((ref.low, ref.high), rel=1e-10, abs=1e-14)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_hand_value_and_ends():
    assert S.wilson_ci(8, 10) == pytest.approx((0.4901624715, 0.9433178485), abs=1e-9)
    assert S.wilson_ci(0, 5)[0] == 0.0 and S.wilson_ci(5, 5)[1] == 1.0


# --------------------------------------------------------------------------------- holm


def test_holm_hand_computed():
    # sorted 0.01, 0.015, 0.04, 0.3 times 4, 3, 2, 1 -> 0.04, 0.045, 0.08, 0.3 (already
    # monotone)
    reject, adjusted = S.holm([0.04, 0.3, 0.01, 0.015])
    assert adjusted == pytest.approx([0.08, 0.3, 0.04, 0.045])
    assert reject == [
        False,
        False,
        True,
        True,
    ]  # Bonferroni (0.06 for 0.015) would keep one
    assert all(type(r) is bool for r in reject) and all(
        type(p) is float for p in adjusted
    )


def test_holm_is_monotone_and_capped():
    # sorted 0.01, 0.04, 0.045, 0.9 times 4, 3, 2, 1 -> 0.04, 0.12, 0.09 -> 0.12
    # (monotone), 0.9
    reject, adjusted = S.holm([0.045, 0.01, 0.9, 0.04])
    assert adjusted == pytest.approx([0.12, 0.04, 0.9, 0.12])
    assert reject == [False, True, False, False]
    assert S.holm([0.5, 0.6, 0.7])[1] == [
        1.0,
        1.0,
        1.0,
    ]  # 1.5, 1.2, 0.7 -> capped, monotone
    assert S.holm([0.03], alpha=0.05) == ([True], [0.03])
    assert S.holm(np.array([0.02, 0.02]), alpha=0.04) == ([True, True], [0.04, 0.04])


# ----------------------------------------------------------------- seeds_for_difference


@pytest.mark.parametrize(
    "sd,diff,paired,expected",
    [
        (1.0, 1.0, False, 17),
        (2.0, -2.0, False, 17),
        (1.0, 0.5, False, 64),
        (1.0, 0.8, False, 26),
        (1.0, 1.0, True, 10),
        (1.0, 0.5, True, 34),
        (1.0, 5.0, False, 3),
    ],
)
def test_seeds_for_difference_known_values(sd, diff, paired, expected):
    assert S.seeds_for_difference(sd, diff, paired=paired) == expected


def test_seeds_for_difference_is_the_smallest_n():
    def power(n, d, alpha=0.01):
        df, ncp = 2 * n - 2, d * math.sqrt(n / 2)
        c = st.t.ppf(1 - alpha / 2, df)
        return st.nct.sf(c, df, ncp) + st.nct.cdf(-c, df, ncp)

    n = S.seeds_for_difference(1.5, 0.9, alpha=0.01, power=0.9)
    assert power(n, 0.6) >= 0.9 > power(n - 1, 0.6)
    assert (
        S.seeds_for_difference(1.0, 0.02) > 39_000
    )  # tiny effects still finish quickly


# --------------------------------------------------------------- within_noise, sentence


def test_within_noise():
    assert S.within_noise(A, B) and S.within_noise(A, B, paired=True)
    assert not S.within_noise(A, np.add(B, 3.0))
    base = rng_data(7, 10, 0, 5.0)
    shifted = np.add(base, 0.5) + np.random.default_rng(8).normal(0, 0.1, 10)
    assert S.within_noise(shifted, base) and not S.within_noise(
        shifted, base, paired=True
    )
    for c in (0.8, 0.95, 0.99):
        r = S.welch(A, B, c)
        assert S.within_noise(A, B, confidence=c) == (r.p >= 1 - c) == r.within_noise


def test_compare_sentence_within_noise():
    ma, ha = S.mean_ci(A)
    mb, hb = S.mean_ci(B)
    r = S.welch(A, B)
    expected = (
        f"relu {ma:.1f} ± {ha:.1f} % vs gelu {mb:.1f} ± {hb:.1f} %: the difference, "
        f"{r.diff:+.1f} ± {r.half_width:.1f} %, is within seed noise "
        f"(95 % interval contains 0, 10 seeds each)."
    )
    assert S.compare_sentence("relu", A, "gelu", B) == expected
    assert expected == (
        "relu 66.1 ± 0.9 % vs gelu 65.6 ± 0.5 %: the difference, +0.5 ± 1.0 %, "
        "is within seed noise (95 % interval contains 0, 10 seeds each)."
    )


def test_compare_sentence_larger_than_noise_and_options():
    far = np.add(B, 2.0).tolist()
    r = S.welch(far, A)
    assert 0.001 < r.p < 0.01
    text = S.compare_sentence("gelu", far, "relu", A, unit="", digits=2)
    assert text == (
        f"gelu {np.mean(far):.2f} ± {S.mean_ci(far)[1]:.2f} vs relu {np.mean(A):.2f}"
        f" ± {S.mean_ci(A)[1]:.2f}: the difference, {r.diff:+.2f} ± "
        f"{r.half_width:.2f}, is larger than seed noise (p = {r.p:.2g}, "
        f"10 seeds each)."
    )
    assert text.endswith("(p = 0.0046, 10 seeds each).")  # two significant digits
    assert S.compare_sentence("a", A, "b", np.add(B, 5)).endswith(
        "(p < 0.001, 10 seeds each)."
    )
    assert S.compare_sentence("a", A, "b", B[:7]).endswith(
        "contains 0, 10 and 7 seeds)."
    )
    p = S.compare_sentence("a", A, "b", B, paired=True, confidence=0.9, digits=0)
    assert p.endswith("(90 % interval contains 0, 10 paired seeds).") and " ± 1 %" in p


# --------------------------------------------------------------------------- bad inputs


def calls_with(**kw):
    """(label, data arguments used, thunk) for every public function.

    Every public function taking data or confidence, with the arguments named in kw
    replaced.
    """
    defaults = dict(values=A, a=A, b=B, confidence=0.95)

    def arg(name):
        return kw.get(name, defaults[name])

    return [
        ("mean_ci", ("values",), lambda: S.mean_ci(arg("values"), arg("confidence"))),
        ("welch", ("a", "b"), lambda: S.welch(arg("a"), arg("b"), arg("confidence"))),
        ("paired", ("a", "b"), lambda: S.paired(arg("a"), arg("b"), arg("confidence"))),
        (
            "corrected",
            ("a", "b"),
            lambda: S.corrected_resampled_t(
                arg("a"), arg("b"), 90, 10, arg("confidence")
            ),
        ),
        (
            "bootstrap",
            ("values",),
            lambda: S.bootstrap_ci(
                arg("values"), n_boot=50, confidence=arg("confidence")
            ),
        ),
        (
            "within_noise",
            ("a", "b"),
            lambda: S.within_noise(arg("a"), arg("b"), arg("confidence")),
        ),
        (
            "sentence",
            ("a", "b"),
            lambda: S.compare_sentence(
                "x", arg("a"), "y", arg("b"), confidence=arg("confidence")
            ),
        ),
    ]


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.5, "x", True, None, math.nan, 95])
def test_bad_confidence(bad):
    for label, _, call in calls_with(confidence=bad):
        with pytest.raises((ValueError, TypeError), match=r"invalid confidence=") as e:
            call()
        assert repr(bad) in str(e.value) and "strictly between 0 and 1" in str(
            e.value
        ), label
    with pytest.raises(
        (ValueError, TypeError), match=r"invalid confidence=.*between 0 and 1"
    ):
        S.wilson_ci(3, 10, bad)
    with pytest.raises(
        TypeError if isinstance(bad, (str, bool, type(None))) else ValueError
    ):
        S.mean_ci(A, bad)


@pytest.mark.parametrize(
    "bad,message",
    [
        ([1.0], r"1 value\(s\); need at least 2"),
        ([], r"0 value\(s\); need at least 2"),
        (torch.tensor([]), r"0 value\(s\)"),
        (3.0, r"1 value\(s\)"),
        ([1.0, math.nan, 2.0], r"nan at index 1.*finite"),
        (np.array([1.0, 2.0, -np.inf]), r"-inf"),
        (torch.tensor([1.0, float("inf")]), r"inf at index 1"),
        ("abc", r"list, tuple, numpy array or torch tensor"),
        (None, r"invalid .*=None"),
        ([1.0, "a"], r"real numbers"),
        ([1 + 2j, 3j], r"real numbers"),
        (torch.tensor([1 + 1j, 2j]), r"complex"),
        ([[1.0, 2.0], [3.0]], r"real numbers"),
    ],
)
def test_bad_data(bad, message):
    checked = 0
    for name in ("values", "a", "b"):
        for label, uses, call in calls_with(**{name: bad}):
            if name not in uses:
                continue
            with pytest.raises((ValueError, TypeError), match=message) as e:
                call()
            assert str(e.value).startswith(f"invalid {name}"), (label, str(e.value))
            checked += 1
    assert checked == 2 + 5 + 5


def test_bad_arguments_name_the_argument():
    cases = [
        (lambda: S.corrected_resampled_t(A, B, 0, 10), ValueError, "n_train=0"),
        (lambda: S.corrected_resampled_t(A, B, 90.0, 10), TypeError, "n_train=90.0"),
        (lambda: S.corrected_resampled_t(A, B, 90, True), TypeError, "n_test=True"),
        (
            lambda: S.bootstrap_ci(A, n_boot=-1),
            ValueError,
            "n_boot=-1; it must be an integer",
        ),
        (lambda: S.bootstrap_ci(A, n_boot=0), ValueError, "n_boot=0"),
        (lambda: S.bootstrap_ci(A, n_boot=1e4), TypeError, "n_boot=10000.0"),
        (lambda: S.bootstrap_ci(A, seed=-3), ValueError, "seed=-3"),
        (lambda: S.bootstrap_ci(A, seed="0"), TypeError, "seed='0'"),
        (lambda: S.bootstrap_ci(A, statistic="mode"), ValueError, "statistic='mode'"),
        (lambda: S.bootstrap_ci(A, statistic=3), TypeError, "statistic=3"),
        (
            lambda: S.bootstrap_ci(A, statistic=lambda x: x.mean()),
            TypeError,
            "statistic=",
        ),
        (
            lambda: S.bootstrap_ci(A, statistic=lambda x, axis: x),
            ValueError,
            "one number per",
        ),
        (lambda: S.bootstrap_ci(A, bounds=(100, 0)), ValueError, r"bounds=\(100, 0\)"),
        (lambda: S.bootstrap_ci(A, bounds=(0,)), ValueError, r"bounds=\(0,\)"),
        (
            lambda: S.bootstrap_ci(A, bounds=(0, math.nan)),
            ValueError,
            r"bounds=\(0, nan\)",
        ),
        (
            lambda: S.bootstrap_ci(A, bounds=(0, 50)),
            ValueError,
            r"outside bounds=\(0, 50\)",
        ),
        (
            lambda: S.wilson_ci(11, 10),
            ValueError,
            "successes=11; it must be an integer from 0",
        ),
        (lambda: S.wilson_ci(-1, 10), ValueError, "successes=-1"),
        (lambda: S.wilson_ci(2.5, 10), TypeError, "successes=2.5"),
        (lambda: S.wilson_ci(0, 0), ValueError, "n=0"),
        (
            lambda: S.holm([0.01, 1.2]),
            ValueError,
            r"p_values: 1.2 at index 1.*\[0, 1\]",
        ),
        (lambda: S.holm([0.01, math.nan]), ValueError, "p_values: nan at index 1"),
        (lambda: S.holm([]), ValueError, r"p_values: 0 value\(s\)"),
        (
            lambda: S.seeds_for_difference(0, 1),
            ValueError,
            "sd=0; it must be a finite number > 0",
        ),
        (lambda: S.seeds_for_difference(-1.0, 1), ValueError, "sd=-1.0"),
        (lambda: S.seeds_for_difference("1", 1), TypeError, "sd='1'"),
        (
            lambda: S.seeds_for_difference(1, 0),
            ValueError,
            "difference=0; it must be a finite",
        ),
        (lambda: S.seeds_for_difference(1, math.inf), ValueError, "difference=inf"),
        (lambda: S.seeds_for_difference(1, 1, power=1.0), ValueError, "power=1.0"),
        (lambda: S.seeds_for_difference(1, 1, paired=1), TypeError, "paired=1"),
        (lambda: S.within_noise(A, B, paired="yes"), TypeError, "paired='yes'"),
        (lambda: S.compare_sentence("", A, "b", B), TypeError, "name_a=''"),
        (lambda: S.compare_sentence("a", A, 3, B), TypeError, "name_b=3"),
        (lambda: S.compare_sentence("a", A, "b", B, unit=None), TypeError, "unit=None"),
        (
            lambda: S.compare_sentence("a", A, "b", B, digits=-1),
            ValueError,
            "digits=-1",
        ),
        (
            lambda: S.compare_sentence("a", A, "b", B, digits=1.0),
            TypeError,
            "digits=1.0",
        ),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind, match=message):
            call()


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, "x", True, math.nan])
def test_bad_alpha(bad):
    for call in (
        lambda: S.holm([0.01, 0.2], alpha=bad),
        lambda: S.seeds_for_difference(1, 1, alpha=bad),
    ):
        with pytest.raises(
            (ValueError, TypeError), match=r"invalid alpha=.*between 0 and 1"
        ):
            call()
