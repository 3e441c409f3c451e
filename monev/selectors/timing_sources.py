"""Where a Waktu SOP figure comes from: the step logs of one step in the period, each with its
report, and the office hours under which their working time was measured."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from ..models import LogAction, Office, StepLog, WorkSchedule
from .timing import STEP_ACTIONS


@dataclass
class StepSources:
    number: int
    name: str
    logs: list[StepLog]  # the samples (complete, return) and section hand-ins (submit)
    schedules: list[WorkSchedule]  # regular hours and the dated periods the logs ran in


def step_sources(office: Office, year: int, quarter: int | None, number: int) -> StepSources:
    """The logs behind step ``number``'s row of Waktu SOP for the same period filter (the
    report's year and triwulan)."""
    logs = StepLog.objects.filter(
        report__office=office,
        report__year=year,
        step_number=number,
        action__in=[*STEP_ACTIONS, LogAction.SUBMIT],
    )
    if quarter is not None:
        logs = logs.filter(report__quarter=quarter)
    logs = list(logs.select_related("report", "actor", "section").order_by("finished_at", "id"))
    schedules = []
    if logs:
        first = min(log.started_at for log in logs).date()
        last = max(log.finished_at for log in logs).date()
        schedules = list(
            WorkSchedule.objects.filter(Q(office=office) | Q(office__isnull=True))
            .filter(Q(first_day__isnull=True) | Q(first_day__lte=last, last_day__gte=first))
            .prefetch_related("days")
            .order_by("first_day", "office_id")
        )
    name = logs[-1].step_name if logs else ""
    return StepSources(number=number, name=name, logs=logs, schedules=schedules)
