"""Writes to a section's quarterly data (step 2): save a draft, hand it in, reopen it.

A save is all or nothing: every row is checked first and nothing is written unless every
row is valid. Evidence files reach the disk only after the transaction commits."""

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .. import clock, workflow
from ..evidence import inspect_upload
from ..models import (
    ActivityRealisation,
    Evidence,
    LogAction,
    Realisation,
    RealisationChange,
    Report,
    Role,
    Section,
    SectionSheet,
    SectionSubmission,
    SheetKind,
    StepLog,
)
from ..models.indicators import evidence_path
from ..selectors.section_data import sheet_step
from ..workflow import WorkflowError
from .data_checks import ActivityEntry, IndicatorEntry, check_entries, completeness_errors
from .reports import lock_report, report_submit_section


def _section_for_editor(report: Report, actor, section_id: int) -> Section:
    staff = workflow.staff_of(actor)
    workflow.ensure_may_view(report, staff)
    if staff.role != Role.KEPALA_SEKSI or staff.section_id != section_id:
        raise PermissionDenied(_("Anda hanya dapat mengisi data seksi Anda sendiri."))
    return staff.section


def _sheet_step(report: Report):
    step = sheet_step(report, SheetKind.DATA)
    if step is None:
        raise WorkflowError(_("SOP laporan ini tidak memiliki langkah pengisian data seksi."))
    return step


def _ensure_editable(report: Report, section: Section) -> None:
    step = _sheet_step(report)
    if report.is_archived:
        raise WorkflowError(_("Laporan ini sudah diarsipkan dan tidak dapat diubah lagi."))
    if report.current_step < step.number:
        raise WorkflowError(_("Pengisian data seksi belum dibuka untuk laporan ini."))
    if any(
        s.section_id == section.pk and s.step_number == step.number
        for s in report.submissions.all()
    ):
        raise WorkflowError(
            _("Data seksi ini sudah dikirim dan dikunci. Minta Kasubag PKP membukanya kembali.")
        )


def _stale_message(sheet: SectionSheet) -> str:
    who = sheet.updated_by.get_full_name() or sheet.updated_by.get_username()
    when = formats.date_format(timezone.localtime(sheet.updated_at), "j F Y H:i")
    return _(
        "Data seksi ini telah diubah oleh %(who)s pada %(when)s setelah Anda membuka halaman. "
        "Perubahan Anda belum disimpan: muat ulang halaman, lalu isi kembali."
    ) % {"who": who, "when": when}


def _store_evidence(realisation: Realisation, upload: UploadedFile, actor, now) -> None:
    inspected = inspect_upload(upload)
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

    def write():
        upload.seek(0)
        default_storage.save(name, upload)

    transaction.on_commit(write)


def _text_changed(realisation: Realisation, entry: IndicatorEntry) -> bool:
    return (realisation.driving_factors, realisation.inhibiting_factors, realisation.follow_up) != (
        entry.driving,
        entry.inhibiting,
        entry.follow_up,
    )


@transaction.atomic
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
    saved in between, and this save is refused rather than overwriting their work.
    """
    report = lock_report(report_id)
    section = _section_for_editor(report, actor, section_id)
    _ensure_editable(report, section)
    sheet, _created = SectionSheet.objects.select_for_update().get_or_create(
        report=report, section=section, kind=SheetKind.DATA
    )
    errors = check_entries(report, section, indicators, activities, complete=False)
    if errors:
        raise errors
    indicator_updates = _indicator_updates(report, section, indicators)
    activity_updates = _activity_updates(report, section, activities)
    if not (indicator_updates or activity_updates):
        return sheet  # nothing differs: the same file twice, or a save with no edits
    if sheet.revision != revision:
        raise WorkflowError(_stale_message(sheet))
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
            _store_evidence(realisation, upload, actor, now)
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
    """Hand in the section's data: it locks, and the section's part of step 2 is done.

    After a reopen (the report has moved on) the section hands in again without moving the
    report; the log records it as a resubmission.
    """
    report = lock_report(report_id)
    section = _section_for_editor(report, actor, section_id)
    _ensure_editable(report, section)
    step = _sheet_step(report)
    if report.current_step == step.number:
        return report_submit_section(
            report_id=report.pk, actor=actor, from_step=step.number, section_id=section.pk
        )
    errors = completeness_errors(report, section)
    if errors:
        raise errors
    now = clock.now()
    SectionSubmission.objects.create(
        report=report,
        step_number=step.number,
        section=section,
        submitted_by=actor,
        submitted_at=now,
    )
    StepLog.objects.create(
        report=report,
        step_number=step.number,
        step_name=step.name,
        role=step.role,
        section=section,
        action=LogAction.RESUBMIT,
        actor=actor,
        started_at=now,
        finished_at=now,
    )
    return report


@transaction.atomic
def section_data_reopen(*, report_id: int, section_id: int, actor, reason: str) -> Report:
    """The Kasubag PKP unlocks one section's handed-in data, with a reason, until the draft
    report exists."""
    report = lock_report(report_id)
    staff = workflow.staff_of(actor)
    workflow.ensure_may_view(report, staff)
    if staff.role != Role.KASUBAG_PKP:
        raise PermissionDenied(_("Hanya Kasubag PKP yang dapat membuka kembali data seksi."))
    if not reason.strip():
        raise WorkflowError(_("Alasan membuka kembali wajib diisi."))
    step = _sheet_step(report)
    if report.is_archived or workflow.draft_exists(report):
        raise WorkflowError(
            _("Draf laporan sudah disusun; data seksi tidak dapat dibuka kembali lagi.")
        )
    submission = next(
        (
            s
            for s in report.submissions.all()
            if s.section_id == section_id and s.step_number == step.number
        ),
        None,
    )
    if submission is None:
        raise WorkflowError(_("Data seksi ini belum dikirim; tidak ada yang perlu dibuka."))
    submission.delete()
    now = clock.now()
    StepLog.objects.create(
        report=report,
        step_number=step.number,
        step_name=step.name,
        role=staff.role,
        section_id=section_id,
        action=LogAction.REOPEN,
        actor=actor,
        started_at=now,
        finished_at=now,
        note=reason.strip(),
    )
    return report
