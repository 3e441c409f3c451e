"""What every section sheet (the step 2 data, the step 5 monev sheet) shares: who may fill
it, when it is open, handing it in, and reopening it by the role the step names."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .. import clock, workflow
from ..models import (
    LogAction,
    Report,
    Section,
    SectionSheet,
    SectionSubmission,
    SheetKind,
    SopStep,
)
from ..selectors.section_data import sheet_step
from ..workflow import WorkflowError
from .data_checks import sheet_completeness_errors
from .locking import lock_report, saved_by
from .reports import report_submit_section
from .step_log import log_step


def section_for_editor(report: Report, actor, section_id: int) -> Section:
    """Only the section's own Kepala Seksi fills its sheets."""
    staff = workflow.staff_of(actor)
    workflow.ensure_may_view(report, staff)
    if staff is None or staff.section_id != section_id:
        raise PermissionDenied(_("Anda hanya dapat mengisi data seksi Anda sendiri."))
    return staff.section


def step_for(report: Report, kind: str) -> SopStep:
    step = sheet_step(report, kind)
    if step is None:
        raise WorkflowError(_("SOP laporan ini tidak memiliki langkah untuk lembar ini."))
    return step


def _submission(report: Report, section_id: int, step: SopStep) -> SectionSubmission | None:
    return next(
        (
            s
            for s in report.submissions.all()
            if s.section_id == section_id and s.step_number == step.number
        ),
        None,
    )


def ensure_editable(report: Report, section: Section, kind: str) -> None:
    step = step_for(report, kind)
    if report.is_archived:
        raise WorkflowError(_("Laporan ini sudah diarsipkan dan tidak dapat diubah lagi."))
    if report.current_step < step.number:
        if kind == SheetKind.MONEV:
            raise WorkflowError(_("Pengisian blangko monev belum dibuka untuk laporan ini."))
        raise WorkflowError(_("Pengisian data seksi belum dibuka untuk laporan ini."))
    if _submission(report, section.pk, step):
        raise WorkflowError(
            _("Data seksi ini sudah dikirim dan dikunci. Minta %(role)s membukanya kembali.")
            % {"role": workflow.role_label(step.reopen_role)}
        )


def stale_message(sheet: SectionSheet) -> str:
    return _(
        "Data seksi ini telah diubah oleh %(who)s pada %(when)s setelah Anda membuka halaman. "
        "Perubahan Anda belum disimpan: muat ulang halaman, lalu isi kembali."
    ) % saved_by(sheet)


def sheet_submit(*, report_id: int, section_id: int, actor, kind: str) -> Report:
    """Hand in a sheet. During its step this is the section's part of the step; after a
    reopen (the report has moved on) it is a resubmission that does not move the report."""
    report = lock_report(report_id)
    section = section_for_editor(report, actor, section_id)
    ensure_editable(report, section, kind)
    step = step_for(report, kind)
    if report.current_step == step.number:
        return report_submit_section(
            report_id=report.pk, actor=actor, from_step=step.number, section_id=section.pk
        )
    errors = sheet_completeness_errors(report, section, kind)
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
    log_step(report, step, action=LogAction.RESUBMIT, actor=actor, now=now, section=section)
    return report


def sheet_reopen(*, report_id: int, section_id: int, actor, reason: str, kind: str) -> Report:
    """The step's reopening role unlocks one section's handed-in sheet, with a reason, until
    the draft report exists. The reopening is logged."""
    report = lock_report(report_id)
    staff = workflow.staff_of(actor)
    workflow.ensure_may_view(report, staff)
    step = step_for(report, kind)
    if not workflow.reopens(step, staff):
        raise PermissionDenied(
            _("Hanya %(role)s yang dapat membuka kembali data seksi.")
            % {"role": workflow.role_label(step.reopen_role)}
        )
    if not reason.strip():
        raise WorkflowError(_("Alasan membuka kembali wajib diisi."))
    if report.is_archived or workflow.draft_exists(report):
        raise WorkflowError(
            _("Draf laporan sudah disusun; data seksi tidak dapat dibuka kembali lagi.")
        )
    submission = _submission(report, section_id, step)
    if submission is None:
        raise WorkflowError(_("Data seksi ini belum dikirim; tidak ada yang perlu dibuka."))
    submission.delete()
    now = clock.now()
    log_step(
        report,
        step,
        action=LogAction.REOPEN,
        actor=actor,
        now=now,
        section=submission.section,
        note=reason.strip(),
        role=staff.role,
    )
    return report
