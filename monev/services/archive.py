"""Step 13: freeze the approved document (PDF/A-3b with the E.81 workbook inside) and the
workbook itself, each with its SHA-256; check them later; export a year as one ZIP."""

import hashlib
import io
import logging
import threading
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import clock, workflow
from ..exports.render_limit import RenderError, render_with_limit
from ..models import (
    ArchivedFile,
    ArchiveKind,
    ExportStatus,
    LogAction,
    Report,
    StepLog,
    YearExport,
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


def final_documents(report: Report) -> dict[str, tuple[str, bytes]]:
    """The approved PDF/A-3b (with the workbook attached) and the E.81 workbook, unsigned,
    rendered from the approved version's snapshot: the draft the Camat read, final."""
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
        )
    except RenderError as error:
        raise WorkflowError(str(error)) from error
    return {ArchiveKind.PDF: (f"{stem}.pdf", pdf), ArchiveKind.XLSX: (f"{stem}-e81.xlsx", workbook)}


def archive_documents(report: Report, now) -> None:
    """Inside the archiving transition: record the files; they reach the disk on commit."""
    for kind, (filename, content) in final_documents(report).items():
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


@transaction.atomic
def year_export_start(*, office, year: int, actor) -> YearExport:
    """Queue a ZIP of the year's archive; it is built in a background thread."""
    export = YearExport.objects.create(
        office=office, year=year, requested_by=actor, requested_at=clock.now()
    )
    transaction.on_commit(lambda: _start(export.pk))
    return export


def _start(export_id: int) -> None:
    threading.Thread(target=year_export_run, args=(export_id,), daemon=True).start()


def year_export_run(export_id: int) -> None:
    """Build the ZIP, counting progress per report so the page can show a bar."""
    export = YearExport.objects.get(pk=export_id)
    try:
        files = list(
            ArchivedFile.objects.filter(
                report__office=export.office, report__year=export.year
            ).select_related("report")
        )
        YearExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.RUNNING, total=len(files)
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, record in enumerate(files, start=1):
                with default_storage.open(record.file.name, "rb") as handle:
                    archive.writestr(f"TW{record.report.quarter}/{record.filename}", handle.read())
                archive.writestr(
                    f"TW{record.report.quarter}/{record.filename}.sha256",
                    f"{record.sha256}  {record.filename}\n",
                )
                YearExport.objects.filter(pk=export.pk).update(done=index)
        name = default_storage.save(
            f"ekspor/arsip-{export.office.code}-{export.year}.zip", ContentFile(buffer.getvalue())
        )
        YearExport.objects.filter(pk=export.pk).update(status=ExportStatus.DONE, file=name)
    except Exception as error:  # the page must learn of any failure, whatever it was
        logger.exception("year export %s failed", export_id)
        YearExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:500]
        )
    finally:
        # This thread's own connection: close it, or it lingers until garbage collection.
        connection.close()
