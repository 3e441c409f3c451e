"""Capaian (achievement), predikat (rating) and yearly totals of performance indicators.

Pure Python with Decimal arithmetic: no models, no database. The strings in ``Direction`` and
``Aggregation`` are the values the models store, so this module can be used on plain values in
forms, exports and tests alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.utils.translation import gettext

from monev.numbers import format_decimal

__all__ = [
    "DEFAULT_BANDS",
    "Achievement",
    "Aggregation",
    "Direction",
    "RatingBand",
    "achievement",
    "needs_explanation",
    "rating",
    "yearly_realisation",
]

_HUNDRED = Decimal(100)
_PERCENT_PLACES = Decimal("0.01")


class Direction:
    """Whether a higher or a lower realisation is the better one."""

    HIGHER = "higher"
    LOWER = "lower"
    ALL: ClassVar[tuple[str, ...]] = (HIGHER, LOWER)


class Aggregation:
    """How the quarter realisations add up to the year."""

    SUM = "sum"  # counts: people served, documents issued
    LAST = "last"  # levels, cumulative percentages, indices such as IKM
    AVERAGE = "average"
    ALL: ClassVar[tuple[str, ...]] = (SUM, LAST, AVERAGE)


@dataclass(frozen=True)
class Achievement:
    """The capaian of one realisation against its target, or why there is none."""

    OK: ClassVar[str] = "ok"
    EMPTY: ClassVar[str] = "empty"
    NO_TARGET: ClassVar[str] = "no_target"

    percent: Decimal | None
    status: str

    @property
    def label(self) -> str:
        """Indonesian display: ``85,5 %``, ``belum diisi`` or ``tidak dapat dihitung``."""
        if self.status == self.EMPTY:
            return gettext("belum diisi")
        if self.status == self.NO_TARGET or self.percent is None:
            return gettext("tidak dapat dihitung")
        return f"{format_decimal(self.percent)} %"


def achievement(target: Decimal | None, realisation: Decimal | None, direction: str) -> Achievement:
    """Capaian in percent, rounded half-up to 2 places.

    Higher is better: realisation ÷ target × 100. Lower is better (PermenPAN-RB 8/2021):
    (1 + (1 − realisation ÷ target)) × 100, floored at 0. An empty realisation is "belum diisi"
    (never 0 or 100 %); a zero or missing target cannot be computed.
    """
    if direction not in Direction.ALL:
        raise ValueError(f"unknown direction {direction!r}")
    # Empty is checked first: what the officer must do next is fill in the realisation.
    if realisation is None:
        return Achievement(percent=None, status=Achievement.EMPTY)
    if target is None or target == 0:
        return Achievement(percent=None, status=Achievement.NO_TARGET)
    ratio = Decimal(realisation) / Decimal(target)
    if direction == Direction.HIGHER:
        percent = ratio * _HUNDRED
    else:
        # Twice the target or worse scores 0, not a negative achievement.
        percent = max((1 + (1 - ratio)) * _HUNDRED, Decimal(0))
    return Achievement(
        percent=percent.quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP), status=Achievement.OK
    )


@dataclass(frozen=True)
class RatingBand:
    """A predikat: achievements at or above ``minimum`` (up to the next band) earn ``label``."""

    minimum: Decimal
    label: str
    css: str


# The Permendagri 86/2017 bands (printed 91–100, 76–90, 66–75, 51–65, ≤ 50) as thresholds, so
# 90.5 has a home and anything above 100 is the top band. The real labels are data.
DEFAULT_BANDS: tuple[RatingBand, ...] = (
    RatingBand(Decimal(91), "Sangat Tinggi", "success"),
    RatingBand(Decimal(76), "Tinggi", "primary"),
    RatingBand(Decimal(66), "Sedang", "info"),
    RatingBand(Decimal(51), "Rendah", "warning"),
    RatingBand(Decimal(0), "Sangat Rendah", "danger"),
)


def rating(
    percent: Decimal | None, bands: Sequence[RatingBand] = DEFAULT_BANDS
) -> RatingBand | None:
    """The band whose minimum is the highest one ``percent`` reaches; None for no percent."""
    if percent is None or not bands:
        return None
    ordered = sorted(bands, key=lambda band: band.minimum, reverse=True)
    for band in ordered:
        if percent >= band.minimum:
            return band
    # Below every minimum (a negative capaian): the lowest band, never "no rating".
    return ordered[-1]


def yearly_realisation(values: Sequence[Decimal | None], method: str) -> Decimal | None:
    """The year's realisation from quarters I..IV in order (None = not filled).

    ``sum`` adds the filled quarters, ``last`` takes the last filled one, ``average`` is the mean
    of the filled ones (unrounded). None when no quarter is filled. The indicator's method
    decides; a rate must never be summed.
    """
    if method not in Aggregation.ALL:
        raise ValueError(f"unknown aggregation {method!r}")
    filled = [Decimal(value) for value in values if value is not None]
    if not filled:
        return None
    if method == Aggregation.LAST:
        return filled[-1]
    total = sum(filled, Decimal(0))
    if method == Aggregation.SUM:
        return total
    return total / len(filled)


def needs_explanation(result: Achievement) -> tuple[bool, bool, bool]:
    """Which of (faktor pendorong, faktor penghambat, tindak lanjut) the form must ask for."""
    if result.status != Achievement.OK or result.percent is None:
        return (False, False, False)
    if result.percent < _HUNDRED:
        return (False, True, True)
    return (True, False, False)
