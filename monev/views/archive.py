"""Arsip: archived reports by year, their frozen files, checksum checks and year ZIPs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import permissions
from ..listing import parse_sort, query_quarter, query_year, sort_links
from ..models import ArchivedFile, ExportStatus, Quarter, Report, YearExport
from ..services.archive import archive_verify
from ..services.year_export import year_export_start

# Column -> ordering; a leading "-" in ?sort= reverses it. Years stay grouped either way.
ARCHIVE_SORTS = {"laporan": ("year", "quarter"), "diarsipkan": ("year", "archived_at")}


@require_GET
def archive_list(request):
    staff = permissions.page_staff(request, permissions.Page.VIEW_ARCHIVE)
    reports = Report.objects.filter(office=staff.office, archived_at__isnull=False)
    all_years = sorted(set(reports.values_list("year", flat=True)), reverse=True)
    year, quarter = query_year(request.GET), query_quarter(request.GET)
    if year:
        reports = reports.filter(year=year)
    if quarter:
        reports = reports.filter(quarter=quarter)
    # Newest first unless the user picks a column.
    order = parse_sort(request.GET.get("sort"), ARCHIVE_SORTS)
    fields = ARCHIVE_SORTS[order.key] if order else ("year", "quarter")
    descending = order.descending if order else True
    fields = tuple(f"-{field}" if descending else field for field in fields)
    reports = reports.prefetch_related("archived_files").order_by(*fields)
    years: dict[int, list[Report]] = {}
    for report in reports:
        years.setdefault(report.year, []).append(report)
    exports = {
        e.year: e for e in YearExport.objects.filter(office=staff.office).order_by("requested_at")
    }
    context = {
        "years": [(y, items, exports.get(y)) for y, items in years.items()],
        "staff": staff,
        "all_years": all_years,
        "year": year,
        "quarter": quarter,
        "quarters": Quarter.choices,
        "sort": order.value if order else "",
        "sort_links": sort_links(ARCHIVE_SORTS, order, keep={"year": year, "quarter": quarter}),
    }
    return render(request, "monev/archive_list.html", context)


def _archived_file(request, pk: int) -> ArchivedFile:
    staff = permissions.page_staff(request, permissions.Page.VIEW_ARCHIVE)
    try:
        record = ArchivedFile.objects.select_related("report").get(pk=pk)
    except ArchivedFile.DoesNotExist:
        raise Http404(_("Berkas arsip tidak ditemukan.")) from None
    if record.report.office_id != staff.office_id:
        raise PermissionDenied(_("Berkas ini milik kantor lain."))
    return record


@require_GET
def archive_download(request, pk: int):
    record = _archived_file(request, pk)
    content_type = (
        "application/pdf"
        if record.kind == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        record.file.open("rb"),
        as_attachment=True,
        filename=record.filename,
        content_type=content_type,
    )


@require_POST
def archive_check(request, pk: int):
    record = _archived_file(request, pk)
    if archive_verify(record):
        messages.success(
            request,
            _("%(name)s utuh: SHA-256 sama dengan saat diarsipkan.") % {"name": record.filename},
        )
    else:
        messages.error(
            request,
            _("%(name)s TIDAK utuh: isinya berbeda dari saat diarsipkan (SHA-256 %(sha)s).")
            % {"name": record.filename, "sha": record.sha256},
        )
    return redirect("monev:archive_list")


@require_POST
def archive_export(request, year: int):
    staff = permissions.page_staff(request, permissions.Page.VIEW_ARCHIVE)
    if not Report.objects.filter(office=staff.office, year=year, archived_at__isnull=False):
        messages.error(request, _("Belum ada laporan yang diarsipkan pada tahun ini."))
        return redirect("monev:archive_list")
    export, created = year_export_start(office=staff.office, year=year, actor=request.user)
    if export.status == ExportStatus.DONE and not created:
        message = _("ZIP arsip tahun %(year)s sudah siap diunduh.")
    elif created:
        message = _("ZIP arsip tahun %(year)s sedang dibuat.")
    else:
        message = _("ZIP arsip tahun %(year)s sudah sedang dibuat; tunggu hingga selesai.")
    messages.info(request, message % {"year": year})
    return redirect("monev:archive_list")


@require_GET
def archive_export_status(request, pk: int):
    """The progress bar, polled by the page (htmx) while the ZIP is built."""
    staff = permissions.page_staff(request, permissions.Page.VIEW_ARCHIVE)
    export = YearExport.objects.filter(pk=pk, office=staff.office).first()
    if export is None:
        raise Http404(_("Ekspor tidak ditemukan."))
    return render(request, "monev/_export_status.html", {"export": export})


@require_GET
def archive_export_download(request, pk: int):
    staff = permissions.page_staff(request, permissions.Page.VIEW_ARCHIVE)
    export = YearExport.objects.filter(pk=pk, office=staff.office, status=ExportStatus.DONE).first()
    if export is None:
        raise Http404(_("ZIP belum siap."))
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"arsip-monev-{export.year}.zip",
        content_type="application/zip",
    )
