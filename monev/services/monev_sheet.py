"""Writes to a section's monev sheet (blangko monev, step 5): the same draft, hand-in and
reopen pattern as the quarterly data, with findings, problems and a recommendation per
indicator."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from .. import clock
from ..models import Indicator, MonevEntry, Report, SectionSheet, SheetKind
from ..validation import text_too_long
from ..workflow import WorkflowError
from .data_checks import DataErrors
from .locking import lock_report
from .sheet_flow import (
    ensure_editable,
    section_for_editor,
    sheet_reopen,
    sheet_submit,
    stale_message,
)


@dataclass(frozen=True)
class MonevInput:
    indicator_id: int
    findings: str = ""
    problems: str = ""
    recommendation: str = ""


FIELDS = ("findings", "problems", "recommendation")


@transaction.atomic
def monev_sheet_save(
    *, report_id: int, section_id: int, actor, revision: int, entries: list[MonevInput]
) -> SectionSheet:
    """Save a draft of the section's monev sheet; all rows or none."""
    report = lock_report(report_id)
    section = section_for_editor(report, actor, section_id)
    ensure_editable(report, section, SheetKind.MONEV)
    sheet, _created = SectionSheet.objects.select_for_update().get_or_create(
        report=report, section=section, kind=SheetKind.MONEV
    )
    known = set(
        Indicator.objects.filter(section=section, is_active=True).values_list("pk", flat=True)
    )
    errors = DataErrors()
    for entry in entries:
        if entry.indicator_id not in known:
            errors.general.append(
                _("Indikator #%(id)s bukan milik seksi ini.") % {"id": entry.indicator_id}
            )
            continue
        too_long = {
            name: problem for name in FIELDS if (problem := text_too_long(getattr(entry, name)))
        }
        if too_long:
            errors.indicators[entry.indicator_id] = too_long
    if errors:
        raise errors
    existing = {
        e.indicator_id: e
        for e in MonevEntry.objects.filter(report=report, indicator__section=section)
    }
    updates = []
    for entry in entries:
        row = existing.get(entry.indicator_id) or MonevEntry(
            report=report, indicator_id=entry.indicator_id
        )
        if tuple(getattr(row, name) for name in FIELDS) != tuple(
            getattr(entry, name) for name in FIELDS
        ):
            updates.append((row, entry))
    if not updates:
        return sheet
    if sheet.revision != revision:
        raise WorkflowError(stale_message(sheet))
    now = clock.now()
    for row, entry in updates:
        for name in FIELDS:
            setattr(row, name, getattr(entry, name))
        row.updated_by, row.updated_at = actor, now
        row.save()
    sheet.revision += 1
    sheet.updated_by, sheet.updated_at = actor, now
    sheet.save()
    return sheet


@transaction.atomic
def monev_sheet_submit(*, report_id: int, section_id: int, actor) -> Report:
    return sheet_submit(
        report_id=report_id, section_id=section_id, actor=actor, kind=SheetKind.MONEV
    )


@transaction.atomic
def monev_sheet_reopen(*, report_id: int, section_id: int, actor, reason: str) -> Report:
    return sheet_reopen(
        report_id=report_id,
        section_id=section_id,
        actor=actor,
        reason=reason,
        kind=SheetKind.MONEV,
    )
