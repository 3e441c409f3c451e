"""The yearly Evaluasi SOP as an .xlsx workbook: the regulation's questions with the penilai's
answers, the conclusion, the monitoring evidence of both half-years, the year's step times and
the proposed standard times; printed with the print setup of every workbook."""

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
from .e81 import set_value

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)
HEAD_FILL = PatternFill("solid", fgColor="E6E6E6")
WIDTHS = [5, 46, 12, 12, 14, 14, 14, 16]
LAST_COLUMN = len(WIDTHS)


class _Writer:
    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 0

    def line(self, text: str = "", *, bold: bool = False, size: int | None = None) -> None:
        self.row += 1
        cell = self.sheet.cell(row=self.row, column=1)
        set_value(cell, text or None)
        cell.font = Font(bold=bold, size=size)

    def table_row(self, values: list, *, head: bool = False, merges=()) -> None:
        """One bordered row; ``merges`` are (first, last) column pairs joined into one cell."""
        self.row += 1
        for col, value in enumerate(values, start=1):
            cell = self.sheet.cell(row=self.row, column=col)
            if value is not None:
                set_value(cell, value)
            cell.border = BOX
            cell.alignment = CENTER if head or col not in (2, 5) else WRAP
            if head:
                cell.font = Font(bold=True)
                cell.fill = HEAD_FILL
        for first, last in merges:
            self.sheet.merge_cells(
                start_row=self.row, start_column=first, end_row=self.row, end_column=last
            )
        widths = dict(enumerate(WIDTHS, start=1))
        for first, last in merges:
            widths[first] = sum(WIDTHS[first - 1 : last])
        lines = max(
            (
                _wrapped_lines(value, widths[col])
                for col, value in enumerate(values, start=1)
                if isinstance(value, str)
            ),
            default=1,
        )
        self.sheet.row_dimensions[self.row].height = _LINE_HEIGHT * min(lines, 15) + 3


def build_evaluation_xlsx(page) -> bytes:
    day_seconds = office_calendar(page.office).day_seconds
    book = Workbook()
    sheet = book.active
    sheet.title = _("Evaluasi SOP")
    out = _Writer(sheet)
    out.line(_("EVALUASI SOP ADMINISTRASI PEMERINTAHAN"), bold=True, size=12)
    out.line(page.office.name)
    out.line(
        _("Nama SOP: %(name)s · Nomor: %(number)s")
        % {"name": page.sop.name, "number": page.sop.number or "—"}
    )
    out.line(_("Tahun: %(year)d") % {"year": page.year})
    out.line()
    number = pgettext("nomor urut", "No")
    out.table_row(
        [number, _("Pertanyaan evaluasi"), _("Ya"), pgettext("jawaban evaluasi", "Tidak"),
         _("Catatan"), None, None, None],
        head=True, merges=[(5, 8)],
    )  # fmt: skip
    for index, question in enumerate(page.questions(), start=1):
        out.table_row(
            [index, str(question["text"]), "✓" if question["ok"] is True else "",
             "✓" if question["ok"] is False else "", question["note"], None, None, None],
            merges=[(5, 8)],
        )  # fmt: skip
    out.line()
    out.line(_("Kesimpulan dan rekomendasi"), bold=True)
    conclusion = page.evaluation.conclusion if page.evaluation else ""
    out.line(conclusion or "—")
    sheet.cell(row=out.row, column=1).alignment = WRAP
    sheet.row_dimensions[out.row].height = _LINE_HEIGHT * _wrapped_lines(conclusion, sum(WIDTHS))
    sheet.merge_cells(start_row=out.row, start_column=1, end_row=out.row, end_column=LAST_COLUMN)
    out.line()
    out.line(_("Bukti monitoring"), bold=True)
    out.table_row(
        [_("Semester"), None, _("Monitoring"), None, _("Langkah yang tidak berjalan dengan baik"),
         None, None, None],
        head=True, merges=[(1, 2), (3, 4), (5, 8)],
    )  # fmt: skip
    for mpage in page.monitorings.values():
        out.table_row(
            [f"{mpage.half_label} {page.year}", None, _monitoring_state(mpage), None,
             _not_ok(mpage), None, None, None],
            merges=[(1, 2), (3, 4), (5, 8)],
        )  # fmt: skip
    out.line()
    out.table_row(
        [number, _("Prosedur"), _("Waktu baku"), _("Jumlah"), _("Tepat waktu"), _("Median"),
         _("Terlama"), _("Dikembalikan/dibuka kembali")],
        head=True,
    )  # fmt: skip
    for item in page.evidence:
        d = item.durations
        out.table_row(
            [
                item.number,
                item.name,
                item.standard_label or "—",
                d.count,
                f"{d.on_time}/{d.rated}" if d.rated else "—",
                format_working(d.median_seconds, day_seconds) if d.count else "—",
                format_working(d.slowest_seconds, day_seconds) if d.count else "—",
                item.repeats or "—",
            ]
        )
    out.line(
        _("Waktu langkah dalam jam kerja kantor yang berlaku saat langkah dikerjakan.")
        + (
            " "
            + _("Bukti dibekukan saat diparaf, %(when)s WIB.")
            % {"when": _when(page.evaluation.signed_at)}
            if page.signed
            else ""
        )
    )
    out.line()
    out.line(_("Usulan waktu baku baru"), bold=True)
    if page.proposals:
        out.table_row(
            [number, _("Langkah"), _("Waktu baku sekarang"), None, _("Temuan"), None,
             _("Usulan"), None],
            head=True, merges=[(3, 4), (5, 6), (7, 8)],
        )  # fmt: skip
        for p in page.proposals:
            found = (
                _("jauh di bawah waktu baku")
                if p.direction == "under"
                else _("jauh di atas waktu baku")
            )
            out.table_row(
                [p.number, p.name, p.current_label, None, f"{round(p.share * 100)}% {found}",
                 None, p.label, None],
                merges=[(3, 4), (5, 6), (7, 8)],
            )  # fmt: skip
    else:
        out.line(_("Tidak ada langkah yang waktu bakunya perlu diubah menurut data tahun ini."))
    out.line()
    if page.signed:
        out.line(_("Penilai") + ", " + page.evaluation.signer_title)
        out.line(page.evaluation.signer_name, bold=True)
        out.line(_("diparaf %(when)s WIB") % {"when": _when(page.evaluation.signed_at)})
    else:
        out.line(_("Belum diparaf penilai (draf)."))
    for col, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + col)].width = width
    print_setup(sheet, page.office.paper_size)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")


def _monitoring_state(mpage) -> str:
    monitoring = mpage.monitoring
    if monitoring is not None and monitoring.is_signed:
        return _("diparaf %(name)s, %(when)s") % {
            "name": monitoring.signer_name,
            "when": _when(monitoring.signed_at),
        }
    return _("draf") if monitoring is not None else _("belum diisi, menurut usulan")


def _not_ok(mpage) -> str:
    if not mpage.measured:
        return _("Tidak ada catatan langkah pada semester ini.")
    lines = [
        f"{line.evidence.number}. {line.evidence.name}" + (f" — {line.note}" if line.note else "")
        for line in mpage.lines
        if line.is_ok is False
    ]
    return "\n".join(lines) or _("Semua langkah berjalan dengan baik.")
