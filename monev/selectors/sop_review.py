"""Evidence for the SOP's monitoring and evaluation (PermenPAN-RB 35/2012), from the step logs.

A step's samples are its "complete" and "return" logs (as on Waktu SOP, ``STEP_ACTIONS``)
finished within the period, in the working time measured when they ran. Repeats of a step are
the drafts sent back to it by a decision step and the section data reopened at it. The rule
that proposes a penilaian and the one that proposes a new standard time are constants here,
and the pages print them as they are.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..models import (
    Half,
    LogAction,
    Office,
    Report,
    Sop,
    SopEvaluation,
    SopMonitoring,
    SopMonitoringRow,
    SopStep,
    StepLog,
)
from ..worktime import JAKARTA, WorkCalendar, standard_seconds
from .reports import current_sop, office_calendar
from .timing import STEP_ACTIONS, DurationStats

# Penilaian rule: "Berjalan dengan baik" when every test that applies passes.
ON_TIME_MIN = 0.8  # share of completions within the standard time
SLOWEST_MAX = 2.0  # the slowest completion, in standard times
REPEATS_MAX = 1  # drafts sent back to the step plus section data reopened at it

# Standard-time proposal: with enough samples, when most of them are far from the standard.
PROPOSAL_MIN_SAMPLES = 3  # of a year's four quarterly cycles
FAR_UNDER = 0.5  # a sample under half the standard is far under it
FAR_OVER = 1.5
MOST = 0.5  # "most" = more than half of the samples
PROPOSAL_PERCENTILE = 80

UNIT_ORDER = ["menit", "jam", "hari", "minggu"]


def penilaian_rule() -> dict:
    """The penilaian rule's numbers as the pages and prints state them."""
    return {
        "on_time": round(ON_TIME_MIN * 100),
        "slowest": f"{SLOWEST_MAX:g}",
        "repeats": REPEATS_MAX,
    }


def half_bounds(year: int, half: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a half-year in Asia/Jakarta."""
    start = datetime.datetime(year, 1 if half == Half.FIRST else 7, 1, tzinfo=JAKARTA)
    end = (
        datetime.datetime(year, 7, 1, tzinfo=JAKARTA)
        if half == Half.FIRST
        else datetime.datetime(year + 1, 1, 1, tzinfo=JAKARTA)
    )
    return start, end


def last_half(today: datetime.date) -> tuple[int, int]:
    """The latest half-year that has ended by ``today``."""
    return (today.year, Half.FIRST) if today.month > 6 else (today.year - 1, Half.SECOND)


@dataclass
class StepEvidence:
    """One step of the monitored revision with what the logs of the period say about it."""

    number: int
    name: str
    standard_label: str
    standard_seconds: int | None
    durations: DurationStats
    returns: int
    reopenings: int
    seconds: list[int]  # every sample, for the standard-time proposal

    @property
    def repeats(self) -> int:
        return self.returns + self.reopenings

    def findings(self) -> list[tuple[bool, str]]:
        """Each test of the rule that applies: (passed, what was found)."""
        d = self.durations
        found = []
        if self.standard_seconds and d.rated:
            share = d.on_time_share
            found.append(
                (
                    share >= ON_TIME_MIN,
                    _("%(pct)d%% selesai dalam waktu baku (syarat ≥ %(min)d%%)")
                    % {"pct": round(share * 100), "min": round(ON_TIME_MIN * 100)},
                )
            )
        if self.standard_seconds and d.count:
            found.append(
                (
                    d.median_seconds <= self.standard_seconds,
                    _("median %(ok)s waktu baku")
                    % {
                        "ok": _("tidak melebihi")
                        if d.median_seconds <= self.standard_seconds
                        else _("melebihi")
                    },
                )
            )
            ratio = d.slowest_seconds / self.standard_seconds
            found.append(
                (
                    ratio <= SLOWEST_MAX,
                    _("terlama %(ratio)s× waktu baku (syarat ≤ %(max)s×)")
                    % {"ratio": f"{ratio:.1f}".replace(".", ","), "max": f"{SLOWEST_MAX:g}"},
                )
            )
        if d.count:
            found.append(
                (
                    self.repeats <= REPEATS_MAX,
                    _("%(n)d kali dikembalikan/dibuka kembali (syarat ≤ %(max)d)")
                    % {"n": self.repeats, "max": REPEATS_MAX},
                )
            )
        return found

    @property
    def proposed_ok(self) -> bool | None:
        """The proposed penilaian; None when the step did not run in the period."""
        if not self.durations.count:
            return None
        return all(passed for passed, _text in self.findings())

    def proposed_note(self) -> str:
        if not self.durations.count:
            return _("Langkah ini tidak dilaksanakan pada periode ini.")
        found = self.findings()
        # The tests that failed say why; a step that passed them all gets its first figure.
        failed = [text for passed, text in found if not passed]
        return "; ".join(failed or [text for _passed, text in found[:1]]) + "."

    def proposed_action(self) -> str:
        failed = [passed for passed, _text in self.findings() if not passed]
        if not failed:
            return ""
        if self.repeats > REPEATS_MAX:
            return _("Perjelas mutu keluaran langkah ini dan tinjau waktu bakunya.")
        return _("Tinjau beban kerja pelaksana atau waktu baku langkah ini.")


def monitored_sop(office: Office, start: datetime.datetime, end: datetime.datetime) -> Sop | None:
    """The revision the period's reports ran under (the newest of them), else the one in force."""
    sop_id = (
        Report.objects.filter(
            office=office, logs__finished_at__gte=start, logs__finished_at__lt=end
        )
        .order_by("-sop__revision")
        .values_list("sop_id", flat=True)
        .first()
    )
    if sop_id is None:
        return current_sop(office)
    return Sop.objects.select_related("office").prefetch_related("steps").get(pk=sop_id)


def step_evidence(
    office: Office, sop: Sop, start: datetime.datetime, end: datetime.datetime
) -> list[StepEvidence]:
    """Per step of ``sop``: its samples, returns and reopenings in logs finished in [start, end)."""
    calendar = office_calendar(office)
    steps = sorted(sop.steps.all(), key=lambda step: step.number)
    # History is matched to steps by their identity across revisions, never by today's number.
    key_of = {step.number: step.key for step in steps}
    return_target = {step.key: key_of.get(step.return_to) for step in steps if step.return_to}
    rows = StepLog.objects.filter(
        report__office=office,
        finished_at__gte=start,
        finished_at__lt=end,
        action__in=[*STEP_ACTIONS, LogAction.REOPEN],
    ).values_list("step_key", "action", "working_seconds", "on_time")
    samples = defaultdict(list)
    returns, reopenings = Counter(), Counter()
    for key, action, seconds, on_time in rows:
        if action == LogAction.REOPEN:
            reopenings[key] += 1
            continue
        samples[key].append((seconds, on_time))
        if action == LogAction.RETURN and key in return_target:
            returns[return_target[key]] += 1
    return [
        StepEvidence(
            number=step.number,
            name=step.name,
            standard_label=step.standard_label,
            standard_seconds=_standard(step, calendar),
            durations=DurationStats.of(samples[step.key]),
            returns=returns[step.key],
            reopenings=reopenings[step.key],
            seconds=[seconds for seconds, _ok in samples[step.key]],
        )
        for step in steps
    ]


def _standard(step: SopStep, calendar: WorkCalendar) -> int | None:
    if not step.standard_amount:
        return None
    return standard_seconds(step.standard_amount, step.standard_unit, calendar)


@dataclass(frozen=True)
class StandardProposal:
    """A new standard time for a step whose measured times are far from its standard."""

    number: int
    name: str
    current_label: str
    direction: str  # "under" or "over"
    share: float  # of the samples far from the standard in that direction
    percentile_seconds: int
    amount: int
    unit: str

    @property
    def label(self) -> str:
        return f"{self.amount} {self.unit}"


def standard_proposals(
    evidence: list[StepEvidence], sop: Sop, calendar: WorkCalendar
) -> list[StandardProposal]:
    """Steps whose standard time is unrealistic either way, with the time the logs suggest:
    the 80th percentile of the samples, rounded up to the step's unit (a smaller unit when
    that would be zero)."""
    by_number = {step.number: step for step in sop.steps.all()}
    proposals = []
    for item in evidence:
        step = by_number.get(item.number)
        standard = item.standard_seconds
        if step is None or not standard or len(item.seconds) < PROPOSAL_MIN_SAMPLES:
            continue
        count = len(item.seconds)
        under = sum(s < standard * FAR_UNDER for s in item.seconds) / count
        over = sum(s > standard * FAR_OVER for s in item.seconds) / count
        if under <= MOST and over <= MOST:
            continue
        percentile = _percentile(item.seconds, PROPOSAL_PERCENTILE)
        amount, unit = _rounded(percentile, step.standard_unit, calendar)
        if (amount, unit) == (step.standard_amount, step.standard_unit):
            continue
        proposals.append(
            StandardProposal(
                number=item.number,
                name=item.name,
                current_label=item.standard_label,
                direction="under" if under > MOST else "over",
                share=under if under > MOST else over,
                percentile_seconds=percentile,
                amount=amount,
                unit=unit,
            )
        )
    return proposals


def _percentile(values: list[int], percent: int) -> int:
    # Inclusive method: the percentile lies within the measured range, never beyond it.
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1])


def _rounded(seconds: int, unit: str, calendar: WorkCalendar) -> tuple[int, str]:
    """``seconds`` rounded up to whole ``unit``s, stepping down a unit while it is under one."""
    index = UNIT_ORDER.index(unit)
    while index > 0 and seconds < standard_seconds(1, UNIT_ORDER[index], calendar):
        index -= 1
    size = standard_seconds(1, UNIT_ORDER[index], calendar)
    return max(1, math.ceil(seconds / size)), UNIT_ORDER[index]


# The evaluation questions of PermenPAN-RB 35/2012, in its order.
QUESTIONS = [
    ("understood", _lazy("Apakah SOP mudah dipahami?")),
    ("carried_out", _lazy("Apakah SOP mudah dilaksanakan?")),
    ("roles", _lazy("Apakah semua orang dapat menjalankan perannya masing-masing?")),
    ("problems", _lazy("Apakah SOP mampu mengatasi permasalahan yang berkaitan dengan proses?")),
    (
        "improvement",
        _lazy("Apakah SOP mampu menjawab kebutuhan peningkatan kinerja organisasi?"),
    ),
    ("fits", _lazy("Apakah SOP saling terkait dengan SOP lain?")),
]


def sop_with_steps(pk: int) -> Sop:
    return Sop.objects.select_related("office").prefetch_related("steps").get(pk=pk)


def evaluated_sop(office: Office, year: int) -> Sop | None:
    start = datetime.datetime(year, 1, 1, tzinfo=JAKARTA)
    return monitored_sop(office, start, start.replace(year=year + 1))


def year_evidence(office: Office, sop: Sop, year: int) -> list[StepEvidence]:
    start = datetime.datetime(year, 1, 1, tzinfo=JAKARTA)
    return step_evidence(office, sop, start, start.replace(year=year + 1))


def evidence_record(evidence: list[StepEvidence]) -> list[dict]:
    """The evidence as JSON, kept by a signed evaluation (``evaluation_evidence`` reads it)."""
    return [
        {
            "number": item.number,
            "name": item.name,
            "standard_label": item.standard_label,
            "standard_seconds": item.standard_seconds,
            "durations": dataclasses.asdict(item.durations),
            "returns": item.returns,
            "reopenings": item.reopenings,
            "seconds": item.seconds,
        }
        for item in evidence
    ]


def evaluation_evidence(evaluation: SopEvaluation | None, sop: Sop, year: int) -> list:
    """The year's evidence: as kept at the sign-off when signed, else today's logs."""
    if evaluation is not None and evaluation.is_signed:
        return [
            StepEvidence(**{**item, "durations": DurationStats(**item["durations"])})
            for item in evaluation.evidence
        ]
    return year_evidence(sop.office, sop, year)


@dataclass
class EvaluationPage:
    """The yearly evaluation with everything it rests on, for the page and its prints."""

    office: Office
    year: int
    sop: Sop | None
    evaluation: SopEvaluation | None
    evidence: list[StepEvidence]
    proposals: list[StandardProposal]
    monitorings: dict[int, MonitoringPage]

    @property
    def signed(self) -> bool:
        return self.evaluation is not None and self.evaluation.is_signed

    def questions(self, answers: dict | None = None) -> list[dict]:
        """Each question with its answer: ``answers`` when given (typed, not yet saved)."""
        if answers is None:
            answers = self.evaluation.answers if self.evaluation else {}
        return [
            {"key": key, "text": text, **answers.get(key, {"ok": None, "note": ""})}
            for key, text in QUESTIONS
        ]


def evaluation_page(office: Office, year: int) -> EvaluationPage:
    evaluation = (
        SopEvaluation.objects.select_related("sop", "proposed_sop", "signed_by")
        .filter(office=office, year=year)
        .first()
    )
    sop = sop_with_steps(evaluation.sop_id) if evaluation else evaluated_sop(office, year)
    evidence = evaluation_evidence(evaluation, sop, year) if sop else []
    proposals = standard_proposals(evidence, sop, office_calendar(office)) if sop else []
    monitorings = {half: monitoring_page(office, year, half) for half in Half.values}
    return EvaluationPage(office, year, sop, evaluation, evidence, proposals, monitorings)


@dataclass
class MonitoringLine:
    """A row of the monitoring table: the evidence and the penilai's word on it."""

    evidence: StepEvidence
    is_ok: bool | None
    note: str
    action: str

    @property
    def overridden(self) -> bool:
        return self.is_ok is not None and self.is_ok != self.evidence.proposed_ok


@dataclass
class MonitoringPage:
    office: Office
    year: int
    half: int
    sop: Sop | None
    monitoring: SopMonitoring | None
    lines: list[MonitoringLine]

    @property
    def half_label(self) -> str:
        return str(Half(self.half).label)

    @property
    def not_ok(self) -> list[int]:
        """Numbers of the steps judged (or proposed) not to run well."""
        return [line.evidence.number for line in self.lines if line.is_ok is False]

    @property
    def measured(self) -> bool:
        return any(line.evidence.durations.count for line in self.lines)


def monitoring_page(office: Office, year: int, half: int) -> MonitoringPage:
    """The stored monitoring when signed (frozen); otherwise today's evidence with the
    penilai's saved decisions, or the proposals where there are none yet."""
    monitoring = (
        SopMonitoring.objects.select_related("sop", "signed_by")
        .prefetch_related("rows")
        .filter(office=office, year=year, half=half)
        .first()
    )
    if monitoring is not None and monitoring.is_signed:
        lines = [_stored_line(row) for row in monitoring.rows.all()]
        return MonitoringPage(office, year, half, monitoring.sop, monitoring, lines)
    start, end = half_bounds(year, half)
    sop = sop_with_steps(monitoring.sop_id) if monitoring else monitored_sop(office, start, end)
    if sop is None:
        return MonitoringPage(office, year, half, None, monitoring, [])
    saved = {row.step_number: row for row in monitoring.rows.all()} if monitoring else {}
    lines = []
    for item in step_evidence(office, sop, start, end):
        row = saved.get(item.number)
        if row is None:
            lines.append(
                MonitoringLine(item, item.proposed_ok, item.proposed_note(), item.proposed_action())
            )
        else:
            lines.append(MonitoringLine(item, row.is_ok, row.note, row.action))
    return MonitoringPage(office, year, half, sop, monitoring, lines)


def _stored_line(row: SopMonitoringRow) -> MonitoringLine:
    evidence = StepEvidence(
        number=row.step_number,
        name=row.step_name,
        standard_label=row.standard_label,
        standard_seconds=row.standard_seconds,
        durations=DurationStats(
            count=row.samples,
            median_seconds=row.median_seconds,
            slowest_seconds=row.slowest_seconds,
            rated=row.rated,
            on_time=row.on_time,
        ),
        returns=row.returns,
        reopenings=row.reopenings,
        seconds=[],
    )
    return MonitoringLine(evidence, row.is_ok, row.note, row.action)
