"""Reads for the pages. Each selector runs a fixed number of queries, whatever the data size."""

import datetime
from dataclasses import dataclass, field

from django.core.cache import caches
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from .. import clock, workflow
from ..models import (
    DraftVersion,
    Office,
    OfficeHoliday,
    Report,
    Section,
    SectionSubmission,
    Sop,
    SopStep,
    Staff,
    StepLog,
    WorkSchedule,
)
from ..worktime import SchedulePeriod, WorkCalendar, standard_seconds

STEPS_TIMEOUT = 24 * 3600


def current_sop(office: Office) -> Sop | None:
    """The newest revision in force; new reports run under it."""
    return (
        Sop.objects.filter(office=office, is_active=True)
        .select_related("office")
        .prefetch_related("steps")
        .order_by("-revision", "-pk")
        .first()
    )


def office_calendar(office: Office) -> WorkCalendar:
    """The office's hours, dated periods and holidays. Any change to them raises the office's
    calendar revision (monev.page_revisions), so the copy kept under it is never stale."""
    key = f"calendar:{office.pk}:{office.calendar_revision}"
    calendar = caches["pages"].get(key)
    if calendar is None:
        calendar = _build_calendar(office)
        caches["pages"].set(key, calendar, STEPS_TIMEOUT)
    return calendar


def _build_calendar(office: Office) -> WorkCalendar:
    extra = OfficeHoliday.objects.filter(office=office).values_list("date", flat=True)
    # The office's own schedules before those of the whole installation.
    schedules = sorted(
        WorkSchedule.objects.filter(Q(office=office) | Q(office__isnull=True)).prefetch_related(
            "days"
        ),
        key=lambda schedule: schedule.office_id is None,
    )
    regular = next((s for s in schedules if s.first_day is None), None)
    periods = [SchedulePeriod(s.first_day, s.last_day, _week(s)) for s in schedules if s.first_day]
    week = _week(regular) if regular is not None else None
    return WorkCalendar(
        week=week if week and any(week) else None,
        periods=tuple(periods),
        extra_holidays=frozenset(extra),
    )


def _week(schedule: WorkSchedule) -> tuple:
    hours = {day.weekday: day.hours() for day in schedule.days.all()}
    return tuple(hours.get(weekday, ()) for weekday in range(7))


@dataclass
class StepStatus:
    """Where a report stands at its current step."""

    report: Report
    step: SopStep
    since: datetime.datetime
    due_at: datetime.datetime | None
    missing: list[Section] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and clock.now() > self.due_at

    @property
    def role_label(self) -> str:
        return workflow.role_label(self.step.role)


def step_status(report: Report, calendar: WorkCalendar) -> StepStatus:
    step = workflow.current_step(report)
    due_at = None
    if step.standard_amount:
        seconds = standard_seconds(
            step.standard_amount, step.standard_unit, calendar, report.step_started_at
        )
        due_at = calendar.add_working_seconds(report.step_started_at, seconds)
    return StepStatus(
        report=report,
        step=step,
        since=report.step_started_at,
        due_at=due_at,
        missing=workflow.missing_sections(report, step),
    )


def office_reports(office: Office, *, open_only: bool = False) -> list[Report]:
    """The office's reports (or only its open ones), newest first. Raw on purpose, like
    ``auth_backends``: the front pages read this on every request, and building the ORM query
    cost more than running it."""
    table = Report._meta.db_table
    only_open = " AND archived_at IS NULL" if open_only else ""
    return list(
        Report.objects.raw(
            f"SELECT * FROM {table} WHERE office_id = %s{only_open} "
            "ORDER BY year DESC, quarter DESC",
            [office.pk],
        )
    )


def open_reports(office: Office, reports: list[Report] | None = None) -> list[Report]:
    """The office's open reports (of ``reports`` when the caller has read them already), with
    their steps from the cache. Sections and submissions are read only for the reports at a
    per-section step, the only ones whose status and moves need them: one query for all of
    them in the usual case, three at most."""
    if reports is None:
        reports = office_reports(office, open_only=True)
    found = [report for report in reports if not report.is_archived]
    for report in found:
        report.office = office
        if "steps" not in vars(report):  # not set by the caller yet
            report.steps = _cached_steps(report)
    per_section = [report for report in found if workflow.current_step(report).per_section]
    if per_section:
        prefetch_related_objects([office], _office_sections())
        prefetch_related_objects(per_section, _submissions())
    return found


def inbox_for(staff: Staff, reports: list[Report] | None = None) -> list[StepStatus]:
    """Open reports waiting on this user's role (and, for a Kepala Seksi, their section);
    ``reports`` as for ``open_reports``."""
    calendar = office_calendar(staff.office)
    return [
        step_status(report, calendar)
        for report in open_reports(staff.office, reports)
        if workflow.allowed_actions(report, staff)
    ]


def report_list(
    office: Office, *, year: int | None = None, quarter: int | None = None
) -> list[tuple[Report, StepStatus | None]]:
    calendar = office_calendar(office)
    reports = _reports().filter(office=office)
    if year:
        reports = reports.filter(year=year)
    if quarter:
        reports = reports.filter(quarter=quarter)
    return [
        (report, None if report.is_archived else step_status(report, calendar))
        for report in reports
    ]


def report_years(office: Office) -> list[int]:
    return list(
        Report.objects.filter(office=office)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


# Column -> the value a table sorts by (monev.listing); None sorts last.
REPORT_SORTS = {
    "laporan": lambda row: (row[0].year, row[0].quarter),
    "langkah": lambda row: None if row[1] is None else row[0].current_step,
    "batas": lambda row: None if row[1] is None else row[1].due_at,
}


INBOX_SORTS = {
    "laporan": lambda item: (item.report.year, item.report.quarter),
    "langkah": lambda item: item.step.number,
    "sejak": lambda item: item.since,
    "batas": lambda item: item.due_at,
}


@dataclass
class TimelineStep:
    step: SopStep
    state: str  # "done", "current" or "pending"
    logs: list[StepLog]
    status: StepStatus | None = None
    submitted: list[SectionSubmission] = field(default_factory=list)


def report_for_page(report_id: int) -> Report:
    """The report with everything its page needs, or Report.DoesNotExist."""
    logs = StepLog.objects.select_related("actor", "section")
    versions = DraftVersion.objects.defer("html", "summary", "snapshot").order_by("number")
    return (
        _reports()
        .prefetch_related(Prefetch("logs", queryset=logs), Prefetch("versions", queryset=versions))
        .get(pk=report_id)
    )


def report_header(report_id: int) -> Report:
    """The report row, and while it is open its steps: enough to check access and offer the
    moves (an archived report offers none). The page's other parts come from the cache.

    Office, sections and submissions load on demand, which only a per-section step asks for.
    """
    report = Report.objects.get(pk=report_id)
    if not report.is_archived:
        report.steps = _cached_steps(report)
    return report


def _cached_steps(report: Report) -> list[SopStep]:
    # Editing a step raises the revision of its SOP's reports (monev.page_revisions): no stale copy.
    key = f"report-steps:{report.pk}:{report.revision}"
    steps = caches["pages"].get(key)
    if steps is None:
        steps = list(SopStep.objects.filter(sop_id=report.sop_id).order_by("number"))
        caches["pages"].set(key, steps, STEPS_TIMEOUT)
    return steps


def _reports() -> QuerySet[Report]:
    """Reports with what their status needs."""
    return Report.objects.select_related("office", "sop").prefetch_related(
        Prefetch("office__sections", queryset=_office_sections().queryset),
        _submissions(),
        Prefetch("sop__steps", queryset=SopStep.objects.order_by("number")),
    )


def _office_sections() -> Prefetch:
    return Prefetch("sections", queryset=Section.objects.order_by("order", "name"))


def _submissions() -> Prefetch:
    # In the order they were handed in: PostgreSQL returns unordered rows in storage order,
    # which an UPDATE changes, and the page must read the same for the same data.
    return Prefetch(
        "submissions",
        queryset=SectionSubmission.objects.select_related("section", "submitted_by").order_by(
            "submitted_at", "pk"
        ),
    )


def timeline(report: Report) -> list[TimelineStep]:
    """The SOP's steps in order, each with its log entries and whether it is done."""
    status = None if report.is_archived else step_status(report, office_calendar(report.office))
    items = []
    for step in report.steps:
        if report.is_archived or step.number < report.current_step:
            state = "done"
        elif step.number == report.current_step:
            state = "current"
        else:
            state = "pending"
        items.append(
            TimelineStep(
                step=step,
                state=state,
                logs=[log for log in report.logs.all() if log.step_number == step.number],
                status=status if state == "current" else None,
                submitted=[s for s in report.submissions.all() if s.step_number == step.number],
            )
        )
    return items
