"""The approval that signs: the step marked "menandatangani dokumen" renders the final
documents, has the signer's certificate sign the PDF (PAdES), and keeps exactly those files as
the report's archive, so the archiving step stores what was signed and renders nothing again.

Rendering and signing take seconds, so they happen before any lock; the short transaction
afterwards re-checks that nobody moved the report meanwhile."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import clock, workflow
from ..models import ArchiveKind, DocumentSignature, Quarter, Report
from ..signing import SigningError, backend
from ..signing.block import signature_block, verification_code
from ..workflow import ActionKind, WorkflowError
from .archive import archive_documents, final_documents
from .locking import lock_report, read_report
from .reports import _finish_step, ensure_requirements


def step_signs(report: Report, from_step: int) -> bool:
    """Whether completing this step of the report is a signing approval (read from the SOP)."""
    step = workflow.steps_of(report).get(from_step)
    return step is not None and step.signs_document


def _check(report: Report, actor, from_step: int, *, version, content_hash: str):
    action = workflow.ensure_allowed(
        report, workflow.staff_of(actor), kind=ActionKind.COMPLETE, from_step=from_step
    )
    if not action.step.signs_document:
        raise WorkflowError(_("Langkah ini tidak menandatangani dokumen."))
    ensure_requirements(report, action.step, version=version, content_hash=content_hash)
    return action


def report_approve(
    *,
    report_id: int,
    actor,
    from_step: int,
    passphrase: str,
    note: str = "",
    version: int | None = None,
    content_hash: str = "",
) -> Report:
    """Approve and sign: on any refusal (wrong passphrase, no usable certificate, a report
    that moved on) a WorkflowError names it and nothing is written."""
    report = read_report(report_id)
    _check(report, actor, from_step, version=version, content_hash=content_hash)
    if not passphrase:
        raise WorkflowError(_("Isi passphrase sertifikat elektronik Anda untuk menandatangani."))
    signer = backend()
    now = clock.now()
    try:
        identity = signer.identity(actor, at=now)
        signer.check_passphrase(actor, passphrase, at=now)
        code = verification_code()
        documents = final_documents(report, signature=signature_block(identity, code=code, at=now))
        filename, pdf = documents[ArchiveKind.PDF]
        documents[ArchiveKind.PDF] = (
            filename,
            signer.sign_pdf(pdf, user=actor, passphrase=passphrase, at=now),
        )
    except SigningError as error:
        raise WorkflowError(str(error)) from error
    with transaction.atomic():
        report = lock_report(report_id)
        action = _check(report, actor, from_step, version=version, content_hash=content_hash)
        if report.archived_files.exists():
            raise WorkflowError(_("Dokumen laporan ini sudah ditandatangani."))
        archive_documents(report, now, documents)
        DocumentSignature.objects.create(
            code=code,
            report=report,
            archived_file=report.archived_files.get(kind=ArchiveKind.PDF),
            certificate_id=identity.certificate_id,
            title=_("Laporan Monitoring dan Evaluasi Kinerja %(period)s")
            % {"period": _period(report)},
            office_name=report.office.name,
            period=_period(report),
            signer_name=identity.name,
            signer_nip=identity.nip,
            signer_title=identity.job_title,
            signed_at=now,
        )
        _finish_step(report, action.step, actor=actor, note=note.strip(), now=now)
    return report


def _period(report: Report) -> str:
    return f"{Quarter(report.quarter).label} {report.year}"
