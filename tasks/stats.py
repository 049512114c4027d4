"""Statistics for the report: Wilson intervals and the exact McNemar test, no scipy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

Z_95 = 1.959963984540054
"""The 97.5th percentile of the standard normal distribution."""


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (95% by default).

    Args:
        successes: Number of successes.
        total: Number of trials; with 0 the interval is ``(0.0, 1.0)``.
        z: Normal quantile (1.96 for 95%).

    Returns:
        ``(low, high)``, within [0, 1].
    """
    if total <= 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    center = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, center - half), min(1.0, center + half)


def mcnemar_exact(only_first: int, only_second: int) -> float:
    """Exact two-sided McNemar test: a binomial test on the discordant pairs.

    Under the null hypothesis each discordant pair goes either way with
    probability 1/2; the p-value is ``min(1, 2 * P(X <= min(b, c)))`` with
    ``X ~ Binomial(b + c, 1/2)``, computed exactly.

    Args:
        only_first: Pairs the first run got right and the second wrong (b).
        only_second: Pairs the second run got right and the first wrong (c).

    Returns:
        The two-sided p-value; 1.0 when there are no discordant pairs.
    """
    if only_first < 0 or only_second < 0:
        raise ValueError("counts must be non-negative")
    total = only_first + only_second
    if total == 0:
        return 1.0
    tail = sum(math.comb(total, k) for k in range(min(only_first, only_second) + 1))
    return float(min(Fraction(1), Fraction(2 * tail, 2**total)))


@dataclass(frozen=True)
class PairedDifference:
    """Accuracy difference of two runs on the same problems (second minus first).

    Attributes:
        pairs: Problems both runs finished.
        both: Both right. only_first: first right, second wrong.
        only_second: second right, first wrong. neither: both wrong.
        difference: ``(only_second - only_first) / pairs``.
        low, high: 95% interval of the difference (Wald, for paired proportions).
        p_value: Exact McNemar two-sided p-value.
    """

    pairs: int
    both: int
    only_first: int
    only_second: int
    neither: int
    difference: float
    low: float
    high: float
    p_value: float


def paired_difference(first: list[bool], second: list[bool], z: float = Z_95) -> PairedDifference:
    """Compare two runs' correctness on the same problems, in the same order.

    Args:
        first: Correctness of the first run, one per problem.
        second: Correctness of the second run, same problems, same order.
        z: Normal quantile for the interval.

    Raises:
        ValueError: The lists differ in length.
    """
    if len(first) != len(second):
        raise ValueError("the two runs must cover the same problems")
    both = sum(a and b for a, b in zip(first, second, strict=True))
    only_first = sum(a and not b for a, b in zip(first, second, strict=True))
    only_second = sum(b and not a for a, b in zip(first, second, strict=True))
    pairs = len(first)
    neither = pairs - both - only_first - only_second
    if pairs == 0:
        return PairedDifference(0, 0, 0, 0, 0, 0.0, -1.0, 1.0, 1.0)
    difference = (only_second - only_first) / pairs
    variance = (only_first + only_second) - (only_second - only_first) ** 2 / pairs
    half = z * math.sqrt(max(variance, 0.0)) / pairs
    return PairedDifference(
        pairs=pairs,
        both=both,
        only_first=only_first,
        only_second=only_second,
        neither=neither,
        difference=difference,
        low=max(-1.0, difference - half),
        high=min(1.0, difference + half),
        p_value=mcnemar_exact(only_first, only_second),
    )
