"""Waktu SOP: how long each SOP step really took, which steps run late most often, and who is
holding which open report right now. All durations are working time of the office calendar.

Decisions (documented here because the page and the workbook both rely on them):

- A step's duration is the ``working_seconds`` of its "complete" log. A decision step that sends
  the draft back ("return") has finished its review too, so a return counts as one more sample
  of that step, with its own on-time judgement. Every pass counts: a step 10 redone after a
  return gives a second sample.
- For per-section steps (2 and 5) the "complete" log spans the whole step (until the last
  section handed in); each section's own hand-in ("submit") is reported separately.
- Reopen and resubmit logs take no time and are ignored.
- On time / late comes from the log itself, i.e. against the standard in force when the step
  ran; the standard shown next to it is that of the office's current SOP (the one to revise).
- The period filter (year, optional triwulan) is on the report's year and quarter. The holding
  table is the present workload, so it covers every open report of the office, of any period.

The selector runs a fixed number of queries whatever the number of reports or logs.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from .. import clock
from ..models import (
    LogAction,
    Office,
    Report,
    Role,
    Section,
    SectionSubmission,
    SopStep,
    Staff,
    StepLog,
)
from ..worktime import standard_seconds
from .reports import current_sop, office_calendar

# The log actions that close a step's own work (see the module docstring).
STEP_ACTIONS = (LogAction.COMPLETE, LogAction.RETURN)


@dataclass(frozen=True)
class DurationStats:
    """Median, slowest and on-time share of a set of working-time durations."""

    count: int = 0
    median_seconds: int | None = None
    slowest_seconds: int | None = None
    rated: int = 0  # samples that had a standard time to be judged against
    on_time: int = 0

    @classmethod
    def of(cls, samples: list[tuple[int, bool | None]]) -> DurationStats:
        """Stats of (working seconds, on time) pairs; the median is rounded to whole seconds."""
        if not samples:
            return cls()
        seconds = [s for s, _ in samples]
        judged = [ok for _, ok in samples if ok is not None]
        return cls(
            count=len(samples),
            median_seconds=round(statistics.median(seconds)),
            slowest_seconds=max(seconds),
            rated=len(judged),
            on_time=sum(judged),
        )

    @property
    def late(self) -> int:
        return self.rated - self.on_time

    @property
    def on_time_share(self) -> float | None:
        """Share (0..1) of judged samples that were on time; None when none could be judged."""
        return self.on_time / self.rated if self.rated else None

    @property
    def late_share(self) -> float | None:
        return self.late / self.rated if self.rated else None


@dataclass
class StepTiming:
    """One SOP step over the period."""

    number: int
    name: str
    role: str
    per_section: bool
    standard_seconds: int | None
    standard_label: str
    durations: DurationStats
    returns: int = 0  # how many of the samples were returns (decision steps)
    sections: DurationStats | None = None  # per-section hand-ins, for per-section steps
    identity: str = ""  # the step across SOP revisions, with its performer
    current: bool = True  # False: the current SOP no longer has this step with this role

    @property
    def role_label(self) -> str:
        return _role_label(self.role)


@dataclass
class LateStep:
    """A step in the most-often-late ranking."""

    rank: int
    step: StepTiming
    late_sections: list[tuple[str, int]] = field(default_factory=list)  # (section, late count)

    @property
    def late(self) -> int:
        return self.step.durations.late

    @property
    def rated(self) -> int:
        return self.step.durations.rated

    @property
    def late_share(self) -> float | None:
        return self.step.durations.late_share

    @property
    def late_submissions(self) -> int:
        return self.step.sections.late if self.step.sections else 0


@dataclass
class Holding:
    """An open report waiting at its current step."""

    report: Report
    step_number: int
    step_name: str
    role: str
    since: datetime.datetime
    held_seconds: int
    standard_seconds: int | None
    standard_label: str
    missing: list[str] = field(default_factory=list)  # sections not yet handed in
    holders: list[str] = field(default_factory=list)  # who is expected to act

    @property
    def role_label(self) -> str:
        return _role_label(self.role)

    @property
    def over_standard(self) -> bool:
        return self.standard_seconds is not None and self.held_seconds > self.standard_seconds


@dataclass
class RoleLoad:
    """Per role: how many open reports it holds and the longest hold."""

    role: str
    holdings: list[Holding]

    @property
    def role_label(self) -> str:
        return _role_label(self.role)

    @property
    def count(self) -> int:
        return len(self.holdings)

    @property
    def longest_seconds(self) -> int:
        return max(h.held_seconds for h in self.holdings)

    @property
    def longest(self) -> Holding:
        return max(self.holdings, key=lambda h: h.held_seconds)

    @property
    def over_standard(self) -> int:
        return sum(h.over_standard for h in self.holdings)


@dataclass
class TimingSummary:
    office: Office
    year: int
    quarter: int | None
    measured_at: datetime.datetime
    day_seconds: int  # one working day of the office, to print durations as "1 hari 2 jam"
    reports_measured: int  # reports of the period that have at least one measured step
    steps: list[StepTiming]
    late_steps: list[LateStep]
    loads: list[RoleLoad]

    @property
    def holdings(self) -> list[Holding]:
        return [h for load in self.loads for h in load.holdings]


def _role_label(role: str) -> str:
    # A plain string: the label also goes into spreadsheet cells, which refuse lazy text.
    return str(Role(role).label) if role in Role.values else role


def timing_summary(office: Office, year: int, quarter: int | None = None) -> TimingSummary:
    """Waktu SOP of ``office`` for the reports of ``year`` (and ``quarter`` if given)."""
    calendar = office_calendar(office)
    now = clock.now()
    sop = current_sop(office)
    sop_steps = list(sop.steps.all()) if sop else []

    logs = StepLog.objects.filter(
        report__office=office,
        report__year=year,
        action__in=[*STEP_ACTIONS, LogAction.SUBMIT],
    )
    if quarter is not None:
        logs = logs.filter(report__quarter=quarter)
    rows = list(
        logs.values_list(
            "report_id",
            "step_number",
            "step_name",
            "role",
            "action",
            "working_seconds",
            "on_time",
            "section__name",
            "step_key",
            "standard_seconds",
            "standard_label",
        ).order_by("finished_at", "id")
    )
    steps = _step_timings(rows, sop_steps, calendar)
    return TimingSummary(
        office=office,
        year=year,
        quarter=quarter,
        measured_at=now,
        day_seconds=calendar.day_seconds,
        reports_measured=len({row[0] for row in rows}),
        steps=steps,
        late_steps=_late_ranking(steps, rows),
        loads=_role_loads(office, calendar, now),
    )


def _identity(key, number: int, role: str) -> str:
    """A step as history knows it: its identity across SOP revisions and who performed it, so
    a renumbered step keeps its figures and a moved step's two performers stay apart. Logs
    from before steps had an identity fall back to their number."""
    return f"{key or f'#{number}'}:{role}"


def _step_timings(rows, sop_steps: list[SopStep], calendar) -> list[StepTiming]:
    step_samples = defaultdict(list)
    section_samples = defaultdict(list)
    returns = Counter()
    # Number, name and standard of each step as its newest log copied them.
    logged = {}
    for _report, number, name, role, action, seconds, on_time, _section, key, *standard in rows:
        identity = _identity(key, number, role)
        logged[identity] = (number, name, *standard)
        if action == LogAction.SUBMIT:
            section_samples[identity].append((seconds, on_time))
        else:
            step_samples[identity].append((seconds, on_time))
            returns[identity] += action == LogAction.RETURN

    current = {_identity(step.key, step.number, step.role): step for step in sop_steps}
    timings = []
    for identity in set(current) | set(logged):
        step = current.get(identity)
        if identity in logged:
            number, name, standard, label = logged[identity]
            number = step.number if step else number
        else:
            number, name, label = step.number, step.name, step.standard_label
            standard = (
                standard_seconds(step.standard_amount, step.standard_unit, calendar)
                if step.standard_amount
                else None
            )
        per_section = step.per_section if step else bool(section_samples[identity])
        timings.append(
            StepTiming(
                number=number,
                name=name,
                role=identity.rsplit(":", 1)[1],
                per_section=per_section,
                standard_seconds=standard,
                standard_label=label,
                durations=DurationStats.of(step_samples[identity]),
                returns=returns[identity],
                sections=DurationStats.of(section_samples[identity]) if per_section else None,
                identity=identity,
                current=step is not None,
            )
        )
    # The current SOP's order; a step it no longer has comes after today's step of its number.
    timings.sort(key=lambda t: (t.number, not t.current, t.name))
    return timings


def _late_ranking(steps: list[StepTiming], rows) -> list[LateStep]:
    """Steps that were late at least once, most often late first.

    Ties go to the higher late share, then to more late section hand-ins, then to step order.
    """
    late_by_section = defaultdict(Counter)
    for _report, number, _name, role, action, _seconds, on_time, section, key, *_ in rows:
        if action == LogAction.SUBMIT and on_time is False:
            late_by_section[_identity(key, number, role)][section] += 1
    late = [
        LateStep(rank=0, step=step, late_sections=late_by_section[step.identity].most_common())
        for step in steps
    ]
    late = [item for item in late if item.late or item.late_submissions]
    late.sort(key=lambda i: (-i.late, -(i.late_share or 0), -i.late_submissions, i.step.number))
    for rank, item in enumerate(late, start=1):
        item.rank = rank
    return late


def _role_loads(office: Office, calendar, now: datetime.datetime) -> list[RoleLoad]:
    reports = (
        Report.objects.filter(office=office, archived_at__isnull=True)
        .select_related("sop")
        .prefetch_related(
            Prefetch("sop__steps", queryset=SopStep.objects.order_by("number")),
            Prefetch(
                "submissions",
                queryset=SectionSubmission.objects.only("report", "step_number", "section"),
            ),
        )
        .order_by("year", "quarter")
    )
    sections = list(Section.objects.filter(office=office, is_active=True).order_by("order", "name"))
    staff = list(Staff.objects.filter(office=office).select_related("user"))

    holdings = defaultdict(list)
    for report in reports:
        step = next((s for s in report.steps if s.number == report.current_step), None)
        if step is None:
            continue  # a report pointing at a step its SOP lacks: nothing to measure against
        missing = []
        if step.per_section:
            done = {s.section_id for s in report.submissions.all() if s.step_number == step.number}
            missing = [section for section in sections if section.pk not in done]
            missing_ids = {section.pk for section in missing}
            holders = [str(p) for p in staff if p.section_id in missing_ids]
        else:
            holders = [str(p) for p in staff if p.role == step.role]
        holdings[step.role].append(
            Holding(
                report=report,
                step_number=step.number,
                step_name=step.name,
                role=step.role,
                since=report.step_started_at,
                held_seconds=calendar.working_seconds(report.step_started_at, now),
                standard_seconds=(
                    standard_seconds(
                        step.standard_amount, step.standard_unit, calendar, report.step_started_at
                    )
                    if step.standard_amount
                    else None
                ),
                standard_label=step.standard_label,
                missing=[s.name for s in missing],
                holders=sorted(holders),
            )
        )
    loads = []
    for role in Role.values:  # the roles' own order, so the table reads like the SOP's columns
        if holdings[role]:
            items = sorted(holdings[role], key=lambda h: -h.held_seconds)
            loads.append(RoleLoad(role=role, holdings=items))
    return loads
