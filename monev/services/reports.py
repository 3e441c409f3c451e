"""Every write that moves a report through the SOP. Each function is one atomic transition:
lock the report row, re-check under the lock, change the state, write the step log."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import clock, workflow
from ..models import (
    LogAction,
    Office,
    Report,
    SectionSubmission,
    Sop,
    SopStep,
)
from ..selectors import current_sop
from ..workflow import ActionKind, WorkflowError
from .archive import archive_documents, documents_to_archive
from .data_checks import sheet_completeness_errors
from .documents import analysis_texts, ensure_bound_version, ensure_new_version
from .locking import lock_report, read_report
from .notifications import after_transition
from .step_log import log_step


def _finish_step(report: Report, step: SopStep, *, actor, note: str, now, documents=None) -> None:
    """Close the current step and move to the next one; the archive step archives
    ``documents`` rendered before the lock (see report_complete_step)."""
    log_step(report, step, action=LogAction.COMPLETE, actor=actor, now=now, note=note)
    following = workflow.next_step_number(report, step.number)
    if workflow.archives(step):
        archive_documents(report, now, documents)
        report.archived_at = now
    elif following is None:
        raise WorkflowError(_("SOP laporan ini tidak memiliki langkah pengarsipan."))
    else:
        report.current_step = following
        report.step_started_at = now
        after_transition(report, actor=actor)
    report.save(update_fields=["current_step", "step_started_at", "archived_at"])


def _ensure_analysis(report: Report) -> None:
    written = {pk for pk, text in analysis_texts(report).items() if text.strip()}
    missing = [s for s in workflow.active_sections(report) if s.pk not in written]
    if missing:
        raise WorkflowError(
            _("Analisis seksi %(sections)s belum diisi.")
            % {"sections": ", ".join(str(s) for s in missing)}
        )


def _ensure_no_section_reopened(report: Report) -> None:
    """The draft needs every section's data handed in, including any that were reopened."""
    for step in report.steps:
        if step.per_section and step.number < report.current_step:
            missing = workflow.missing_sections(report, step)
            if missing:
                raise WorkflowError(
                    _("Data seksi %(sections)s dibuka kembali dan belum dikirim ulang.")
                    % {"sections": ", ".join(str(s) for s in missing)}
                )


@transaction.atomic
def report_open(*, office: Office, year: int, quarter: int, actor) -> Report:
    """Open the quarter's cycle: the report starts at the SOP's first step."""
    staff = workflow.staff_of(actor)
    if staff is None or staff.office_id != office.pk:
        raise PermissionDenied(_("Anda tidak bekerja di kantor ini."))
    sop: Sop | None = current_sop(office)
    if sop is None:
        raise WorkflowError(_("Kantor ini belum memiliki SOP yang berlaku."))
    first = sop.steps.order_by("number").first()
    if not workflow.may_open_cycle(staff, first):
        raise PermissionDenied(_("Membuka siklus triwulan bukan tugas peran Anda."))
    now = clock.now()
    try:
        with transaction.atomic():
            report = Report.objects.create(
                office=office,
                year=year,
                quarter=quarter,
                sop=sop,
                current_step=first.number,
                step_started_at=now,
                opened_by=actor,
                opened_at=now,
            )
    except IntegrityError:
        raise WorkflowError(
            _("Laporan Triwulan %(quarter)s tahun %(year)s sudah dibuka.")
            % {"quarter": quarter, "year": year}
        ) from None
    log_step(report, first, action=LogAction.OPEN, actor=actor, now=now)
    after_transition(report, actor=actor)
    return report


def report_complete_step(
    *,
    report_id: int,
    actor,
    from_step: int,
    note: str = "",
    version: int | None = None,
    content_hash: str = "",
) -> Report:
    """The step's role declares the current step done; the report moves on (or is archived).

    A decision on the draft names the ``version`` decided on and its ``content_hash``."""
    documents = _documents_to_archive(report_id, actor, from_step)
    with transaction.atomic():
        report = lock_report(report_id)
        action = workflow.ensure_allowed(
            report, workflow.staff_of(actor), kind=ActionKind.COMPLETE, from_step=from_step
        )
        _ensure_not_signing(action.step)
        ensure_requirements(report, action.step, version=version, content_hash=content_hash)
        _finish_step(
            report,
            action.step,
            actor=actor,
            note=note.strip(),
            now=clock.now(),
            documents=documents,
        )
    return report


def _documents_to_archive(report_id: int, actor, from_step: int):
    """The archiving step's documents, rendered (seconds) before the lock after the cheap
    checks; None when the step does not archive. The transition re-checks under the lock."""
    report = read_report(report_id)
    action = workflow.ensure_allowed(
        report, workflow.staff_of(actor), kind=ActionKind.COMPLETE, from_step=from_step
    )
    _ensure_not_signing(action.step)
    return documents_to_archive(report) if workflow.archives(action.step) else None


def _ensure_not_signing(step: SopStep) -> None:
    if step.signs_document:
        # Only report_approve may complete it: an unsigned approval would archive unsigned.
        raise WorkflowError(
            _(
                "Langkah ini harus ditandatangani secara elektronik: setujui dengan passphrase "
                "sertifikat elektronik Anda."
            )
        )


def ensure_requirements(report: Report, step: SopStep, *, version, content_hash: str) -> None:
    """What the step's row requires before it may be completed, and the version a decision
    names: every completion (plain or signed) passes through here."""
    ensure_ready_to_draft(report, step)
    ensure_new_version(report)
    ensure_bound_version(report, step, version=version, content_hash=content_hash)


def ensure_ready_to_draft(report: Report, step: SopStep) -> None:
    """What the step's row requires of the data and analysis a draft of it would freeze."""
    if step.requires_all_sections:
        _ensure_no_section_reopened(report)
    if step.requires_analysis:
        _ensure_analysis(report)


@transaction.atomic
def report_return(*, report_id: int, actor, from_step: int, note: str) -> Report:
    """A decision step sends the draft back to its return target with a mandatory note."""
    report = lock_report(report_id)
    action = workflow.ensure_allowed(
        report,
        workflow.staff_of(actor),
        kind=ActionKind.RETURN,
        from_step=from_step,
        note=note,
    )
    now = clock.now()
    log_step(report, action.step, action=LogAction.RETURN, actor=actor, now=now, note=note.strip())
    report.current_step = action.step.return_to
    report.step_started_at = now
    report.save(update_fields=["current_step", "step_started_at"])
    after_transition(report, actor=actor)
    return report


@transaction.atomic
def report_submit_section(
    *, report_id: int, actor, from_step: int, section_id: int, note: str = ""
) -> Report:
    """A Kepala Seksi hands in their section's part; the last section completes the step."""
    report = lock_report(report_id)
    action = workflow.ensure_allowed(
        report,
        workflow.staff_of(actor),
        kind=ActionKind.SUBMIT,
        from_step=from_step,
        section_id=section_id,
    )
    if action.step.sheet:
        errors = sheet_completeness_errors(report, action.section, action.step.sheet)
        if errors:
            raise errors
    now = clock.now()
    SectionSubmission.objects.create(
        report=report,
        step_number=action.step.number,
        section=action.section,
        submitted_by=actor,
        submitted_at=now,
    )
    log_step(
        report,
        action.step,
        action=LogAction.SUBMIT,
        actor=actor,
        now=now,
        section=action.section,
        note=note.strip(),
    )
    still_missing = [
        s for s in workflow.missing_sections(report, action.step) if s.pk != action.section.pk
    ]
    if not still_missing:
        _finish_step(
            report,
            action.step,
            actor=actor,
            note=_("Semua seksi telah mengirim."),
            now=now,
        )
    return report
