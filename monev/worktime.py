"""Working-time arithmetic for the office calendar (Asia/Jakarta office hours with breaks).

Pure Python: no models, no database. Holidays come from the ``holidays`` package
(public holidays plus cuti bersama) and from the office's own extra holidays.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable
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


# One day's opening hours as (opens, closes) pairs in order; breaks are the gaps between them.
DayHours = tuple[tuple[time, time], ...]
# Opening hours of Monday (index 0) to Sunday; a closed weekday has no pairs.
Week = tuple[DayHours, ...]


def day_hours(start: time, end: time, breaks: Iterable[tuple[time, time]] = ()) -> DayHours:
    """The open intervals of a day from its start, end and breaks (each inside start-end)."""
    if end <= start:
        raise ValueError("end must be after start")
    hours = []
    cursor = start
    for pause_start, pause_end in sorted(breaks):
        if not start < pause_start < pause_end < end or pause_start < cursor:
            raise ValueError("breaks must lie inside the day and not overlap")
        hours.append((cursor, pause_start))
        cursor = pause_end
    hours.append((cursor, end))
    return tuple(hours)


def _seconds(hours: DayHours) -> int:
    return sum(
        (datetime.combine(date.min, close) - datetime.combine(date.min, open_)) // _ONE_SECOND
        for open_, close in hours
    )


@dataclass(frozen=True)
class SchedulePeriod:
    """Hours kept from ``first_day`` to ``last_day`` inclusive instead of the regular week
    (Ramadan, or any circular)."""

    first_day: date
    last_day: date
    week: Week


@dataclass(frozen=True)
class WorkCalendar:
    """Office hours per weekday with their breaks, dated periods with other hours, and the
    days on which the office is closed.

    Without ``week`` the office is open Monday to Friday from ``day_start`` to ``day_end``.
    """

    day_start: time = time(7, 30)
    day_end: time = time(16, 0)
    extra_holidays: frozenset[date] = frozenset()
    week: Week | None = None
    periods: tuple[SchedulePeriod, ...] = ()

    def __post_init__(self) -> None:
        if self.week is None:
            if self.day_end <= self.day_start:
                raise ValueError("day_end must be after day_start")
            weekday = ((self.day_start, self.day_end),)
            object.__setattr__(self, "week", (weekday,) * 5 + ((),) * 2)
        if len(self.week) != 7 or not any(self.week):
            raise ValueError("week must hold seven days, at least one of them open")
        # Accept any iterables but keep the dataclass hashable.
        object.__setattr__(self, "extra_holidays", frozenset(self.extra_holidays))
        object.__setattr__(self, "periods", tuple(self.periods))

    @functools.cached_property
    def week_seconds(self) -> int:
        """Working seconds of a regular week."""
        return sum(_seconds(hours) for hours in self.week)

    @functools.cached_property
    def day_seconds(self) -> int:
        """Length of an average regular working day in seconds: a standard of "1 hari"."""
        return self.week_seconds // sum(1 for hours in self.week if hours)

    def hours_on(self, day: date) -> DayHours:
        """The day's open intervals: none on holidays, a dated period's hours within it."""
        if isinstance(day, datetime):
            # A datetime never equals a date key, so holidays would be missed.
            day = _to_jakarta(day).date()
        if day in self.extra_holidays or day in national_holidays(day.year):
            return ()
        for period in self.periods:
            if period.first_day <= day <= period.last_day:
                return period.week[day.weekday()]
        return self.week[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        """True on days the office opens: not a holiday, and with hours on that weekday."""
        return bool(self.hours_on(day))

    def _bounds(self, day: date) -> list[tuple[datetime, datetime]]:
        # Jakarta has had a fixed UTC+7 offset since 1964, so wall-clock
        # differences within this zone equal elapsed time.
        return [
            (
                datetime.combine(day, open_, tzinfo=JAKARTA),
                datetime.combine(day, close, tzinfo=JAKARTA),
            )
            for open_, close in self.hours_on(day)
        ]

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
            for open_at, close_at in self._bounds(day):
                lo = max(start, open_at)
                hi = min(end, close_at)
                if hi > lo:
                    total += hi - lo
            day += _ONE_DAY
        # Sum first, truncate once, so sub-second parts of both ends are not lost per day.
        return total // _ONE_SECOND

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """Instant (Asia/Jakarta) at which ``seconds`` of working time after ``start`` elapsed.

        Outside office hours counting begins at the next opening. A result falling exactly at
        closing time (or at the start of a break) stays there instead of the next opening.
        """
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        cursor = _to_jakarta(start)
        remaining = timedelta(seconds=seconds)
        day = cursor.date()
        while True:
            for open_at, close_at in self._bounds(day):
                if cursor >= close_at:
                    continue
                cursor = max(cursor, open_at)
                available = close_at - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
                cursor = close_at
            day += _ONE_DAY

    @functools.cached_property
    def open_weekdays(self) -> int:
        """Weekdays on which the regular week opens: the working days of "1 minggu"."""
        return sum(1 for hours in self.week if hours)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same point of the working day ``days`` working days after ``start``.

        The point is the share of that day's hours already worked, so a step started at the
        middle of a Ramadan day is due at the middle of the next working day, whatever hours
        either day keeps. Outside office hours counting begins at the next opening.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        cursor = self.add_working_seconds(start, 0)
        if days == 0:
            return cursor
        day = cursor.date()
        midnight = datetime.combine(day, time.min, tzinfo=JAKARTA)
        share = self.working_seconds(midnight, cursor) / _seconds(self.hours_on(day))
        while days:
            day += _ONE_DAY
            days -= self.is_working_day(day)
        opening = datetime.combine(day, self.hours_on(day)[0][0], tzinfo=JAKARTA)
        return self.add_working_seconds(opening, round(share * _seconds(self.hours_on(day))))


# Unit code -> display label; a mapping is directly usable as Django field choices.
STANDARD_UNITS: dict[str, str] = {
    "menit": gettext_lazy("Menit"),
    "jam": gettext_lazy("Jam"),
    "hari": gettext_lazy("Hari"),
    "minggu": gettext_lazy("Minggu"),
}


def standard_seconds(
    amount: int, unit: str, calendar: WorkCalendar, start: datetime | None = None
) -> int:
    """Working seconds of a standard time such as ``(2, "hari")``.

    The SOP's "hari" is a working day, not a number of hours: a step of "1 hari" started at
    10:00 is due at 10:00 of the next working day's hours, even when a shortened period
    (Ramadan) makes that day shorter. So with the ``start`` of a step, days and weeks are the
    working seconds up to that point; without it (a standard shown on its own) they are
    regular days. Minutes and hours are the same either way.
    """
    if amount < 0:
        raise ValueError("amount must not be negative")
    if unit == "menit":
        return amount * 60
    if unit == "jam":
        return amount * 3600
    if unit not in ("hari", "minggu"):
        raise ValueError(f"unknown unit: {unit!r}")
    if start is not None:
        days = amount if unit == "hari" else amount * calendar.open_weekdays
        return calendar.working_seconds(start, calendar.add_working_days(start, days))
    if unit == "hari":
        return amount * calendar.day_seconds
    return amount * calendar.week_seconds


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
