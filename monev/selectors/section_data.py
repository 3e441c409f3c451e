"""Reads for a section's quarterly data sheet: its indicators with target, realisation,
capaian and rating, its Renja sub-kegiatan with budget and spending."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from .. import workflow
from ..models import (
    Activity,
    ActivityBudget,
    ActivityLevel,
    ActivityRealisation,
    Evidence,
    Indicator,
    IndicatorTarget,
    RatingBand,
    Realisation,
    RealisationChange,
    Report,
    Section,
    SectionSheet,
    SectionSubmission,
    SopStep,
)
from ..performance import DEFAULT_BANDS, Achievement, achievement, rating
from ..performance import RatingBand as Band
from ..validation import unlikely_value


@dataclass
class IndicatorLine:
    indicator: Indicator
    target: Decimal | None
    realisation: Realisation | None
    achievement: Achievement
    band: Band | None
    changes: list[RealisationChange] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    annual: Decimal | None = None  # the year's target, beside the triwulan's
    earlier: list[tuple[int, Decimal | None]] = field(default_factory=list)  # (quarter, value)

    @property
    def value(self) -> Decimal | None:
        return self.realisation.value if self.realisation else None

    @property
    def warning(self) -> str:
        """The live preview's warning, kept on the page once the value is saved."""
        return unlikely_value(target=self.target, value=self.value)


@dataclass
class ActivityLine:
    activity: Activity
    budget: int | None
    realisation: ActivityRealisation | None

    @property
    def absorption(self) -> Decimal | None:
        spent = self.realisation.spent if self.realisation else None
        if spent is None or not self.budget:
            return None
        return (Decimal(spent) * 100 / Decimal(self.budget)).quantize(Decimal("0.01"))


@dataclass
class SheetPage:
    report: Report
    section: Section
    step: SopStep
    sheet: SectionSheet | None
    submission: SectionSubmission | None
    indicators: list[IndicatorLine]
    activities: list[ActivityLine]

    @property
    def revision(self) -> int:
        return self.sheet.revision if self.sheet else 0

    @property
    def filled(self) -> tuple[int, int]:
        """(rows with their numbers typed, all rows): the "n dari m terisi" of the page."""
        done = sum(1 for line in self.indicators if line.value is not None) + sum(
            1
            for line in self.activities
            if line.realisation
            and line.realisation.spent is not None
            and line.realisation.physical_progress is not None
        )
        return done, len(self.indicators) + len(self.activities)

    @property
    def editable(self) -> bool:
        """Open for the section while its step has begun and its data is not handed in."""
        return (
            not self.report.is_archived
            and self.report.current_step >= self.step.number
            and self.submission is None
        )


def rating_bands() -> tuple[Band, ...]:
    """The office's predikat bands from the database, or the standard ones if none are set."""
    return tuple(Band(b.minimum, b.label, b.css) for b in RatingBand.objects.all()) or DEFAULT_BANDS


def sheet_step(report: Report, kind: str) -> SopStep | None:
    return next((s for s in report.steps if s.sheet == kind), None)


def section_sheet_page(report: Report, section: Section, kind: str) -> SheetPage:
    """Everything the data page shows, in a fixed number of queries."""
    step = sheet_step(report, kind)
    realisations = Realisation.objects.filter(
        report=report, indicator__section=section
    ).prefetch_related(
        Prefetch("changes", queryset=RealisationChange.objects.select_related("changed_by")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
    )
    by_indicator = {r.indicator_id: r for r in realisations}
    indicators = Indicator.objects.filter(section=section, is_active=True).prefetch_related(
        Prefetch(
            "targets",
            queryset=IndicatorTarget.objects.filter(year=report.year),
            to_attr="year_targets",
        )
    )
    bands = rating_bands()
    earlier: dict[int, list[tuple[int, Decimal | None]]] = {}
    for indicator_id, quarter, value in (
        Realisation.objects.filter(
            report__office_id=report.office_id,
            report__year=report.year,
            report__quarter__lt=report.quarter,
            indicator__section=section,
        )
        .order_by("report__quarter")
        .values_list("indicator_id", "report__quarter", "value")
    ):
        earlier.setdefault(indicator_id, []).append((quarter, value))
    lines = []
    for indicator in indicators.order_by("order", "code"):
        target_row = indicator.year_targets[0] if indicator.year_targets else None
        target = target_row.for_quarter(report.quarter) if target_row else None
        realisation = by_indicator.get(indicator.pk)
        result = achievement(
            target, realisation.value if realisation else None, indicator.direction
        )
        lines.append(
            IndicatorLine(
                indicator=indicator,
                target=target,
                realisation=realisation,
                achievement=result,
                band=rating(result.percent, bands),
                changes=list(realisation.changes.all()) if realisation else [],
                evidence=list(realisation.evidence.all()) if realisation else [],
                annual=target_row.annual if target_row else None,
                earlier=earlier.get(indicator.pk, []),
            )
        )
    spent = {
        a.activity_id: a
        for a in ActivityRealisation.objects.filter(report=report, activity__section=section)
    }
    activities = Activity.objects.filter(
        section=section, level=ActivityLevel.SUB_KEGIATAN
    ).prefetch_related(
        Prefetch(
            "budgets",
            queryset=ActivityBudget.objects.filter(year=report.year),
            to_attr="year_budgets",
        )
    )
    activity_lines = [
        ActivityLine(
            activity=activity,
            budget=activity.year_budgets[0].budget if activity.year_budgets else None,
            realisation=spent.get(activity.pk),
        )
        for activity in activities.order_by("code")
    ]
    if workflow.is_approved(report):
        _show_approved(report, section, lines, activity_lines)
    return SheetPage(
        report=report,
        section=section,
        step=step,
        sheet=SectionSheet.objects.filter(report=report, section=section, kind=kind)
        .select_related("updated_by")
        .first(),
        submission=next(
            (
                s
                for s in report.submissions.all()
                if s.section_id == section.pk and step and s.step_number == step.number
            ),
            None,
        ),
        indicators=lines,
        activities=activity_lines,
    )


def _show_approved(report, section, lines, activity_lines) -> None:
    """An approved quarter's sheet shows the names, targets and pagu that were approved, not
    what the rows say after later edits. The instances are this page's own and never saved."""
    from .snapshots import approved_version, version_content  # snapshots import this module

    version = approved_version(report)
    content = version_content(version) if version else None
    if content is None:
        return
    frozen = next((s for s in content.figures.sections if s.section_id == section.pk), None)
    if frozen is None:
        return
    section.name = frozen.name
    indicators = {i.indicator_id: i for i in frozen.indicators}
    for line in lines:
        approved = indicators.get(line.indicator.pk)
        if approved is not None:
            line.indicator.name, line.indicator.unit = approved.name, approved.unit
            line.target, line.achievement, line.band = (
                approved.target,
                approved.achievement,
                approved.band,
            )
    budgets = {a.activity_id: a for a in frozen.activities}
    for line in activity_lines:
        approved = budgets.get(line.activity.pk)
        if approved is not None:
            line.activity.name, line.budget = approved.name, approved.budget
