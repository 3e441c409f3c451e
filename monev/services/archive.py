"""Step 13: freeze the approved document (PDF/A-3b with the E.81 workbook inside) and the
workbook itself, each with its SHA-256; check them later. The year ZIP: ``year_export``."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import clock, workflow
from ..exports.render_limit import RenderError, render_with_limit
from ..models import (
    ArchivedFile,
    ArchiveKind,
    LogAction,
    Report,
    StepLog,
)
from ..models.documents import archive_path
from ..selectors.snapshots import DocumentContent, latest_version, live_content, version_content
from ..workflow import WorkflowError

logger = logging.getLogger(__name__)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def approval_date(report: Report):
    """The day the Camat approved: the date the signature block carries."""
    step = workflow.approval_step(report)
    approved = (
        StepLog.objects.filter(
            report=report,
            action=LogAction.COMPLETE,
            step_number=step.number if step else None,
        )
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return timezone.localdate(approved or clock.now())


def final_content(report: Report) -> DocumentContent:
    """The content the decisions were bound to: the newest version's snapshot. Only a report
    whose versions predate snapshots (or that has none) is rendered from its rows."""
    version = latest_version(report)
    return (version_content(version) if version else None) or live_content(report)


def final_documents(report: Report, signature=None) -> dict[str, tuple[str, bytes]]:
    """The approved PDF/A-3b (with the workbook attached) and the E.81 workbook, unsigned,
    rendered from the approved version's snapshot: the draft the Camat read, final.

    ``signature`` (monev.signing.block.SignatureBlock) prints the Camat's electronic signature
    block in place of the space for a wet one."""
    from ..exports.e81 import build_e81  # heavy imports only when archiving
    from ..exports.pdf import render_report_pdf

    content = final_content(report)
    figures, analysis, place = content.figures, content.analysis, content.place
    signed_on = approval_date(report)
    stem = f"monev-{report.office.code}-{report.year}-tw{report.quarter}"
    workbook = build_e81(figures, place=place, signed_on=signed_on, analysis=analysis)
    try:
        pdf = render_with_limit(
            render_report_pdf,
            figures,
            draft=False,
            version=None,
            place=place,
            signed_on=signed_on,
            analysis=analysis,
            attachments=[(f"{stem}-e81.xlsx", workbook, _("Formulir E.81 Permendagri 86/2017"))],
            pdf_a=True,
            signature=signature,
        )
    except RenderError as error:
        raise WorkflowError(str(error)) from error
    return {ArchiveKind.PDF: (f"{stem}.pdf", pdf), ArchiveKind.XLSX: (f"{stem}-e81.xlsx", workbook)}


def documents_to_archive(report: Report) -> dict[str, tuple[str, bytes]] | None:
    """Outside any transaction: the files archiving will store, or None when the signing
    approval already stored them."""
    return None if report.archived_files.exists() else final_documents(report)


def archive_documents(report: Report, now, documents=None) -> None:
    """Inside the archiving transition: record the files; they reach the disk on commit.

    ``documents`` are files already made before the lock (the signed ones of the approval, or
    the archiving step's own); a report whose files were stored at approval keeps exactly
    those."""
    if report.archived_files.exists():
        return
    if documents is None:
        # Only when the SOP was edited to archive here between the check and the lock.
        documents = final_documents(report)
    for kind, (filename, content) in documents.items():
        record = ArchivedFile(
            report=report,
            kind=kind,
            filename=filename,
            sha256=sha256_of(content),
            size=len(content),
            created_at=now,
        )
        record.file.name = archive_path(record, filename)
        record.save()
        transaction.on_commit(
            lambda name=record.file.name, data=content: default_storage.save(
                name, ContentFile(data)
            )
        )


def archive_verify(record: ArchivedFile) -> bool:
    """True when the stored file still has the checksum it was archived with."""
    digest = hashlib.sha256()
    try:
        with default_storage.open(record.file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == record.sha256
