"""The whole office's figures for one quarterly report: every section's indicators with
targets, quarterly realisations, capaian and predikat, the Renstra progress, and the Renja
activities with budget absorption. The analysis tables, the draft, the PDF and the E.81
workbook are all built from this one structure (rows first, formatting second)."""

import base64
import mimetypes
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from ..models import (
    Activity,
    ActivityBudget,
    ActivityLevel,
    ActivityRealisation,
    Indicator,
    IndicatorTarget,
    MonevEntry,
    Realisation,
    RenstraBudget,
    Report,
    Staff,
)
from ..performance import Achievement, Aggregation, achievement, rating, yearly_realisation
from ..performance import RatingBand as Band
from ..workflow import approval_step
from .section_data import rating_bands

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class IndicatorFigures:
    indicator_id: int
    code: str
    name: str
    goal: str
    unit: str
    direction: str
    aggregation: str
    is_iku: bool
    section_id: int
    section_name: str
    activity_code: str
    activity_name: str
    renstra_target: Decimal | None
    renstra_realised_before: Decimal | None
    annual_target: Decimal | None
    quarter_targets: tuple[Decimal | None, ...]
    # Triwulan I..IV of the report's year; quarters after the reported one stay None.
    quarter_values: tuple[Decimal | None, ...]
    target: Decimal | None
    value: Decimal | None
    achievement: Achievement
    band: Band | None
    year_value: Decimal | None
    year_achievement: Achievement
    renstra_realised: Decimal | None
    renstra_achievement: Achievement
    driving: str
    inhibiting: str
    follow_up: str

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class ActivityFigures:
    activity_id: int
    code: str
    name: str
    level: str
    section_name: str
    budget: int | None
    quarter_spent: tuple[int | None, ...]
    spent: int | None
    year_spent: int | None
    physical: Decimal | None
    # The Renja tree and the Renstra money (Formulir E.81 columns 5, 6, 13, 14).
    parent_id: int | None = None
    renstra_budget: int | None = None
    renstra_spent_before: int | None = None

    @property
    def absorption(self) -> Decimal | None:
        """Spending so far this year as a share of the pagu."""
        if self.year_spent is None or not self.budget:
            return None
        return (Decimal(self.year_spent) * HUNDRED / Decimal(self.budget)).quantize(Decimal("0.01"))

    @property
    def missing(self) -> bool:
        return self.spent is None or self.physical is None


@dataclass(frozen=True)
class MonevNote:
    """One indicator's row of the section's blangko monev, as its Kepala Seksi wrote it."""

    code: str
    name: str
    findings: str
    problems: str
    recommendation: str


@dataclass(frozen=True)
class SectionFigures:
    section_id: int
    name: str
    indicators: list[IndicatorFigures]
    activities: list[ActivityFigures]
    average: Decimal | None
    band: Band | None
    # Frozen with each draft so its documents never read the sheet again; older snapshots
    # (taken before the monev results travelled on) load without any.
    monev: tuple[MonevNote, ...] = ()

    @property
    def missing(self) -> list[str]:
        return [i.code for i in self.indicators if i.missing] + [
            a.code for a in self.activities if a.missing
        ]


@dataclass(frozen=True)
class Signer:
    name: str
    nip: str
    title: str
    rank: str = ""  # pangkat/golongan


@dataclass(frozen=True)
class QuarterFigures:
    report_id: int
    office_name: str
    regency: str
    province: str
    address: str
    head_title: str
    year: int
    quarter: int
    sections: list[SectionFigures]
    average: Decimal | None
    band: Band | None
    signer: Signer | None
    bands: tuple[Band, ...] = field(default=())
    # The letterhead as it was when the figures were taken; the logo travels as a data: URI so
    # a later logo change never alters an archived document.
    postal_code: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    logo: str = ""
    paper_size: str = "A4"
    # The Renja programmes and kegiatan above the sub-kegiatan in ``activities`` (code order);
    # their own pagu only where one is recorded, spending always on the sub-kegiatan.
    parents: tuple[ActivityFigures, ...] = ()

    @property
    def indicators(self) -> list[IndicatorFigures]:
        return [i for s in self.sections for i in s.indicators]

    @property
    def activities(self) -> list[ActivityFigures]:
        return [a for s in self.sections for a in s.activities]

    @property
    def budget(self) -> int:
        return sum(a.budget or 0 for a in self.activities)

    @property
    def year_spent(self) -> int:
        return sum(a.year_spent or 0 for a in self.activities)


def average(values) -> Decimal | None:
    """The mean of the computable achievements; None when there is none."""
    found = [v for v in values if v is not None]
    if not found:
        return None
    return (sum(found) / len(found)).quantize(Decimal("0.01"))


def _renstra(indicator: Indicator, target: IndicatorTarget | None, year_value):
    """Renstra realisation up to the end of this year (E.81 column 13 = 6 + 12)."""
    before = target.renstra_realised_before if target else None
    if year_value is None:
        return before
    if indicator.aggregation == Aggregation.SUM:
        return (before or Decimal(0)) + year_value
    return year_value  # levels and rates: the latest value is the position reached


def quarter_figures(report: Report) -> QuarterFigures:
    """Everything the analysis tables and documents need, in a fixed number of queries."""
    office, year, quarter = report.office, report.year, report.quarter
    bands = rating_bands()
    values: dict[tuple[int, int], Realisation] = {}
    for realisation in Realisation.objects.filter(
        report__office=office, report__year=year, report__quarter__lte=quarter
    ).select_related("report"):
        values[(realisation.indicator_id, realisation.report.quarter)] = realisation
    spending: dict[tuple[int, int], ActivityRealisation] = {}
    for row in ActivityRealisation.objects.filter(
        report__office=office, report__year=year, report__quarter__lte=quarter
    ).select_related("report"):
        spending[(row.activity_id, row.report.quarter)] = row
    indicators = (
        Indicator.objects.filter(office=office, is_active=True)
        .select_related("section", "activity")
        .prefetch_related(
            Prefetch(
                "targets",
                queryset=IndicatorTarget.objects.filter(year=year),
                to_attr="year_targets",
            )
        )
        .order_by("section__order", "section__name", "order", "code")
    )
    all_activities = (
        Activity.objects.filter(office=office)
        .select_related("section")
        .prefetch_related(
            Prefetch(
                "budgets",
                queryset=ActivityBudget.objects.filter(year=year),
                to_attr="year_budgets",
            ),
            Prefetch(
                "renstra_budgets",
                queryset=RenstraBudget.objects.filter(year=year),
                to_attr="year_renstra",
            ),
        )
        .order_by("code")
    )
    activities = [a for a in all_activities if a.level == ActivityLevel.SUB_KEGIATAN]
    parents = tuple(
        _activity_figures(a, {}, quarter)
        for a in all_activities
        if a.level != ActivityLevel.SUB_KEGIATAN
    )
    by_section: dict[int, tuple[str, list, list]] = {
        s.pk: (s.name, [], []) for s in office.sections.all() if s.is_active
    }
    for indicator in indicators:
        if indicator.section_id in by_section:
            by_section[indicator.section_id][1].append(
                _indicator_figures(indicator, values, quarter, bands)
            )
    for activity in activities:
        if activity.section_id in by_section:
            by_section[activity.section_id][2].append(
                _activity_figures(activity, spending, quarter)
            )
    monev = {
        entry.indicator_id: entry
        for entry in MonevEntry.objects.filter(report=report).only(
            "indicator_id", "findings", "problems", "recommendation"
        )
    }
    sections = []
    for section_id, (name, rows, activity_rows) in by_section.items():
        mean = average(r.achievement.percent for r in rows)
        sections.append(
            SectionFigures(
                section_id=section_id,
                name=name,
                indicators=rows,
                activities=activity_rows,
                average=mean,
                band=rating(mean, bands),
                monev=_monev_notes(rows, monev),
            )
        )
    office_mean = average(i.achievement.percent for s in sections for i in s.indicators)
    return QuarterFigures(
        report_id=report.pk,
        **letterhead_values(office),
        province=office.province,
        head_title=office.head_title,
        year=year,
        quarter=quarter,
        sections=sections,
        average=office_mean,
        band=rating(office_mean, bands),
        signer=_signer(report),
        bands=bands,
        paper_size=office.paper_size,
        parents=parents,
    )


def _indicator_figures(indicator, values, quarter, bands) -> IndicatorFigures:
    target_row = indicator.year_targets[0] if indicator.year_targets else None
    quarter_targets = tuple(target_row.for_quarter(q) if target_row else None for q in range(1, 5))
    current = values.get((indicator.pk, quarter))
    quarter_values = tuple(
        getattr(values.get((indicator.pk, q)), "value", None) if q <= quarter else None
        for q in range(1, 5)
    )
    year_value = yearly_realisation(list(quarter_values[:quarter]), indicator.aggregation)
    annual = target_row.annual if target_row else None
    result = achievement(quarter_targets[quarter - 1], getattr(current, "value", None),
                         indicator.direction)  # fmt: skip
    renstra_realised = _renstra(indicator, target_row, year_value)
    renstra_target = target_row.renstra_target if target_row else None
    return IndicatorFigures(
        indicator_id=indicator.pk,
        code=indicator.code,
        name=indicator.name,
        goal=indicator.goal,
        unit=indicator.unit,
        direction=indicator.direction,
        aggregation=indicator.aggregation,
        is_iku=indicator.is_iku,
        section_id=indicator.section_id,
        section_name=indicator.section.name,
        activity_code=indicator.activity.code if indicator.activity else "",
        activity_name=indicator.activity.name if indicator.activity else "",
        renstra_target=renstra_target,
        renstra_realised_before=target_row.renstra_realised_before if target_row else None,
        annual_target=annual,
        quarter_targets=quarter_targets,
        quarter_values=quarter_values,
        target=quarter_targets[quarter - 1],
        value=getattr(current, "value", None),
        achievement=result,
        band=rating(result.percent, bands),
        year_value=year_value,
        year_achievement=achievement(annual, year_value, indicator.direction),
        renstra_realised=renstra_realised,
        renstra_achievement=achievement(renstra_target, renstra_realised, indicator.direction),
        driving=getattr(current, "driving_factors", ""),
        inhibiting=getattr(current, "inhibiting_factors", ""),
        follow_up=getattr(current, "follow_up", ""),
    )


def _monev_notes(rows: list[IndicatorFigures], entries: dict) -> tuple[MonevNote, ...]:
    """The section's written monev rows in the order of its indicators; blank rows left out."""
    notes = []
    for row in rows:
        entry = entries.get(row.indicator_id)
        texts = (entry.findings, entry.problems, entry.recommendation) if entry else ()
        if any(text.strip() for text in texts):
            notes.append(MonevNote(row.code, row.name, *texts))
    return tuple(notes)


def _activity_figures(activity, spending, quarter) -> ActivityFigures:
    rows = [spending.get((activity.pk, q)) if q <= quarter else None for q in range(1, 5)]
    quarter_spent = tuple(getattr(r, "spent", None) for r in rows)
    filled = [s for s in quarter_spent[:quarter] if s is not None]
    current = rows[quarter - 1]
    renstra = activity.year_renstra[0] if activity.year_renstra else None
    return ActivityFigures(
        activity_id=activity.pk,
        code=activity.code,
        name=activity.name,
        level=activity.level,
        section_name=activity.section.name,
        budget=activity.year_budgets[0].budget if activity.year_budgets else None,
        quarter_spent=quarter_spent,
        spent=getattr(current, "spent", None),
        year_spent=sum(filled) if filled else None,
        physical=getattr(current, "physical_progress", None),
        parent_id=activity.parent_id,
        renstra_budget=renstra.period_budget if renstra else None,
        renstra_spent_before=renstra.realised_before if renstra else None,
    )


def _signer(report: Report) -> Signer | None:
    staff = (
        Staff.objects.filter(office=report.office, role=getattr(approval_step(report), "role", ""))
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if staff is None:
        return None
    return Signer(
        name=staff.user.get_full_name() or staff.user.get_username(),
        nip=staff.nip,
        title=report.office.head_title,
        rank=staff.rank,
    )


LETTERHEAD_FIELDS = (
    "office_name", "regency", "address", "postal_code", "phone", "email", "website", "logo",
)  # fmt: skip


def letterhead_values(office) -> dict[str, str]:
    """The office's letterhead as plain values (named as in QuarterFigures), the logo as a
    data: URI."""
    return {
        "office_name": office.name,
        "regency": office.regency,
        "address": office.address,
        "postal_code": office.postal_code,
        "phone": office.phone,
        "email": office.email,
        "website": office.website,
        "logo": logo_data_uri(office),
    }


def logo_data_uri(office) -> str:
    """The office's uploaded logo as a data: URI ("" without one or if the file is gone)."""
    if not office.logo:
        return ""
    try:
        with office.logo.open("rb") as handle:
            content = handle.read()
    except OSError:
        return ""
    media_type = mimetypes.guess_type(office.logo.name)[0] or "image/png"
    return f"data:{media_type};base64," + base64.b64encode(content).decode("ascii")
