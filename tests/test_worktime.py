from datetime import UTC, date, datetime, time, timedelta

import pytest

from monev.worktime import (
    JAKARTA,
    STANDARD_UNITS,
    WorkCalendar,
    format_wall,
    format_working,
    national_holidays,
    standard_seconds,
)

CAL = WorkCalendar()
HOUR = 3600
DAY = CAL.day_seconds  # 8.5 hours


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


# --- calendar -----------------------------------------------------------------


def test_day_seconds_default_and_custom():
    assert CAL.day_seconds == 8 * HOUR + 30 * 60
    assert WorkCalendar(day_start=time(8), day_end=time(12)).day_seconds == 4 * HOUR


def test_invalid_office_hours_rejected():
    with pytest.raises(ValueError):
        WorkCalendar(day_start=time(16), day_end=time(8))


def test_national_holidays_2025_include_cuti_bersama():
    found = national_holidays(2025)
    assert type(found) is dict
    assert date(2025, 8, 17) in found  # Independence Day, a Sunday
    assert date(2025, 8, 18) in found  # cuti bersama
    assert date(2025, 12, 25) in found  # Christmas, a Thursday
    assert date(2025, 12, 26) in found  # cuti bersama
    assert "Cuti Bersama" in found[date(2025, 8, 18)]
    assert national_holidays(2025) is found  # cached


def test_is_working_day():
    assert CAL.is_working_day(date(2025, 8, 15))  # Friday
    assert not CAL.is_working_day(date(2025, 8, 16))  # Saturday
    assert not CAL.is_working_day(date(2025, 8, 17))  # Sunday + national holiday
    assert not CAL.is_working_day(date(2025, 8, 18))  # Monday, cuti bersama
    assert CAL.is_working_day(date(2025, 8, 19))
    assert not CAL.is_working_day(date(2025, 12, 25))
    assert not CAL.is_working_day(date(2025, 12, 26))
    office = WorkCalendar(extra_holidays=frozenset({date(2025, 8, 19)}))
    assert not office.is_working_day(date(2025, 8, 19))


# --- working_seconds ----------------------------------------------------------


def test_same_day_span():
    assert CAL.working_seconds(wib(2025, 8, 12, 9), wib(2025, 8, 12, 11, 15)) == 2 * HOUR + 900


def test_span_before_opening_to_after_closing_is_one_day():
    assert CAL.working_seconds(wib(2025, 8, 12, 6), wib(2025, 8, 12, 20)) == DAY


def test_span_entirely_outside_hours():
    assert CAL.working_seconds(wib(2025, 8, 12, 17), wib(2025, 8, 13, 7)) == 0


def test_end_before_or_equal_start_is_zero():
    assert CAL.working_seconds(wib(2025, 8, 12, 11), wib(2025, 8, 12, 9)) == 0
    assert CAL.working_seconds(wib(2025, 8, 12, 11), wib(2025, 8, 12, 11)) == 0


def test_across_weekend():
    # Friday 15:00 -> Monday 09:00: 1 h on Friday, 1.5 h on Monday.
    friday = wib(2025, 8, 8, 15)
    monday = wib(2025, 8, 11, 9)
    assert CAL.working_seconds(friday, monday) == HOUR + 90 * 60


def test_across_independence_day_and_cuti_bersama():
    # 16-17 Aug is the weekend (17th also a holiday), 18th is cuti bersama.
    friday = wib(2025, 8, 15, 15)
    tuesday = wib(2025, 8, 19, 9)
    assert CAL.working_seconds(friday, tuesday) == HOUR + 90 * 60


def test_across_christmas_and_cuti_bersama():
    # Thu 25 and Fri 26 Dec are off, then the weekend.
    wednesday = wib(2025, 12, 24, 15)
    monday = wib(2025, 12, 29, 9)
    assert CAL.working_seconds(wednesday, monday) == HOUR + 90 * 60


def test_across_office_extra_holiday():
    office = WorkCalendar(extra_holidays=frozenset({date(2025, 8, 13)}))
    start = wib(2025, 8, 12, 15)
    end = wib(2025, 8, 14, 9)
    assert CAL.working_seconds(start, end) == HOUR + DAY + 90 * 60
    assert office.working_seconds(start, end) == HOUR + 90 * 60


def test_inputs_in_other_timezones_are_converted():
    # 02:00 UTC = 09:00 WIB, 04:00 UTC = 11:00 WIB.
    start = datetime(2025, 8, 12, 2, tzinfo=UTC)
    end = datetime(2025, 8, 12, 4, tzinfo=UTC)
    assert CAL.working_seconds(start, end) == 2 * HOUR


def test_naive_datetime_rejected():
    with pytest.raises(ValueError):
        CAL.working_seconds(datetime(2025, 8, 12, 9), wib(2025, 8, 12, 10))


def test_long_span_counts_working_days():
    # August 2025 has 21 weekdays; 18 Aug is cuti bersama (17 Aug is a Sunday).
    start = wib(2025, 8, 1)
    end = wib(2025, 9, 1)
    assert CAL.working_seconds(start, end) == 20 * DAY
    # A whole year stays cheap because the loop is per day.
    assert CAL.working_seconds(wib(2025, 1, 1), wib(2026, 1, 1)) > 200 * DAY


# --- add_working_seconds --------------------------------------------------------


def test_add_within_same_day():
    assert CAL.add_working_seconds(wib(2025, 8, 12, 9), 2 * HOUR) == wib(2025, 8, 12, 11)


def test_add_zero_inside_hours_returns_start():
    start = wib(2025, 8, 12, 9, 17)
    assert CAL.add_working_seconds(start, 0) == start


def test_add_zero_outside_hours_moves_to_next_opening():
    assert CAL.add_working_seconds(wib(2025, 8, 12, 6), 0) == wib(2025, 8, 12, 7, 30)
    assert CAL.add_working_seconds(wib(2025, 8, 12, 18), 0) == wib(2025, 8, 13, 7, 30)
    assert CAL.add_working_seconds(wib(2025, 8, 16, 10), 0) == wib(2025, 8, 19, 7, 30)


def test_add_starting_before_opening():
    assert CAL.add_working_seconds(wib(2025, 8, 12, 5), HOUR) == wib(2025, 8, 12, 8, 30)


def test_add_landing_on_closing_time_stays_that_day():
    assert CAL.add_working_seconds(wib(2025, 8, 12, 15), HOUR) == wib(2025, 8, 12, 16)
    assert CAL.add_working_seconds(wib(2025, 8, 12, 7, 30), DAY) == wib(2025, 8, 12, 16)


def test_add_crossing_weekend():
    # 1 h left on Friday, the remaining 1.5 h on Monday.
    assert CAL.add_working_seconds(wib(2025, 8, 8, 15), HOUR + 90 * 60) == wib(2025, 8, 11, 9)


def test_add_crossing_holidays():
    # After Fri 15 Aug the next working day is Tue 19 Aug.
    assert CAL.add_working_seconds(wib(2025, 8, 15, 15), HOUR + 90 * 60) == wib(2025, 8, 19, 9)
    # After Wed 24 Dec the next working day is Mon 29 Dec.
    assert CAL.add_working_seconds(wib(2025, 12, 24, 15), 2 * HOUR) == wib(2025, 12, 29, 8, 30)


def test_add_skips_office_extra_holiday():
    office = WorkCalendar(extra_holidays=frozenset({date(2025, 8, 13)}))
    assert office.add_working_seconds(wib(2025, 8, 12, 16), HOUR) == wib(2025, 8, 14, 8, 30)


def test_add_returns_jakarta_time():
    start = datetime(2025, 8, 12, 2, tzinfo=UTC)  # 09:00 WIB
    result = CAL.add_working_seconds(start, HOUR)
    assert result.tzinfo == JAKARTA
    assert result == wib(2025, 8, 12, 10)


def test_add_negative_rejected():
    with pytest.raises(ValueError):
        CAL.add_working_seconds(wib(2025, 8, 12, 9), -1)


@pytest.mark.parametrize(
    "start",
    [
        wib(2025, 8, 12, 9, 17),
        wib(2025, 8, 12, 6),
        wib(2025, 8, 12, 16),
        wib(2025, 8, 15, 15, 59),
        wib(2025, 8, 16, 12),
        wib(2025, 12, 24, 10),
        wib(2025, 12, 31, 15),
        datetime(2025, 8, 12, 1, 2, 3, 456789, tzinfo=UTC),
    ],
)
@pytest.mark.parametrize("seconds", [1, 59, HOUR, DAY - 1, DAY, DAY + 1, 3 * DAY, 25 * DAY + 7])
def test_round_trip_invariant(start, seconds):
    end = CAL.add_working_seconds(start, seconds)
    assert end > start
    assert CAL.working_seconds(start, end) == seconds


def test_round_trip_with_extra_holidays():
    office = WorkCalendar(
        day_start=time(8),
        day_end=time(15, 30),
        extra_holidays=frozenset(date(2025, 8, 1) + timedelta(days=n) for n in range(0, 20, 3)),
    )
    start = wib(2025, 7, 31, 14)
    for seconds in (1, HOUR, office.day_seconds, 7 * office.day_seconds + 123):
        assert office.working_seconds(start, office.add_working_seconds(start, seconds)) == seconds


# --- standard times -------------------------------------------------------------


def test_standard_units_keys():
    assert set(STANDARD_UNITS) == {"menit", "jam", "hari", "minggu"}


def test_standard_seconds_all_units():
    assert standard_seconds(15, "menit", CAL) == 15 * 60
    assert standard_seconds(3, "jam", CAL) == 3 * HOUR
    assert standard_seconds(2, "hari", CAL) == 2 * DAY
    assert standard_seconds(1, "minggu", CAL) == 5 * DAY
    short = WorkCalendar(day_start=time(8), day_end=time(12))
    assert standard_seconds(2, "hari", short) == 8 * HOUR


def test_standard_seconds_unknown_unit():
    with pytest.raises(ValueError):
        standard_seconds(1, "bulan", CAL)


def test_one_week_standard_spans_a_calendar_week():
    start = wib(2025, 8, 4, 7, 30)  # Monday opening
    end = CAL.add_working_seconds(start, standard_seconds(1, "minggu", CAL))
    assert end == wib(2025, 8, 8, 16)


# --- formatting -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0 menit"),
        (59, "0 menit"),
        (45 * 60, "45 menit"),
        (45 * 60 + 59, "45 menit"),
        (3 * HOUR, "3 jam"),
        (3 * HOUR + 5 * 60, "3 jam 5 menit"),
        (DAY, "1 hari"),
        (2 * DAY + 3 * HOUR, "2 hari 3 jam"),
        (2 * DAY + 3 * HOUR + 20 * 60, "2 hari 3 jam"),
        (DAY + 20 * 60, "1 hari 20 menit"),
        (DAY - 60, "8 jam 29 menit"),
        (-90 * 60, "-1 jam 30 menit"),
    ],
)
def test_format_working(seconds, expected):
    assert format_working(seconds, DAY) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0 menit"),
        (15 * 60, "15 menit"),
        (9 * HOUR, "9 jam"),
        (24 * HOUR, "1 hari"),
        (3 * 24 * HOUR + 4 * HOUR, "3 hari 4 jam"),
        (3 * 24 * HOUR + 4 * HOUR + 30 * 60, "3 hari 4 jam"),
    ],
)
def test_format_wall(seconds, expected):
    assert format_wall(seconds) == expected
