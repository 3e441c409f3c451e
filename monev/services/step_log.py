"""The one writer of the step log: every service (and the seeding) builds its entries here."""

import datetime

from ..models import LogAction, Report, SopStep, StepLog
from ..selectors import office_calendar
from ..worktime import WorkCalendar, standard_seconds

# Actions that close a span of work and are measured against the step's standard; the others
# (opening, resubmitting, reopening) are instants.
MEASURED_ACTIONS = frozenset({LogAction.COMPLETE, LogAction.SUBMIT, LogAction.RETURN})


def step_log(
    step: SopStep,
    *,
    action: str,
    actor,
    started_at: datetime.datetime,
    finished_at: datetime.datetime,
    calendar: WorkCalendar | None = None,
    section=None,
    note: str = "",
    role: str | None = None,
    report: Report | None = None,
) -> StepLog:
    """An unsaved log entry. Identity, name, role and standard are copied from the step, and
    the actor's name as it is now, so that later SOP revisions and renamed accounts leave the
    history alone; ``role`` overrides the performer for
    acts by someone other than the step's role (a reopening)."""
    measured = action in MEASURED_ACTIONS and calendar is not None
    working = calendar.working_seconds(started_at, finished_at) if measured else 0
    standard = (
        standard_seconds(step.standard_amount, step.standard_unit, calendar, started_at)
        if measured and step.standard_amount
        else None
    )
    return StepLog(
        report=report,
        step_number=step.number,
        step_key=step.key,
        step_name=step.name,
        role=role or step.role,
        section=section,
        action=action,
        actor=actor,
        actor_name=actor.get_full_name() or actor.get_username(),
        started_at=started_at,
        finished_at=finished_at,
        wall_seconds=max(0, int((finished_at - started_at).total_seconds())) if measured else 0,
        working_seconds=working,
        standard_seconds=standard,
        standard_label=step.standard_label if measured else "",
        on_time=None if standard is None else working <= standard,
        note=note,
    )


def log_step(
    report: Report,
    step: SopStep,
    *,
    action: str,
    actor,
    now: datetime.datetime,
    calendar: WorkCalendar | None = None,
    section=None,
    note: str = "",
    role: str | None = None,
) -> StepLog:
    """Write the entry for an act on ``report`` at ``now``: a measured act spans from the
    moment the report entered the step."""
    measured = action in MEASURED_ACTIONS
    started = report.step_started_at if measured else now
    if measured and calendar is None:
        calendar = office_calendar(report.office)
    entry = step_log(
        step,
        action=action,
        actor=actor,
        started_at=started,
        finished_at=now,
        calendar=calendar,
        section=section,
        note=note,
        role=role,
        report=report,
    )
    entry.save()
    return entry
