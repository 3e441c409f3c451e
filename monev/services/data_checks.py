"""The checks a section's data passes before it is saved or handed in."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..evidence import InspectedFile, inspect_upload
from ..models import (
    ActivityLevel,
    ActivityRealisation,
    Indicator,
    MonevEntry,
    Realisation,
    Report,
    Section,
    SheetKind,
)
from ..validation import activity_errors, realisation_errors
from ..workflow import WorkflowError


@dataclass(frozen=True)
class IndicatorEntry:
    indicator_id: int
    value: Decimal | None
    driving: str = ""
    inhibiting: str = ""
    follow_up: str = ""
    files: tuple[UploadedFile, ...] = ()


@dataclass(frozen=True)
class ActivityEntry:
    activity_id: int
    spent: int | None
    physical: Decimal | None


@dataclass
class DataErrors(WorkflowError):
    """Every problem found, keyed by indicator or activity id and field."""

    indicators: dict[int, dict[str, str]] = field(default_factory=dict)
    activities: dict[int, dict[str, str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.indicators or self.activities or self.general)

    @property
    def rows(self) -> int:
        return len(self.indicators) + len(self.activities)

    def _with_general(self, rows_message: str) -> str:
        return " ".join([rows_message, *self.general] if self.rows else self.general)

    def __str__(self) -> str:
        return self._with_general(
            ngettext(
                "Data seksi belum dapat diterima: %(n)d baris perlu diperbaiki.",
                "Data seksi belum dapat diterima: %(n)d baris perlu diperbaiki.",
                self.rows,
            )
            % {"n": self.rows}
        )

    def not_sent(self) -> str:
        """One message for a send refused after the draft was saved: the draft is kept, so it
        must not read like a rejection of what was typed."""
        return self._with_general(
            ngettext(
                "%(n)d baris belum lengkap (ditandai merah); lengkapi lalu kirim lagi.",
                "%(n)d baris belum lengkap (ditandai merah); lengkapi lalu kirim lagi.",
                self.rows,
            )
            % {"n": self.rows}
        )


def inspect_evidence(indicators) -> dict[int, InspectedFile | ValidationError]:
    """Each uploaded file read and checked by its content (up to 10 MB, images decoded),
    keyed by id(upload): done once, before any lock."""
    found: dict[int, InspectedFile | ValidationError] = {}
    for entry in indicators:
        for upload in entry.files:
            try:
                found[id(upload)] = inspect_upload(upload)
            except ValidationError as error:
                found[id(upload)] = error
    return found


def check_entries(
    report, section, indicators, activities, *, complete: bool, evidence=None
) -> DataErrors:
    """``evidence`` is what inspect_evidence found for the entries' files."""
    errors = DataErrors()
    known = {
        i.pk: i
        for i in Indicator.objects.filter(section=section, is_active=True).prefetch_related(
            "targets"
        )
    }
    seen: set[int] = set()
    for entry in indicators:
        if entry.indicator_id in seen:
            errors.general.append(
                _("Indikator #%(id)s dikirim lebih dari sekali.") % {"id": entry.indicator_id}
            )
            continue
        seen.add(entry.indicator_id)
        indicator = known.get(entry.indicator_id)
        if indicator is None:
            errors.general.append(
                _("Indikator #%(id)s bukan milik seksi ini.") % {"id": entry.indicator_id}
            )
            continue
        target_row = next((t for t in indicator.targets.all() if t.year == report.year), None)
        row = realisation_errors(
            unit=indicator.unit,
            direction=indicator.direction,
            target=target_row.for_quarter(report.quarter) if target_row else None,
            value=entry.value,
            driving=entry.driving,
            inhibiting=entry.inhibiting,
            follow_up=entry.follow_up,
            complete=complete,
        )
        for upload in entry.files:
            outcome = evidence[id(upload)]
            if isinstance(outcome, ValidationError):
                row["files"] = " ".join(outcome.messages)
        if row:
            errors.indicators[indicator.pk] = row
    budgets = {
        a.pk: next((b.budget for b in a.budgets.all() if b.year == report.year), None)
        for a in section.activities.filter(level=ActivityLevel.SUB_KEGIATAN).prefetch_related(
            "budgets"
        )
    }
    seen = set()
    for entry in activities:
        if entry.activity_id in seen:
            errors.general.append(
                _("Kegiatan #%(id)s dikirim lebih dari sekali.") % {"id": entry.activity_id}
            )
            continue
        seen.add(entry.activity_id)
        if entry.activity_id not in budgets:
            errors.general.append(
                _("Kegiatan #%(id)s bukan milik seksi ini.") % {"id": entry.activity_id}
            )
            continue
        row = activity_errors(
            budget=budgets[entry.activity_id],
            spent=entry.spent,
            physical=entry.physical,
            complete=complete,
        )
        if row:
            errors.activities[entry.activity_id] = row
    return errors


def completeness_errors(report: Report, section: Section) -> DataErrors:
    """What still stops the section from handing in its data."""
    realisations = {
        r.indicator_id: r
        for r in Realisation.objects.filter(report=report, indicator__section=section)
    }
    entries = [
        IndicatorEntry(
            indicator_id=indicator.pk,
            value=realisations[indicator.pk].value if indicator.pk in realisations else None,
            driving=getattr(realisations.get(indicator.pk), "driving_factors", ""),
            inhibiting=getattr(realisations.get(indicator.pk), "inhibiting_factors", ""),
            follow_up=getattr(realisations.get(indicator.pk), "follow_up", ""),
        )
        for indicator in Indicator.objects.filter(section=section, is_active=True)
    ]
    spent = {
        a.activity_id: a
        for a in ActivityRealisation.objects.filter(report=report, activity__section=section)
    }
    activity_entries = [
        ActivityEntry(
            activity_id=activity.pk,
            spent=getattr(spent.get(activity.pk), "spent", None),
            physical=getattr(spent.get(activity.pk), "physical_progress", None),
        )
        for activity in section.activities.filter(level=ActivityLevel.SUB_KEGIATAN)
    ]
    return check_entries(report, section, entries, activity_entries, complete=True)


def monev_completeness_errors(report: Report, section: Section) -> DataErrors:
    """Every indicator of the section needs its monitoring findings before the sheet is sent."""
    entries = {
        e.indicator_id: e
        for e in MonevEntry.objects.filter(report=report, indicator__section=section)
    }
    errors = DataErrors()
    for indicator in Indicator.objects.filter(section=section, is_active=True):
        entry = entries.get(indicator.pk)
        if entry is None or not entry.findings.strip():
            errors.indicators[indicator.pk] = {
                "findings": _("Hasil monitoring wajib diisi sebelum blangko dikirim.")
            }
    return errors


def sheet_completeness_errors(report: Report, section: Section, kind: str) -> DataErrors:
    if kind == SheetKind.MONEV:
        return monev_completeness_errors(report, section)
    return completeness_errors(report, section)
