"""Office hours as offices keep them: per weekday hours with breaks, dated periods (Ramadan),
for one office or the whole installation; every due time and duration follows them, logged
durations never change."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from monev import clock, services
from monev.models import Notification, Office, Report, StepLog, WorkDay, WorkSchedule
from monev.selectors import office_calendar
from monev.selectors.reports import step_status
from monev.worktime import JAKARTA, WorkCalendar, day_hours, standard_seconds

from .conftest import make_report

HOUR = 3600


def wib(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JAKARTA)


def add_schedule(office, name="Jam kerja biasa", first_day=None, last_day=None, *, ramadan=False):
    schedule = WorkSchedule.objects.create(
        office=office, name=name, first_day=first_day, last_day=last_day
    )
    if ramadan:
        weekdays = [(day, "08:00", "15:00", "12:00-12:30") for day in range(4)]
        weekdays.append((4, "08:00", "15:30", "11:30-12:30"))
    else:
        weekdays = [(day, "07:30", "16:00", "12:00-13:00") for day in range(4)]
        weekdays.append((4, "07:30", "16:30", "11:30-13:00"))
    for weekday, start, end, breaks in weekdays:
        WorkDay.objects.create(
            schedule=schedule,
            weekday=weekday,
            start=datetime.time.fromisoformat(start),
            end=datetime.time.fromisoformat(end),
            breaks=breaks,
        )
    return schedule


@pytest.fixture
def hours(sutera):
    """The example schedule: 37.5 hours a week net of breaks, and Ramadan 1447 H for every
    office of the installation."""
    add_schedule(sutera)
    add_schedule(
        None, "Ramadan 1447 H", datetime.date(2026, 2, 18), datetime.date(2026, 3, 19), ramadan=True
    )
    return Office.objects.get(pk=sutera.pk)


def test_the_example_week_is_37_and_a_half_hours(hours):
    calendar = office_calendar(hours)
    assert calendar.week_seconds == 37.5 * HOUR
    assert calendar.day_seconds == 7.5 * HOUR
    assert standard_seconds(1, "minggu", calendar) == 37.5 * HOUR
    assert not calendar.is_working_day(datetime.date(2025, 8, 9))  # Saturday


def test_a_three_hour_step_started_monday_at_eleven_is_due_at_three(hours, users):
    report = make_report(hours, step=6, started=wib(2025, 8, 4, 11, 0))  # step 6: "3 jam"
    report = Report.objects.select_related("office").get(pk=report.pk)
    status = step_status(report, office_calendar(report.office))
    assert status.due_at == wib(2025, 8, 4, 15, 0)
    with clock.frozen_at(wib(2025, 8, 4, 14, 59)):
        assert not status.overdue
    with clock.frozen_at(wib(2025, 8, 4, 15, 1)):
        assert status.overdue


def test_reminders_wait_for_the_due_time_after_the_break(hours, users):
    # "3 jam" from Monday 11:00: with the 12:00-13:00 break it is due at 15:00, not 14:00.
    make_report(hours, step=6, started=wib(2025, 8, 4, 11, 0))
    with clock.frozen_at(wib(2025, 8, 4, 14, 30)):
        call_command("send_reminders", stdout=io.StringIO())
    assert not Notification.objects.filter(kind="overdue").exists()
    with clock.frozen_at(wib(2025, 8, 4, 15, 30)):
        call_command("send_reminders", stdout=io.StringIO())
    assert Notification.objects.filter(kind="overdue").exists()


def test_friday_prayer_break_is_not_counted(hours):
    calendar = office_calendar(hours)
    friday = (2025, 8, 8)
    assert calendar.working_seconds(wib(*friday, 11, 30), wib(*friday, 13, 0)) == 0
    assert calendar.working_seconds(wib(*friday, 11, 0), wib(*friday, 14, 0)) == 1.5 * HOUR
    assert calendar.add_working_seconds(wib(*friday, 11, 0), HOUR) == wib(*friday, 13, 30)
    # Closing at 16:30 on Friday, 16:00 on the other days.
    assert calendar.working_seconds(wib(*friday, 16, 0), wib(*friday, 17, 0)) == HOUR / 2
    assert calendar.working_seconds(wib(2025, 8, 7, 16), wib(2025, 8, 7, 17)) == 0


def test_a_step_across_ramadan_counts_the_shortened_hours(hours):
    calendar = office_calendar(hours)
    # Friday 13 February 2026 has regular hours; Monday and Tuesday are Imlek (cuti bersama and
    # the holiday); Ramadan hours begin on Wednesday 18 February.
    friday_afternoon = 2.5 * HOUR  # 14:00-16:30
    wednesday_in_ramadan = 6.5 * HOUR  # 08:00-15:00 less 12:00-12:30
    assert calendar.working_seconds(wib(2026, 2, 13, 14), wib(2026, 2, 18, 17)) == (
        friday_afternoon + wednesday_in_ramadan
    )
    # 7.5 working hours from that Friday afternoon: 2.5 h on Friday, then 08:00-12:00 and
    # 12:30-13:30 of Ramadan hours on Wednesday. ("1 hari" is a working day instead: see
    # test_one_hari_in_ramadan_is_one_ramadan_working_day.)
    due = calendar.add_working_seconds(wib(2026, 2, 13, 14), int(7.5 * HOUR))
    assert due == wib(2026, 2, 18, 13, 30)


def test_an_office_period_comes_before_the_installation_period(hours, other_office):
    add_schedule(hours, "Ramadan kantor", datetime.date(2026, 2, 18), datetime.date(2026, 2, 20))
    ours = office_calendar(Office.objects.get(pk=hours.pk))
    theirs = office_calendar(other_office)
    wednesday = datetime.date(2026, 2, 18)
    assert ours.hours_on(wednesday) == day_hours(
        datetime.time(7, 30), datetime.time(16), [(datetime.time(12), datetime.time(13))]
    )
    # The other office has no regular schedule of its own: default hours, but Ramadan applies.
    assert theirs.hours_on(wednesday)[0][0] == datetime.time(8)
    assert theirs.hours_on(datetime.date(2026, 2, 10)) == (
        (datetime.time(7, 30), datetime.time(16)),
    )


def test_a_logged_duration_is_unchanged_after_the_schedule_is_edited(hours, users):
    report = make_report(hours, step=6, started=wib(2025, 8, 4, 11, 0))
    before_revision = Report.objects.get(pk=report.pk).revision
    with clock.frozen_at(wib(2025, 8, 4, 14, 0)):
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=6)
    log = StepLog.objects.get(report=report, step_number=6)
    assert log.working_seconds == 2 * HOUR  # 11-12 and 13-14
    assert log.on_time is True

    monday = WorkDay.objects.get(schedule__office=hours, weekday=0)
    monday.breaks = ""
    monday.save()

    log.refresh_from_db()
    assert log.working_seconds == 2 * HOUR
    office = Office.objects.get(pk=hours.pk)
    # The new hours hold from now on (the cached calendar was renewed) ...
    assert office_calendar(office).working_seconds(wib(2025, 8, 11, 11), wib(2025, 8, 11, 14)) == (
        3 * HOUR
    )
    # ... and the report pages showing due times are rendered again.
    assert Report.objects.get(pk=report.pk).revision > before_revision + 1


def test_an_installation_schedule_renews_every_office(hours, other_office):
    revisions = dict(Office.objects.values_list("pk", "calendar_revision"))
    WorkSchedule.objects.get(office__isnull=True).delete()
    for pk, revision in Office.objects.values_list("pk", "calendar_revision"):
        assert revision > revisions[pk]
    wednesday = datetime.date(2026, 2, 18)
    assert office_calendar(Office.objects.get(pk=other_office.pk)).hours_on(wednesday) == (
        (datetime.time(7, 30), datetime.time(16)),
    )


def test_the_calendar_is_read_once_per_revision(hours, django_assert_num_queries):
    office = Office.objects.get(pk=hours.pk)
    office_calendar(office)
    with django_assert_num_queries(0):
        assert office_calendar(office).week_seconds == 37.5 * HOUR


@pytest.mark.parametrize(
    ("breaks", "valid"),
    [("12:00-13:00", True), ("11.30-13.00", True), ("10:00-10:15, 12:00-13:00", True),
     ("13:00-12:00", False), ("06:00-08:00", False), ("12-13", False),
     ("12:00-13:00, 12:30-13:30", False)],
)  # fmt: skip
def test_breaks_are_checked(hours, breaks, valid):
    day = WorkDay(
        schedule=WorkSchedule.objects.get(office=hours),
        weekday=5,
        start=datetime.time(7, 30),
        end=datetime.time(16),
        breaks=breaks,
    )
    if valid:
        day.full_clean()
    else:
        with pytest.raises(ValidationError):
            day.full_clean()


def test_a_schedule_needs_both_dates_or_none_and_one_regular_week(hours):
    with pytest.raises(ValidationError):
        WorkSchedule(office=hours, name="x", first_day=datetime.date(2026, 1, 1)).full_clean()
    with pytest.raises(ValidationError):
        WorkSchedule(office=hours, name="Biasa kedua").full_clean()


def test_without_a_schedule_the_office_keeps_the_default_hours(sutera):
    assert office_calendar(sutera) == WorkCalendar()


def test_the_admin_edits_hours_with_their_weekdays(hours, client):
    from .conftest import make_user

    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    schedule = WorkSchedule.objects.get(office=hours)
    response = client.get(reverse("admin:monev_workschedule_change", args=[schedule.pk]))
    assert response.status_code == 200
    assert b"12:00-13:00" in response.content
    assert client.get(reverse("admin:monev_workschedule_changelist")).status_code == 200


def test_the_admin_adds_a_ramadan_period_and_refuses_a_bad_break(hours, client):
    from .conftest import make_user

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:monev_workschedule_add")
    form = {
        "office": "",
        "name": "Ramadan 1448 H",
        "first_day": "2027-02-08",
        "last_day": "2027-03-09",
        "basis": "SE jam kerja Ramadan",
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "7",
        "days-0-weekday": "0",
        "days-0-start": "08:00",
        "days-0-end": "15:00",
        "days-0-breaks": "12:00-11:00",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "Tulis istirahat seperti" in response.content.decode()
    assert not WorkSchedule.objects.filter(name="Ramadan 1448 H").exists()
    form["days-0-breaks"] = "12:00-12:30"
    assert client.post(url, form).status_code == 302
    calendar = office_calendar(Office.objects.get(pk=hours.pk))
    monday = datetime.date(2027, 2, 8)
    assert calendar.hours_on(monday) == (
        (datetime.time(8), datetime.time(12)),
        (datetime.time(12, 30), datetime.time(15)),
    )
    assert calendar.hours_on(datetime.date(2027, 2, 9)) == ()  # Tuesday not listed: closed


def test_overlapping_periods_of_one_scope_are_refused_in_the_admin(hours, other_office, client):
    from .conftest import make_user

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:monev_workschedule_add")
    form = {
        "office": "",
        "name": "SE jam kerja Maret",
        "first_day": "2026-03-16",
        "last_day": "2026-03-31",
        "basis": "",
        "days-TOTAL_FORMS": "0",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "7",
    }
    # Overlaps the installation's Ramadan 1447 H (18 February - 19 March 2026).
    response = client.post(url, form)
    page = response.content.decode()
    assert response.status_code == 200 and "tumpang tindih dengan Ramadan 1447 H" in page
    assert not WorkSchedule.objects.filter(name="SE jam kerja Maret").exists()
    # Another scope may keep its own period over the same days; so may the next days.
    assert client.post(url, {**form, "office": str(other_office.pk)}).status_code == 302
    assert client.post(url, {**form, "first_day": "2026-03-20"}).status_code == 302
    # Editing a period does not clash with itself.
    ramadan = WorkSchedule.objects.get(name="Ramadan 1447 H")
    ramadan.last_day = datetime.date(2026, 3, 18)
    ramadan.full_clean()


def test_one_hari_in_ramadan_is_one_ramadan_working_day(hours, users):
    calendar = office_calendar(hours)
    # Wednesday 18 February 2026, Ramadan hours 08:00-15:00 less 12:00-12:30 (6.5 h).
    start = wib(2026, 2, 18, 10, 0)
    one_day = standard_seconds(1, "hari", calendar, start)
    assert one_day == 6.5 * HOUR  # not the regular 7.5 h
    assert calendar.add_working_seconds(start, one_day) == wib(2026, 2, 19, 10, 0)
    # Started at the opening: due at the same day's closing, not the next morning.
    opening = wib(2026, 2, 18, 8, 0)
    assert calendar.add_working_seconds(
        opening, standard_seconds(1, "hari", calendar, opening)
    ) == wib(2026, 2, 18, 15, 0)
    # From a regular Friday afternoon (5 of 7.5 h worked) into Ramadan: two thirds of the
    # Wednesday's 6.5 h, 08:00-12:00 and 12:30-12:50.
    friday = wib(2026, 2, 13, 14, 0)
    due = calendar.add_working_seconds(friday, standard_seconds(1, "hari", calendar, friday))
    assert due == wib(2026, 2, 18, 12, 50)
    # "1 minggu" is five working days, Imlek and the weekend skipped.
    week = standard_seconds(1, "minggu", calendar, friday)
    assert calendar.add_working_seconds(friday, week) == wib(2026, 2, 24, 12, 50)
    # Without a start, a standard shown on its own keeps regular days.
    assert standard_seconds(1, "hari", calendar) == 7.5 * HOUR


def test_a_ramadan_day_step_is_due_and_flagged_by_ramadan_days(hours, users):
    # Step 1 set to "1 hari", started Wednesday 10:00 in Ramadan.
    report = make_report(hours, step=1, started=wib(2026, 2, 18, 10, 0))
    report = Report.objects.select_related("office").get(pk=report.pk)
    step = report.sop.steps.get(number=1)
    step.standard_amount, step.standard_unit = 1, "hari"
    step.save()
    report = Report.objects.select_related("office").get(pk=report.pk)
    status = step_status(report, office_calendar(report.office))
    assert status.due_at == wib(2026, 2, 19, 10, 0)
    # Done Thursday 09:55: within one Ramadan day (6.5 h), though 7.5 h would also allow it;
    # done Thursday 10:30: late, although only 7 h of working time passed.
    with clock.frozen_at(wib(2026, 2, 19, 10, 30)):
        services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=1)
    log = StepLog.objects.get(report=report, step_number=1)
    assert log.working_seconds == 7 * HOUR
    assert log.standard_seconds == 6.5 * HOUR
    assert log.on_time is False
