"""Working-time arithmetic for the office calendar (Asia/Jakarta, Mon-Fri office hours).

Pure Python: no models, no database. Holidays come from the ``holidays`` package
(public holidays plus cuti bersama) and from the office's own extra holidays.
"""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays
from django.utils.translation import gettext, gettext_lazy

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")

_ONE_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)
_WALL_DAY_SECONDS = 24 * 3600


@functools.lru_cache
def national_holidays(year: int) -> dict[date, str]:
    """Indonesian public holidays and cuti bersama of ``year``, keyed by date.

    The returned dict is shared by the cache: treat it as read-only.
    """
    # "government" is the category that holds cuti bersama (joint leave days).
    found = holidays.country_holidays(
        "ID", categories=("public", "government"), language="id", years=year
    )
    return dict(found)


def _to_jakarta(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive value would be silently read as the server's local time.
        raise ValueError("aware datetime required")
    return moment.astimezone(JAKARTA)


@dataclass(frozen=True)
class WorkCalendar:
    """Office hours plus the days on which the office is closed."""

    day_start: time = time(7, 30)
    day_end: time = time(16, 0)
    extra_holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be after day_start")
        # Accept any iterable of dates but keep the dataclass hashable.
        object.__setattr__(self, "extra_holidays", frozenset(self.extra_holidays))

    @property
    def day_seconds(self) -> int:
        """Length of one working day in seconds."""
        start = datetime.combine(date.min, self.day_start)
        end = datetime.combine(date.min, self.day_end)
        return (end - start) // _ONE_SECOND

    def is_working_day(self, day: date) -> bool:
        """True on Mon-Fri that are neither national nor office holidays."""
        if isinstance(day, datetime):
            # A datetime never equals a date key, so holidays would be missed.
            day = _to_jakarta(day).date()
        return (
            day.weekday() < 5
            and day not in national_holidays(day.year)
            and day not in self.extra_holidays
        )

    def _bounds(self, day: date) -> tuple[datetime, datetime]:
        # Jakarta has had a fixed UTC+7 offset since 1964, so wall-clock
        # differences within this zone equal elapsed time.
        return (
            datetime.combine(day, self.day_start, tzinfo=JAKARTA),
            datetime.combine(day, self.day_end, tzinfo=JAKARTA),
        )

    def working_seconds(self, start: datetime, end: datetime) -> int:
        """Seconds of working time between two aware datetimes; 0 if ``end <= start``."""
        start = _to_jakarta(start)
        end = _to_jakarta(end)
        if end <= start:
            return 0
        total = timedelta()
        day = start.date()
        last = end.date()
        while day <= last:
            if self.is_working_day(day):
                open_at, close_at = self._bounds(day)
                lo = max(start, open_at)
                hi = min(end, close_at)
                if hi > lo:
                    total += hi - lo
            day += _ONE_DAY
        # Sum first, truncate once, so sub-second parts of both ends are not lost per day.
        return total // _ONE_SECOND

    def _next_open(self, day: date) -> datetime:
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return self._bounds(day)[0]

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """Instant (Asia/Jakarta) at which ``seconds`` of working time after ``start`` elapsed.

        Outside office hours counting begins at the next working-day start. A result
        falling exactly at closing time stays on that day instead of the next morning.
        """
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        cursor = _to_jakarta(start)
        remaining = timedelta(seconds=seconds)
        while True:
            day = cursor.date()
            open_at, close_at = self._bounds(day)
            if not self.is_working_day(day) or cursor >= close_at:
                cursor = self._next_open(day)
                continue
            cursor = max(cursor, open_at)
            available = close_at - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            cursor = self._next_open(day)


# Unit code -> display label; a mapping is directly usable as Django field choices.
STANDARD_UNITS: dict[str, str] = {
    "menit": gettext_lazy("Menit"),
    "jam": gettext_lazy("Jam"),
    "hari": gettext_lazy("Hari"),
    "minggu": gettext_lazy("Minggu"),
}


def standard_seconds(amount: int, unit: str, calendar: WorkCalendar) -> int:
    """Working seconds of a standard time such as ``(2, "hari")``."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if unit == "menit":
        return amount * 60
    if unit == "jam":
        return amount * 3600
    if unit == "hari":
        return amount * calendar.day_seconds
    if unit == "minggu":
        return amount * 5 * calendar.day_seconds
    raise ValueError(f"unknown unit: {unit!r}")


def _format_duration(seconds: int, day_seconds: int) -> str:
    if day_seconds <= 0:
        raise ValueError("day_seconds must be positive")
    if seconds < 0:
        # Negative values show up when comparing actual against standard time.
        return "-" + _format_duration(-seconds, day_seconds)
    days, rest = divmod(int(seconds), day_seconds)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [
        text % {"n": n}
        for n, text in (
            (days, gettext("%(n)d hari")),
            (hours, gettext("%(n)d jam")),
            (minutes, gettext("%(n)d menit")),
        )
        if n
    ]
    if not parts:
        return gettext("%(n)d menit") % {"n": 0}
    return " ".join(parts[:2])


def format_working(seconds: int, day_seconds: int) -> str:
    """Working-time duration as text, e.g. ``"2 hari 3 jam"``, with days of ``day_seconds``."""
    return _format_duration(seconds, day_seconds)


def format_wall(seconds: int) -> str:
    """Wall-clock duration as text with 24-hour days, e.g. ``"3 hari 4 jam"``."""
    return _format_duration(seconds, _WALL_DAY_SECONDS)
