"""Writes to a section's quarterly data (step 2): save a draft, hand it in, reopen it.

A save is all or nothing: every row is checked first and nothing is written unless every
row is valid. Evidence files reach the disk only after the transaction commits."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from .. import clock
from ..evidence import InspectedFile
from ..models import (
    ActivityRealisation,
    Evidence,
    Realisation,
    RealisationChange,
    Report,
    SectionSheet,
    SheetKind,
)
from ..models.indicators import evidence_path
from ..workflow import WorkflowError
from .data_checks import ActivityEntry, IndicatorEntry, check_entries, inspect_evidence
from .locking import lock_report, read_report
from .sheet_flow import (
    ensure_editable,
    section_for_editor,
    sheet_reopen,
    sheet_submit,
    stale_message,
)


def _store_evidence(
    realisation: Realisation, upload: UploadedFile, inspected: InspectedFile, actor, now
) -> None:
    evidence = Evidence(
        realisation=realisation,
        original_name=inspected.original_name,
        content_type=inspected.content_type,
        size=inspected.size,
        uploaded_by=actor,
        uploaded_at=now,
    )
    name = evidence_path(evidence, upload.name)
    evidence.file.name = name
    evidence.save()
    upload.seek(0)
    # Read now: the request may have closed the upload by the time the outermost commit runs.
    content = ContentFile(upload.read())
    transaction.on_commit(lambda: default_storage.save(name, content))


def _text_changed(realisation: Realisation, entry: IndicatorEntry) -> bool:
    return (realisation.driving_factors, realisation.inhibiting_factors, realisation.follow_up) != (
        entry.driving,
        entry.inhibiting,
        entry.follow_up,
    )


def section_data_save(
    *,
    report_id: int,
    section_id: int,
    actor,
    revision: int,
    indicators: list[IndicatorEntry],
    activities: list[ActivityEntry],
    source: str = "form",
) -> SectionSheet:
    """Save a draft of the section's data. Raises DataErrors, WorkflowError, PermissionDenied.

    `revision` is the sheet revision the user's page was built from; a newer one means someone
    saved in between, and this save is refused rather than overwriting their work. Evidence
    files are checked before the lock, which only guards the writes, and after the cheap
    checks of who and which state.
    """
    report = read_report(report_id)
    ensure_editable(report, section_for_editor(report, actor, section_id), SheetKind.DATA)
    evidence = inspect_evidence(indicators)
    with transaction.atomic():
        return _save(
            report_id, section_id, actor, revision, indicators, activities, source, evidence
        )


def _save(report_id, section_id, actor, revision, indicators, activities, source, evidence):
    report = lock_report(report_id)
    section = section_for_editor(report, actor, section_id)
    ensure_editable(report, section, SheetKind.DATA)
    sheet, _created = SectionSheet.objects.select_for_update().get_or_create(
        report=report, section=section, kind=SheetKind.DATA
    )
    errors = check_entries(
        report, section, indicators, activities, complete=False, evidence=evidence
    )
    if errors:
        raise errors
    indicator_updates = _indicator_updates(report, section, indicators)
    activity_updates = _activity_updates(report, section, activities)
    if not (indicator_updates or activity_updates):
        return sheet  # nothing differs: the same file twice, or a save with no edits
    if sheet.revision != revision:
        raise WorkflowError(stale_message(sheet))
    now = clock.now()
    for realisation, entry in indicator_updates:
        old_value = realisation.value
        realisation.value = entry.value
        realisation.driving_factors = entry.driving
        realisation.inhibiting_factors = entry.inhibiting
        realisation.follow_up = entry.follow_up
        realisation.updated_by, realisation.updated_at = actor, now
        realisation.revision += 1
        realisation.save()
        if old_value != entry.value:
            RealisationChange.objects.create(
                realisation=realisation,
                old_value=old_value,
                new_value=entry.value,
                changed_by=actor,
                changed_at=now,
                source=source,
            )
        for upload in entry.files:
            _store_evidence(realisation, upload, evidence[id(upload)], actor, now)
    for row, entry in activity_updates:
        row.spent, row.physical_progress = entry.spent, entry.physical
        row.updated_by, row.updated_at = actor, now
        row.save()
    sheet.revision += 1
    sheet.updated_by, sheet.updated_at = actor, now
    sheet.save()
    return sheet


def _indicator_updates(report, section, entries) -> list[tuple[Realisation, IndicatorEntry]]:
    """The realisations this save would change, paired with their new content."""
    existing = {
        r.indicator_id: r
        for r in Realisation.objects.filter(report=report, indicator__section=section)
    }
    updates = []
    for entry in entries:
        realisation = existing.get(entry.indicator_id) or Realisation(
            report=report, indicator_id=entry.indicator_id
        )
        if realisation.value != entry.value or _text_changed(realisation, entry) or entry.files:
            updates.append((realisation, entry))
    return updates


def _activity_updates(report, section, entries) -> list[tuple[ActivityRealisation, ActivityEntry]]:
    existing = {
        a.activity_id: a
        for a in ActivityRealisation.objects.filter(report=report, activity__section=section)
    }
    updates = []
    for entry in entries:
        row = existing.get(entry.activity_id) or ActivityRealisation(
            report=report, activity_id=entry.activity_id
        )
        if (row.spent, row.physical_progress) != (entry.spent, entry.physical):
            updates.append((row, entry))
    return updates


@transaction.atomic
def section_data_submit(*, report_id: int, section_id: int, actor) -> Report:
    """Hand in the section's data: it locks, and the section's part of step 2 is done."""
    return sheet_submit(
        report_id=report_id, section_id=section_id, actor=actor, kind=SheetKind.DATA
    )


@transaction.atomic
def section_data_reopen(*, report_id: int, section_id: int, actor, reason: str) -> Report:
    """The data step's reopening role unlocks one section's handed-in data, with a reason."""
    return sheet_reopen(
        report_id=report_id, section_id=section_id, actor=actor, reason=reason, kind=SheetKind.DATA
    )


@transaction.atomic
def evidence_delete(*, evidence_id: int, actor) -> None:
    """Remove a wrongly uploaded evidence file while the section's data is still open."""
    evidence = Evidence.objects.select_related("realisation__indicator").get(pk=evidence_id)
    report = lock_report(evidence.realisation.report_id)
    section = section_for_editor(report, actor, evidence.realisation.indicator.section_id)
    ensure_editable(report, section, SheetKind.DATA)
    name = evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
