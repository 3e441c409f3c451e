"""Monitoring Pelaksanaan SOP AP as an .xlsx workbook in the regulation's layout, set up to
print on one landscape page width of the office's paper with the header rows repeated."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ..selectors.reports import office_calendar
from ..sheets import _LINE_HEIGHT, _wrapped_lines
from ..worktime import format_working
from ..xlsx_print import print_setup
from .e81 import safe_text, set_value

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WIDTHS = [5, 48, 12, 12, 40, 32, 18]
HEADER_ROW = 6


def _evidence(line, day_seconds: int) -> str:
    e = line.evidence
    d = e.durations
    if not d.count:
        return _("Tidak dilaksanakan pada periode ini.")
    parts = [_("%(n)d penyelesaian") % {"n": d.count}]
    if e.standard_label:
        parts.append(_("waktu baku %(label)s") % {"label": e.standard_label})
    if d.rated:
        parts.append(_("tepat waktu %(ok)d/%(all)d") % {"ok": d.on_time, "all": d.rated})
    parts.append(_("median %(t)s") % {"t": format_working(d.median_seconds, day_seconds)})
    parts.append(_("terlama %(t)s") % {"t": format_working(d.slowest_seconds, day_seconds)})
    if e.repeats:
        parts.append(
            _("dikembalikan %(r)d, dibuka kembali %(o)d") % {"r": e.returns, "o": e.reopenings}
        )
    return " · ".join(parts)


def build_monitoring_xlsx(page) -> bytes:
    day_seconds = office_calendar(page.office).day_seconds
    book = Workbook()
    sheet = book.active
    sheet.title = _("Monitoring SOP")
    sheet["A1"] = _("MONITORING PELAKSANAAN SOP ADMINISTRASI PEMERINTAHAN")
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = safe_text(page.office.name)
    sheet["A3"] = safe_text(
        _("Nama SOP: %(name)s · Nomor: %(number)s")
        % {
            "name": page.sop.name if page.sop else "—",
            "number": page.sop.number if page.sop else "—",
        }
    )
    sheet["A4"] = _("Periode: %(half)s %(year)d") % {"half": page.half_label, "year": page.year}
    headers = [
        pgettext("nomor urut", "No"),
        _("Prosedur"),
        _("Penilaian terhadap penerapan"),
        "",
        _("Catatan hasil penilaian"),
        _("Tindakan yang harus diambil"),
        _("Paraf penilai"),
    ]
    sub = ["", "", _("Berjalan dengan baik"), _("Tidak berjalan dengan baik"), "", "", ""]
    for col, (top, bottom) in enumerate(zip(headers, sub, strict=True), start=1):
        for row, value in ((HEADER_ROW, top), (HEADER_ROW + 1, bottom)):
            cell = sheet.cell(row=row, column=col, value=value or None)
            cell.font = Font(bold=True)
            cell.alignment = CENTER
            cell.border = BOX
            cell.fill = PatternFill("solid", fgColor="E6E6E6")
    sheet.merge_cells(start_row=HEADER_ROW, start_column=3, end_row=HEADER_ROW, end_column=4)
    for col in (1, 2, 5, 6, 7):
        sheet.merge_cells(
            start_row=HEADER_ROW, start_column=col, end_row=HEADER_ROW + 1, end_column=col
        )
    monitoring = page.monitoring
    paraf = ""
    if monitoring is not None and monitoring.is_signed:
        when = timezone.localtime(monitoring.signed_at).strftime("%d-%m-%Y %H:%M")
        paraf = f"{monitoring.signer_name}\n{when}"
    for index, line in enumerate(page.lines):
        row = HEADER_ROW + 2 + index
        values = [
            line.evidence.number,
            f"{line.evidence.name}\n({_evidence(line, day_seconds)})",
            "✓" if line.is_ok is True else "",
            "✓" if line.is_ok is False else "",
            line.note,
            line.action,
            paraf,
        ]
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col)
            set_value(cell, value)  # a catatan typed as "=..." stays text
            cell.border = BOX
            cell.alignment = CENTER if col in (1, 3, 4, 7) else WRAP
        # Excel does not grow row heights when opening a file.
        lines = max(
            _wrapped_lines(value, WIDTHS[col - 1])
            for col, value in enumerate(values, start=1)
            if isinstance(value, str)
        )
        sheet.row_dimensions[row].height = _LINE_HEIGHT * min(lines, 15) + 3
    for col, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + col)].width = width
    print_setup(sheet, page.office.paper_size, title_rows=f"{HEADER_ROW}:{HEADER_ROW + 1}")
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 2, column=1)
    output = BytesIO()
    book.save(output)
    return output.getvalue()
