"""The year ZIP: one job per office and year, built by the task worker (never in the web
process), streamed to a temporary file and then into storage, cleaned after a set time."""

import datetime
import logging
import tempfile
import zipfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .. import clock
from ..models import ArchivedFile, ExportStatus, YearExport

logger = logging.getLogger(__name__)

ACTIVE = (ExportStatus.PENDING, ExportStatus.RUNNING)


def year_export_start(*, office, year: int, actor) -> tuple[YearExport, bool]:
    """The export the caller should watch, and whether it is new: a fresh finished ZIP of this
    year, or the one being built, or else a new job. Many requests at once give one job."""
    from ..tasks import build_year_export, clean_year_exports

    with transaction.atomic():
        current = _current(office, year)
        if current is not None:
            return current, False
        try:
            with transaction.atomic():
                export = YearExport.objects.create(
                    office=office, year=year, requested_by=actor, requested_at=clock.now()
                )
        except IntegrityError:  # another request created it a moment ago
            return YearExport.objects.get(office=office, year=year, status__in=ACTIVE), False
        # The job's queue row commits with the export row, or neither does.
        result = build_year_export.enqueue(export.pk)
        YearExport.objects.filter(pk=export.pk).update(task_id=str(result.id))
        clean_year_exports.enqueue()
    export.refresh_from_db()
    return export, True


def _current(office, year: int) -> YearExport | None:
    active = YearExport.objects.select_for_update().filter(
        office=office, year=year, status__in=ACTIVE
    )
    for export in active:
        if _job_lost(export):
            # Its job ended without finishing it (failed too often): let a new one start.
            YearExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.FAILED, error=_("pekerjaan berhenti sebelum ZIP selesai.")
            )
            continue
        return export
    done = (
        YearExport.objects.filter(office=office, year=year, status=ExportStatus.DONE)
        .order_by("-requested_at")
        .first()
    )
    if done is None or not default_storage.exists(done.file.name):
        return None
    newest = ArchivedFile.objects.filter(report__office=office, report__year=year).aggregate(
        newest=Max("created_at")
    )["newest"]
    # Still the whole year: nothing was archived after it was requested.
    return done if newest is None or newest <= done.requested_at else None


def _job_lost(export: YearExport) -> bool:
    from ..tasks import build_year_export

    if not export.task_id or not build_year_export.get_backend().supports_get_result:
        return False
    try:
        result = build_year_export.get_result(export.task_id)
    except Exception:  # noqa: BLE001 - an unknown or pruned result is as good as lost
        return True
    return result.is_finished


def year_export_run(export_id: int) -> None:
    """Build the ZIP, counting progress per file so the page can show a bar. Idempotent: a
    finished export is left alone, a half-built one (its worker died) is built again."""
    export = YearExport.objects.select_related("office").filter(pk=export_id).first()
    if export is None or export.status == ExportStatus.DONE:
        return
    files = list(
        ArchivedFile.objects.filter(
            report__office=export.office, report__year=export.year
        ).select_related("report")
    )
    YearExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, total=len(files), done=0
    )
    try:
        name = _write_zip(export, files)
    except Exception as error:  # the page must learn of any failure, whatever it was
        logger.exception("year export %s failed", export_id)
        YearExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:500], finished_at=clock.now()
        )
        return
    YearExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE, file=name, finished_at=clock.now()
    )


def _write_zip(export: YearExport, files: list[ArchivedFile]) -> str:
    name = f"ekspor/arsip-{export.office.code}-{export.year}-{export.pk}.zip"
    # On disk, never in memory: a year of PDFs can be large.
    with tempfile.TemporaryFile(suffix=".zip") as temporary:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, record in enumerate(files, start=1):
                folder = f"TW{record.report.quarter}"
                with (
                    default_storage.open(record.file.name, "rb") as source,
                    archive.open(f"{folder}/{record.filename}", "w") as target,
                ):
                    for chunk in iter(lambda: source.read(1024 * 1024), b""):
                        target.write(chunk)
                archive.writestr(
                    f"{folder}/{record.filename}.sha256", f"{record.sha256}  {record.filename}\n"
                )
                YearExport.objects.filter(pk=export.pk).update(done=index)
        temporary.seek(0)
        if default_storage.exists(name):  # left by an attempt whose worker died
            default_storage.delete(name)
        return default_storage.save(name, File(temporary, name=name))


def year_exports_clean() -> int:
    """Delete the ZIPs (and their rows) older than YEAR_EXPORT_KEEP_HOURS."""
    cutoff = clock.now() - datetime.timedelta(hours=settings.YEAR_EXPORT_KEEP_HOURS)
    old = YearExport.objects.filter(requested_at__lt=cutoff).exclude(status__in=ACTIVE)
    removed = 0
    for export in old:
        # The row first: nobody is offered a download whose file is already gone.
        if YearExport.objects.filter(pk=export.pk).delete()[0] and export.file.name:
            default_storage.delete(export.file.name)
        removed += 1
    return removed
