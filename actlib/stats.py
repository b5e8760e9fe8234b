"""Statistics for comparing runs over seeds: the one module every chapter uses.

"Within seed noise" -- the phrase means the same thing everywhere in the book:
two configurations A and B, each run over several seeds, differ *within seed
noise* when the ``confidence`` (default 95 %) Student-t interval for the
difference of their means (``welch``, or ``paired`` when seed i of A and seed
i of B share data order and initialisation) contains 0. Equivalently, the
two-sided t-test gives p >= 1 - confidence. It does not say that A and B are
equal, only that these seeds cannot tell them apart. The opposite is *larger
than seed noise*: the interval excludes 0.

Data may be lists, tuples, numpy arrays or torch tensors of any real dtype;
they are flattened and converted to float64. nan and inf are rejected.
Only the standard library, numpy, scipy and torch are imported here.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np
import torch
from scipy import stats as _st

__all__ = [
    "Comparison",
    "bootstrap_ci",
    "compare_sentence",
    "corrected_resampled_t",
    "holm",
    "mean_ci",
    "paired",
    "seeds_for_difference",
    "welch",
    "wilson_ci",
    "within_noise",
]

_BOOT_CHUNK = 2_000_000  # resampled values held in memory at once by bootstrap_ci


# --------------------------------------------------------------------------- validation


def _is_real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _open_unit(x, name):
    """Check that x is a real number strictly between 0 and 1.

    Return it as a float.
    """
    accepted = "it must be a number strictly between 0 and 1"
    if not _is_real(x):
        raise TypeError(f"invalid {name}={x!r}; {accepted}, e.g. 0.95")
    if not 0.0 < float(x) < 1.0:  # also rejects nan
        raise ValueError(f"invalid {name}={x!r}; {accepted}, e.g. 0.95")
    return float(x)


def _positive_int(x, name, minimum=1):
    if not _is_int(x) or x < minimum:
        raise (TypeError if not _is_int(x) else ValueError)(
            f"invalid {name}={x!r}; it must be an integer >= {minimum}"
        )
    return int(x)


def _data(values, name, min_n=2, purpose="for an interval"):
    """Return values as a flat float64 numpy array of finite numbers.

    There must be at least min_n of them.
    """
    accepted = "give a list, tuple, numpy array or torch tensor of real numbers"
    if isinstance(values, torch.Tensor):
        t = values.detach().cpu()
        if t.is_complex():
            raise TypeError(f"invalid {name}: complex tensor; {accepted}")
        arr = t.to(torch.float64).numpy()
    else:
        if values is None or isinstance(values, (str, bytes, dict, set, frozenset)):
            raise TypeError(f"invalid {name}={values!r}; {accepted}")
        try:
            arr = np.asarray(values)
            if np.iscomplexobj(arr):
                raise TypeError("complex")
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as e:
            shown = (
                repr(values) if len(repr(values)) < 80 else repr(values)[:77] + "..."
            )
            raise TypeError(f"invalid {name}={shown}; {accepted} ({e})") from None
    arr = arr.reshape(-1)
    if arr.size < min_n:
        raise ValueError(
            f"invalid {name}: {arr.size} value(s); need at least {min_n} {purpose}"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"invalid {name}: {arr[i]} at index {i}; every value must be finite "
            f"(no nan or inf)"
        )
    return arr


def _mean_var(v):
    """Mean and unbiased variance (ddof=1).

    Exactly (v[0], 0.0) when all values are equal.
    """
    if (v == v[0]).all():
        return float(v[0]), 0.0
    return float(v.mean()), float(v.var(ddof=1))


# ---------------------------------------------------------------------------- intervals


def mean_ci(values, confidence=0.95):
    """Return (mean, half-width) of the Student-t confidence interval.

    The interval is for the mean of values.
    """
    confidence = _open_unit(confidence, "confidence")
    v = _data(values, "values")
    n = v.size
    m, var = _mean_var(v)
    if var == 0.0:
        return m, 0.0
    return m, float(_st.t.ppf(0.5 + confidence / 2, n - 1) * math.sqrt(var / n))


@dataclass(frozen=True, repr=False)
class Comparison:
    """Difference of two sets of runs: diff ± half_width is the confidence interval.

    method is "welch", "paired" or "corrected"; df, t and p are those of the two-sided
    t-test; n_a and n_b count the values on each side.
    """

    method: str
    diff: float
    half_width: float
    df: float
    t: float
    p: float
    confidence: float
    n_a: int
    n_b: int

    @property
    def low(self):
        """Lower end of the interval."""
        return self.diff - self.half_width

    @property
    def high(self):
        """Upper end of the interval."""
        return self.diff + self.half_width

    @property
    def within_noise(self):
        """True when the interval contains 0 (see the module docstring)."""
        return self.low <= 0.0 <= self.high

    def __repr__(self):
        return (
            f"Comparison({self.method}: diff = {self.diff:+.4g} ± "
            f"{self.half_width:.4g} ({self.confidence * 100:g} % interval "
            f"[{self.low:.4g}, {self.high:.4g}]), t = {self.t:.4g}, df = "
            f"{self.df:.4g}, p = {self.p:.4g}, n = {self.n_a} vs {self.n_b})"
        )


def _comparison(method, diff, se, df, confidence, n_a, n_b):
    if se == 0.0:  # no spread at all: the interval is a point
        t = 0.0 if diff == 0.0 else math.copysign(math.inf, diff)
        p = 1.0 if diff == 0.0 else 0.0
        return Comparison(method, diff, 0.0, float(df), t, p, confidence, n_a, n_b)
    t = diff / se
    half = float(_st.t.ppf(0.5 + confidence / 2, df)) * se
    p = float(min(1.0, 2.0 * _st.t.sf(abs(t), df)))
    return Comparison(method, diff, half, float(df), t, p, confidence, n_a, n_b)


def welch(a, b, confidence=0.95):
    """Welch t-interval and test for mean(a) - mean(b), independent samples.

    The variances may be unequal.

    df is the Welch-Satterthwaite value; p agrees with
    scipy.stats.ttest_ind(equal_var=False). If neither sample varies, the interval is
    the point diff (t = 0 and p = 1 when diff is 0).
    """
    confidence = _open_unit(confidence, "confidence")
    a, b = _data(a, "a"), _data(b, "b")
    na, nb = a.size, b.size
    (ma, va), (mb, vb) = _mean_var(a), _mean_var(b)
    qa, qb = va / na, vb / nb
    se2 = qa + qb
    df = (na + nb - 2) if se2 == 0.0 else se2**2 / (qa**2 / (na - 1) + qb**2 / (nb - 1))
    return _comparison("welch", ma - mb, math.sqrt(se2), df, confidence, na, nb)


def _differences(a, b):
    a, b = _data(a, "a"), _data(b, "b")
    if a.size != b.size:
        raise ValueError(
            f"a and b must have the same length for paired differences, "
            f"got len(a)={a.size} and len(b)={b.size}"
        )
    return a - b


def paired(a, b, confidence=0.95):
    """Paired t-interval and test for the mean of a[i] - b[i].

    p agrees with stats.ttest_rel.
    """
    confidence = _open_unit(confidence, "confidence")
    d = _differences(a, b)
    n = d.size
    m, var = _mean_var(d)
    return _comparison("paired", m, math.sqrt(var / n), n - 1, confidence, n, n)


def corrected_resampled_t(a, b, n_train, n_test, confidence=0.95):
    """Nadeau & Bengio (2003) corrected resampled t-test.

    The scores are paired, over J splits.

    a[j], b[j] are scores on split j (k-fold or repeated random splits) with n_train
    training and n_test test examples. The variance of the mean difference is taken as
    var(d) * (1/J + n_test/n_train) instead of var(d) / J, because the splits overlap;
    df = J - 1.
    """
    confidence = _open_unit(confidence, "confidence")
    n_train = _positive_int(n_train, "n_train")
    n_test = _positive_int(n_test, "n_test")
    d = _differences(a, b)
    j = d.size
    m, var = _mean_var(d)
    se = math.sqrt(var * (1.0 / j + n_test / n_train))
    return _comparison("corrected", m, se, j - 1, confidence, j, j)


def _statistic(statistic):
    if isinstance(statistic, str):
        funcs = {"mean": np.mean, "median": np.median}
        if statistic not in funcs:
            raise ValueError(
                f"invalid statistic={statistic!r}; give 'mean', 'median' or a "
                f"function f(x, axis) such as np.mean"
            )
        return funcs[statistic]
    if not callable(statistic):
        raise TypeError(
            f"invalid statistic={statistic!r}; give 'mean', 'median' or a "
            f"function f(x, axis) such as np.mean"
        )
    return statistic


def bootstrap_ci(
    values, statistic="mean", confidence=0.95, n_boot=10_000, seed=0, bounds=None
):
    """Return (estimate, low, high): a bootstrap interval for statistic(values).

    The interval is a percentile bootstrap.

    statistic is "mean", "median" or a function f(x, axis) that reduces along axis
    (np.mean, np.median, ...); it is called on all resamples at once (no Python loop
    over resamples). The same call gives the same numbers (numpy generator seeded with
    seed). For the mean or median the interval stays inside the range of the data,
    unlike mean ± t-interval; bounds, e.g. (0, 100) for percentages, must contain the
    data and the interval is clipped to them.
    """
    f = _statistic(statistic)
    confidence = _open_unit(confidence, "confidence")
    n_boot = _positive_int(n_boot, "n_boot")
    if not _is_int(seed) or seed < 0:
        raise (TypeError if not _is_int(seed) else ValueError)(
            f"invalid seed={seed!r}; it must be an integer >= 0"
        )
    v = _data(values, "values")
    if bounds is not None:
        ok = (
            isinstance(bounds, (tuple, list))
            and len(bounds) == 2
            and all(_is_real(x) and math.isfinite(x) for x in bounds)
            and bounds[0] < bounds[1]
        )
        if not ok:
            raise ValueError(
                f"invalid bounds={bounds!r}; give None or (low, high) with finite "
                f"low < high, e.g. (0, 100)"
            )
        lo_b, hi_b = float(bounds[0]), float(bounds[1])
        if v.min() < lo_b or v.max() > hi_b:
            raise ValueError(
                f"invalid values: they span [{v.min()}, {v.max()}], outside "
                f"bounds={bounds!r}"
            )
    try:
        estimate = np.asarray(f(v[None, :], axis=-1), dtype=np.float64).reshape(-1)
    except TypeError as e:
        raise TypeError(
            f"invalid statistic={statistic!r}; it must accept (x, axis=-1) and "
            f"reduce along axis ({e})"
        ) from None
    if estimate.size != 1:
        raise ValueError(
            f"invalid statistic={statistic!r}; it must return one number per row "
            f"when called as f(x, axis=-1) on a 2-D array"
        )
    n = v.size
    rng = np.random.default_rng(seed)
    rows = max(1, _BOOT_CHUNK // n)
    boot = np.empty(n_boot)
    for start in range(
        0, n_boot, rows
    ):  # chunks only bound memory; each chunk is vectorised
        stop = min(n_boot, start + rows)
        idx = rng.integers(0, n, size=(stop - start, n))
        boot[start:stop] = np.asarray(f(v[idx], axis=-1), dtype=np.float64).reshape(-1)
    alpha = 1.0 - confidence
    low, high = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    if bounds is not None:
        low, high = min(max(low, lo_b), hi_b), min(max(high, lo_b), hi_b)
    return float(estimate[0]), float(low), float(high)


def wilson_ci(successes, n, confidence=0.95):
    """Return (low, high): Wilson score interval for the proportion successes / n.

    Both ends are in [0, 1].
    """
    confidence = _open_unit(confidence, "confidence")
    n = _positive_int(n, "n")
    if not _is_int(successes) or not 0 <= successes <= n:
        raise (TypeError if not _is_int(successes) else ValueError)(
            f"invalid successes={successes!r}; it must be an integer from 0 to n={n}"
        )
    z = float(_st.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


# ---------------------------------------------------------------------- tests, planning


def holm(p_values, alpha=0.05):
    """Holm-Bonferroni step-down: return (reject, adjusted).

    Two lists in the order of p_values.

    adjusted[i] is the Holm-adjusted p-value (monotone in the sorted p-values, capped at
    1); reject[i] is adjusted[i] <= alpha. This controls the family-wise error rate at
    alpha.
    """
    alpha = _open_unit(alpha, "alpha")
    p = _data(p_values, "p_values", min_n=1, purpose="p-value")
    if p.min() < 0.0 or p.max() > 1.0:
        i = int(np.flatnonzero((p < 0) | (p > 1))[0])
        raise ValueError(
            f"invalid p_values: {p[i]} at index {i}; p-values must lie in [0, 1]"
        )
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return [bool(x <= alpha) for x in adjusted], [float(x) for x in adjusted]


def _power(n, effect, alpha, paired):
    df = n - 1 if paired else 2 * n - 2
    ncp = effect * math.sqrt(n if paired else n / 2)
    crit = _st.t.ppf(1 - alpha / 2, df)
    return float(_st.nct.sf(crit, df, ncp) + _st.nct.cdf(-crit, df, ncp))


def seeds_for_difference(sd, difference, alpha=0.05, power=0.8, paired=False):
    """Smallest number of seeds n per group for a two-sided t-test to detect difference.

    sd is the per-seed standard deviation of a score (for paired=True: of the per-seed
    difference a[i] - b[i]). Power is computed exactly with the noncentral t
    distribution (two-sample test with n seeds in each group, or paired test with n
    pairs), n >= 2.
    """
    if not _is_real(sd) or not math.isfinite(sd) or sd <= 0:
        raise (TypeError if not _is_real(sd) else ValueError)(
            f"invalid sd={sd!r}; it must be a finite number > 0"
        )
    if not _is_real(difference) or not math.isfinite(difference) or difference == 0:
        raise (TypeError if not _is_real(difference) else ValueError)(
            f"invalid difference={difference!r}; it must be a finite nonzero number"
        )
    alpha = _open_unit(alpha, "alpha")
    power = _open_unit(power, "power")
    if not isinstance(paired, bool):
        raise TypeError(f"invalid paired={paired!r}; it must be True or False")
    effect = abs(float(difference)) / float(sd)
    z = _st.norm.ppf(1 - alpha / 2) + _st.norm.ppf(power)
    n = max(
        2, math.floor((1 if paired else 2) * (z / effect) ** 2)
    )  # normal approximation
    while n > 2 and _power(n - 1, effect, alpha, paired) >= power:
        n -= 1
    while _power(n, effect, alpha, paired) < power:  # iterate upward to the smallest n
        n += 1
    return n


# ------------------------------------------------------------------ the book's sentence


def within_noise(a, b, confidence=0.95, paired=False):
    """True when a and b differ within seed noise.

    The interval of the difference contains 0.
    """
    return _compare(a, b, confidence, paired).within_noise


def _compare(a, b, confidence, use_paired):
    if not isinstance(use_paired, bool):
        raise TypeError(f"invalid paired={use_paired!r}; it must be True or False")
    return paired(a, b, confidence) if use_paired else welch(a, b, confidence)


def compare_sentence(
    name_a, a, name_b, b, unit="%", paired=False, confidence=0.95, digits=1
):
    """Return the book's sentence comparing runs a and b over seeds, e.g.

    "relu 66.1 ± 1.2 % vs gelu 65.8 ± 0.9 %: the difference, +0.3 ± 1.4 %, is within
    seed noise (95 % interval contains 0, 10 seeds each)."  Each ± is a t-interval
    half-width at confidence (the difference's from welch, or paired if paired=True);
    numbers have digits decimals. When the interval excludes 0 the sentence ends "is
    larger than seed noise (p = 0.003, 10 seeds each)." (p with two significant digits,
    or "p < 0.001").
    """
    for name, value in (("name_a", name_a), ("name_b", name_b), ("unit", unit)):
        if not isinstance(value, str) or (name != "unit" and not value.strip()):
            raise TypeError(
                f"invalid {name}={value!r}; it must be a "
                f"{'string' if name == 'unit' else 'non-empty string'}"
            )
    if not _is_int(digits) or not 0 <= digits <= 10:
        raise (TypeError if not _is_int(digits) else ValueError)(
            f"invalid digits={digits!r}; it must be an integer from 0 to 10"
        )
    res = _compare(a, b, confidence, paired)
    ma, ha = mean_ci(a, confidence)
    mb, hb = mean_ci(b, confidence)
    u = f" {unit}" if unit else ""
    k = digits
    if paired:
        seeds = f"{res.n_a} paired seeds"
    elif res.n_a == res.n_b:
        seeds = f"{res.n_a} seeds each"
    else:
        seeds = f"{res.n_a} and {res.n_b} seeds"
    head = (
        f"{name_a} {ma:.{k}f} ± {ha:.{k}f}{u} vs {name_b} {mb:.{k}f} ± {hb:.{k}f}{u}: "
        f"the difference, {res.diff + 0.0:+.{k}f} ± {res.half_width:.{k}f}{u}, is "
    )
    if res.within_noise:
        return head + (
            f"within seed noise ({confidence * 100:g} % interval contains 0, {seeds})."
        )
    p = "p < 0.001" if res.p < 0.001 else f"p = {res.p:.2g}"
    return head + f"larger than seed noise ({p}, {seeds})."
