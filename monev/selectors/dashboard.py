"""The Dasbor: one office's (or one section's) year at a glance, in a fixed number of queries.

Everything is read set-based for the chosen year (never one report at a time), so the page
costs the same whether the office has one year of reports or ten. The means and the absorption
are computed the way ``office_data`` computes them, so the Dasbor and a report's analysis tables
never disagree about the same quarter.
"""

import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import timezone

from .. import clock, workflow
from ..models import (
    DraftVersion,
    Office,
    Report,
    Section,
)
from ..performance import Achievement, achievement, rating
from ..performance import RatingBand as Band
from . import dashboard_rows
from .office_data import QuarterFigures, average
from .reports import (
    StepStatus,
    _cached_steps,
    office_calendar,
    office_reports,
    open_reports,
    step_status,
)
from .section_data import rating_bands
from .snapshots import version_content

QUARTERS = (1, 2, 3, 4)
HUNDRED = Decimal(100)
CENTS = Decimal("0.01")

# Every tuple below holds four values, for Triwulan I..IV in order; None where there is none.
Numbers = tuple[Decimal | None, ...]
Bands = tuple[Band | None, ...]


@dataclass(frozen=True)
class QuarterState:
    """Whether the year's report for a triwulan exists, and if it is still open."""

    quarter: int
    report_id: int | None = None
    step: int | None = None
    archived: bool = False
    approved: bool = False  # from the approval on its figures are the approved snapshot

    @property
    def exists(self) -> bool:
        return self.report_id is not None

    @property
    def provisional(self) -> bool:
        """Figures of a report not yet approved may still change."""
        return self.exists and not (self.archived or self.approved)


@dataclass(frozen=True)
class IndicatorRow:
    indicator_id: int
    code: str
    name: str
    unit: str
    direction: str
    section_id: int
    section_name: str
    targets: Numbers
    values: Numbers
    achievements: tuple[Achievement, ...]
    bands: Bands

    @property
    def cells(self) -> list[tuple[Decimal | None, Decimal | None, Achievement, Band | None]]:
        """(target, value, achievement, band) per triwulan, for the template."""
        return list(zip(self.targets, self.values, self.achievements, self.bands, strict=True))


@dataclass(frozen=True)
class Absorption:
    """Budget absorption against physical progress, per triwulan (cumulative)."""

    budget: int | None
    spent: tuple[int | None, ...]  # Rp spent from Triwulan I up to each triwulan
    absorption: Numbers  # that spending ÷ pagu, %
    physical: Numbers  # physical progress reached by each triwulan, %

    @property
    def cells(self) -> list[tuple[int | None, Decimal | None, Decimal | None]]:
        return list(zip(self.spent, self.absorption, self.physical, strict=True))


@dataclass(frozen=True)
class ActivityRow:
    activity_id: int
    code: str
    name: str
    section_id: int
    section_name: str
    progress: Absorption


@dataclass(frozen=True)
class SectionRow:
    section_id: int
    name: str
    averages: Numbers  # mean capaian of the section's indicators
    bands: Bands
    progress: Absorption

    @property
    def cells(self) -> list[tuple[Decimal | None, Band | None]]:
        return list(zip(self.averages, self.bands, strict=True))


@dataclass(frozen=True)
class Dashboard:
    office: Office
    year: int
    years: list[int]  # years with reports or targets, newest first, for the filter
    section: Section | None  # the scope: None is the whole office
    quarters: tuple[QuarterState, ...]
    sections: list[SectionRow]
    indicators: list[IndicatorRow]
    activities: list[ActivityRow]
    trend: Numbers  # mean capaian of every indicator in scope
    trend_bands: Bands
    progress: Absorption  # the scope's whole pagu
    open_reports: list[StepStatus]
    bands: tuple[Band, ...]

    @property
    def latest_quarter(self) -> int | None:
        """The last triwulan of the year that has a report."""
        found = [state.quarter for state in self.quarters if state.exists]
        return found[-1] if found else None


@dataclass(frozen=True)
class DashboardInputs:
    """Every row the Dasbor's figures are computed from, as plain values in a fixed order.

    The figures are a function of these alone, so equal inputs give an equal page part: the
    view keeps the rendered figures under ``digest``, which changes with any of these rows
    however they were changed (service, admin, shell or SQL) and so is never stale.
    """

    office: str
    year: int
    section: tuple[int, str] | None
    bands: tuple[Band, ...]
    sections: tuple[tuple[int, str], ...]
    quarters: tuple[QuarterState, ...]
    # (triwulan, version id, snapshot SHA-256) of each approved report's approved version; a
    # version is written once (DraftVersion.save), so its id and hash name its content.
    versions: tuple[tuple[int, int, str], ...]
    indicators: tuple[tuple, ...]  # (id, code, name, unit, direction, section id, TW I..IV target)
    values: tuple[tuple, ...]  # (indicator id, triwulan, value)
    activities: tuple[tuple, ...]  # (id, code, name, section id, pagu)
    spending: tuple[tuple, ...]  # (activity id, triwulan, spent, physical progress)
    years: tuple[int, ...]

    @property
    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()


def default_year(office: Office, reports: list[Report] | None = None) -> int:
    """The newest year the office has a report for; the calendar year while it has none."""
    if reports is None:
        latest = Report.objects.filter(office=office).order_by("-year").values_list("year").first()
        return latest[0] if latest else timezone.localtime(clock.now()).year
    return max((r.year for r in reports), default=timezone.localtime(clock.now()).year)


def dashboard_for(office: Office, year: int, section: Section | None = None) -> Dashboard:
    """The Dasbor's figures for ``year``; with ``section``, only that section's, everywhere."""
    reports = office_reports(office)
    inputs = dashboard_inputs(office, year, section, reports)
    return dashboard_from(inputs, office, section, open_report_statuses(office, section, reports))


def dashboard_inputs(
    office: Office, year: int, section: Section | None, reports: list[Report]
) -> DashboardInputs:
    """The rows behind the figures (``reports``: ``office_reports``), in a fixed number of
    plain queries whatever the data size."""
    names = dashboard_rows.sections(office.pk, section.pk if section is not None else None)
    ids = [pk for pk, _name in names]
    year_reports = [r for r in reports if r.year == year]
    for report in year_reports:
        if not report.is_archived:  # an archived report is approved whatever its SOP says
            report.steps = _cached_steps(report)
    states = _quarter_states(year_reports)
    quarter_of = {report.pk: report.quarter for report in year_reports}
    return DashboardInputs(
        office=str(office),
        year=year,
        section=(section.pk, section.name) if section is not None else None,
        bands=rating_bands(),
        sections=names,
        quarters=tuple(states[q] for q in QUARTERS),
        versions=_approved_versions(year_reports),
        indicators=dashboard_rows.indicators(office.pk, ids, year),
        values=dashboard_rows.values(quarter_of),
        activities=dashboard_rows.activities(office.pk, ids, year),
        spending=dashboard_rows.spending(quarter_of),
        years=tuple(
            sorted(
                {r.year for r in reports} | dashboard_rows.target_years(office.pk) | {year},
                reverse=True,
            )
        ),
    )


def dashboard_from(
    inputs: DashboardInputs,
    office: Office,
    section: Section | None,
    open_reports: list[StepStatus],
) -> Dashboard:
    """The figures the inputs (of this office and scope) give; reads only the approved
    versions' snapshots."""
    bands = inputs.bands
    names = dict(inputs.sections)
    states = {state.quarter: state for state in inputs.quarters}
    frozen = _approved_figures(inputs.versions)
    indicators = [_frozen_indicator(row, frozen) for row in _indicator_rows(inputs, names)]
    activities = [_frozen_activity(row, frozen) for row in _activity_rows(inputs, names, states)]
    section_rows = []
    for section_id, name in inputs.sections:
        own = [row for row in indicators if row.section_id == section_id]
        means = _frozen_means(_means(own), frozen, section_id)
        progress = _total([a.progress for a in activities if a.section_id == section_id])
        section_rows.append(
            SectionRow(
                section_id=section_id,
                name=name,
                averages=means,
                bands=tuple(rating(mean, bands) for mean in means),
                progress=_frozen_total(progress, frozen, section_id),
            )
        )
    # The office figure is the mean over all indicators (as in the report's analysis), not
    # the mean of the section means: a section with one indicator must not weigh like five.
    scope = section.pk if section is not None else None
    trend = _frozen_means(_means(indicators), frozen, scope)
    return Dashboard(
        office=office,
        year=inputs.year,
        years=list(inputs.years),
        section=section,
        quarters=inputs.quarters,
        sections=section_rows,
        indicators=indicators,
        activities=activities,
        trend=trend,
        trend_bands=tuple(rating(mean, bands) for mean in trend),
        progress=_frozen_total(_total([a.progress for a in activities]), frozen, scope),
        open_reports=open_reports,
        bands=bands,
    )


def _quarter_states(reports: list[Report]) -> dict[int, QuarterState]:
    states = {q: QuarterState(q) for q in QUARTERS}
    for report in reports:
        states[report.quarter] = QuarterState(
            report.quarter,
            report.pk,
            report.current_step,
            report.is_archived,
            workflow.is_approved(report),
        )
    return states


def _approved_versions(reports: list[Report]) -> tuple[tuple[int, int, str], ...]:
    """(triwulan, version id, snapshot hash) of the newest version of each approved report:
    the one the Camat approved."""
    approved = {r.pk: r.quarter for r in reports if workflow.is_approved(r)}
    if not approved:
        return ()
    newest = {}
    versions = DraftVersion.objects.filter(report_id__in=list(approved)).order_by(
        "report_id", "number"
    )
    for report_id, pk, content_hash in versions.values_list("report_id", "pk", "snapshot_sha256"):
        newest[report_id] = (approved[report_id], pk, content_hash)
    return tuple(sorted(newest.values()))


def _approved_figures(versions: tuple[tuple[int, int, str], ...]) -> dict[int, QuarterFigures]:
    """Triwulan -> the figures the Camat approved, for the year's approved reports: their
    Dasbor columns read those, so later edits of targets or names change open quarters only."""
    if not versions:
        return {}
    quarters = {pk: quarter for quarter, pk, _hash in versions}
    frozen = {}
    for version in DraftVersion.objects.filter(pk__in=list(quarters)).only("pk", "snapshot"):
        content = version_content(version)
        if content is not None:  # a version from before snapshots: the rows it is
            frozen[quarters[version.pk]] = content.figures
    return frozen


def _replaced(values: tuple, changes: dict[int, object]) -> tuple:
    """The four per-triwulan values with those of some triwulan (1..4) replaced."""
    return tuple(changes.get(q, v) for q, v in zip(QUARTERS, values, strict=True))


def _frozen_indicator(row: IndicatorRow, frozen: dict[int, QuarterFigures]) -> IndicatorRow:
    if not frozen:
        return row
    changes = {}
    for quarter, figures in frozen.items():
        found = next((i for i in figures.indicators if i.indicator_id == row.indicator_id), None)
        changes[quarter] = (
            (found.target, found.value, found.achievement, found.band)
            if found
            else (None, None, achievement(None, None, row.direction), None)
        )
    return replace(
        row,
        targets=_replaced(row.targets, {q: c[0] for q, c in changes.items()}),
        values=_replaced(row.values, {q: c[1] for q, c in changes.items()}),
        achievements=_replaced(row.achievements, {q: c[2] for q, c in changes.items()}),
        bands=_replaced(row.bands, {q: c[3] for q, c in changes.items()}),
    )


def _frozen_means(means: Numbers, frozen, section_id: int | None) -> Numbers:
    """The approved mean of the whole office (``section_id`` None) or of one section."""
    changes = {}
    for quarter, figures in frozen.items():
        if section_id is None:
            changes[quarter] = figures.average
        else:
            found = next((s for s in figures.sections if s.section_id == section_id), None)
            changes[quarter] = found.average if found else None
    return _replaced(means, changes)


def _frozen_activity(row: ActivityRow, frozen: dict[int, QuarterFigures]) -> ActivityRow:
    if not frozen:
        return row
    progress = row.progress
    for quarter, figures in frozen.items():
        found = next((a for a in figures.activities if a.activity_id == row.activity_id), None)
        progress = _frozen_progress(progress, quarter, [found] if found else [])
    return replace(row, progress=progress)


def _frozen_total(progress: Absorption, frozen, section_id: int | None) -> Absorption:
    for quarter, figures in frozen.items():
        chosen = [
            a
            for s in figures.sections
            if section_id is None or s.section_id == section_id
            for a in s.activities
        ]
        progress = _frozen_progress(progress, quarter, chosen)
    return progress


def _frozen_progress(progress: Absorption, quarter: int, approved: list) -> Absorption:
    """``progress`` with one triwulan's cells as the approved activities add up."""
    index = quarter - 1
    total = _total(
        [
            Absorption(
                budget=a.budget,
                spent=(a.year_spent,) * 4,
                absorption=(None,) * 4,
                physical=(a.physical,) * 4,
            )
            for a in approved
        ]
    )
    if len(approved) == 1 and not approved[0].budget:
        # An activity without a pagu is shown on its own row with its own figures.
        total = Absorption(
            None, (approved[0].year_spent,) * 4, (None,) * 4, (approved[0].physical,) * 4
        )
    return replace(
        progress,
        spent=_replaced(progress.spent, {quarter: total.spent[index]}),
        absorption=_replaced(progress.absorption, {quarter: total.absorption[index]}),
        physical=_replaced(progress.physical, {quarter: total.physical[index]}),
    )


def _indicator_rows(inputs: DashboardInputs, names: dict[int, str]) -> list[IndicatorRow]:
    bands = inputs.bands
    values = {(indicator_id, quarter): value for indicator_id, quarter, value in inputs.values}
    rows = []
    for pk, code, name, unit, direction, section_id, *quarter_targets in inputs.indicators:
        quarter_targets = tuple(quarter_targets)
        quarter_values = tuple(values.get((pk, q)) for q in QUARTERS)
        results = tuple(
            achievement(t, v, direction)
            for t, v in zip(quarter_targets, quarter_values, strict=True)
        )
        rows.append(
            IndicatorRow(
                indicator_id=pk,
                code=code,
                name=name,
                unit=unit,
                direction=direction,
                section_id=section_id,
                section_name=names[section_id],
                targets=quarter_targets,
                values=quarter_values,
                achievements=results,
                bands=tuple(rating(r.percent, bands) for r in results),
            )
        )
    return rows


def _activity_rows(inputs: DashboardInputs, names, states) -> list[ActivityRow]:
    filled = {
        (activity_id, quarter): (spent, physical)
        for activity_id, quarter, spent, physical in inputs.spending
    }
    rows = []
    for pk, code, name, section_id, budget in inputs.activities:
        spent, physical, running = [], [], None
        for q in QUARTERS:
            quarter_spent, quarter_physical = filled.get((pk, q), (None, None))
            if quarter_spent is not None:
                running = (running or 0) + quarter_spent
            # A quarter without a report has no figures yet; an unfilled quarter inside the
            # year keeps what was spent before it ("realisasi s.d. triwulan ini").
            spent.append(running if states[q].exists else None)
            physical.append(quarter_physical if states[q].exists else None)
        rows.append(
            ActivityRow(
                activity_id=pk,
                code=code,
                name=name,
                section_id=section_id,
                section_name=names[section_id],
                progress=Absorption(
                    budget=budget,
                    spent=tuple(spent),
                    absorption=tuple(_share(s, budget) for s in spent),
                    physical=tuple(physical),
                ),
            )
        )
    return rows


def _means(rows: list[IndicatorRow]) -> Numbers:
    return tuple(average(row.achievements[i].percent for row in rows) for i in range(4))


def _share(spent: int | None, budget: int | None) -> Decimal | None:
    if spent is None or not budget:
        return None
    # Rounded like office_data's absorption, so both pages print the same figure.
    return (Decimal(spent) * HUNDRED / Decimal(budget)).quantize(CENTS)


def _total(parts: list[Absorption]) -> Absorption:
    """Several activities as one: spending summed, physical progress weighted by pagu.

    Only activities with a pagu for the year count, so the Rupiah shown and the share of
    the pagu describe the same activities (one without a pagu is listed on its own row).
    """
    parts = [p for p in parts if p.budget]
    budget = sum(p.budget for p in parts)
    spent, physical = [], []
    for i in range(4):
        found = [p.spent[i] for p in parts if p.spent[i] is not None]
        spent.append(sum(found) if found else None)
        # Weighted by pagu (bobot), the usual Renja reading: a large sub-kegiatan's progress
        # counts for more. Activities that have not reported their progress are left out.
        weighted = [(p.physical[i], p.budget) for p in parts if p.physical[i] is not None]
        weight = sum(b for _, b in weighted)
        physical.append(
            (sum(v * b for v, b in weighted) / weight).quantize(CENTS) if weight else None
        )
    return Absorption(
        budget=budget or None,
        spent=tuple(spent),
        absorption=tuple(_share(s, budget) for s in spent),
        physical=tuple(physical),
    )


def open_report_statuses(
    office: Office, section: Section | None, reports: list[Report]
) -> list[StepStatus]:
    """Where each open report stands, any year (``reports``: ``office_reports``); a section
    sees only its own gap."""
    calendar = office_calendar(office)
    statuses = []
    for report in open_reports(office, reports):
        status = step_status(report, calendar)
        if section is not None:
            status = replace(status, missing=[s for s in status.missing if s.pk == section.pk])
        statuses.append(status)
    return statuses
