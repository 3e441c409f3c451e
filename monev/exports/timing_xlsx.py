"""Waktu SOP as an Excel workbook: the page's three tables, one sheet each.

Every duration is written twice: as working hours (a number, to compute with) and as text in
the office's working days ("1 hari 2 jam", to read). Text is written as string cells
(``set_value``), so no spreadsheet program evaluates it as a formula. Every sheet prints
landscape, one page wide, on the office's paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..models import Quarter
from ..selectors.timing import (
    DurationStats,
    Holding,
    LateStep,
    RoleLoad,
    StepTiming,
    TimingSummary,
)
from ..worktime import format_working
from ..xlsx_print import print_setup
from .e81 import set_value

STEPS_SHEET = "Per langkah"
LATE_SHEET = "Sering terlambat"
LOAD_SHEET = "Beban per peran"
HEADER_ROW = 4  # rows 1-2 hold the title and the period, row 3 stays empty

_HOURS = "0.00"
_PERCENT = "0.0%"
_DATETIME = "dd/mm/yyyy hh:mm"


def period_label(summary: TimingSummary) -> str:
    if summary.quarter is None:
        return _("Tahun %(year)s") % {"year": summary.year}
    return _("%(quarter)s %(year)s") % {
        "quarter": Quarter(summary.quarter).label,
        "year": summary.year,
    }


def hours(seconds: int | None) -> float | None:
    """Working hours as a number rounded to two decimals, None when there is no value."""
    return None if seconds is None else round(seconds / 3600, 2)


def _text(summary: TimingSummary, seconds: int | None) -> str:
    return "" if seconds is None else format_working(seconds, summary.day_seconds)


def _local(moment):
    # Excel has no time zones: write the office's wall-clock time.
    return timezone.localtime(moment).replace(tzinfo=None)


# Print widths: a page of 15 columns must stay one page wide at 7 pt or more.
_NARROW = 8
_TEXT = 26
_WRAP = Alignment(wrap_text=True, vertical="top")
# Arial, as in the E.81: the font the office's printers and LibreOffice both have metrics for.
_FONT = Font(name="Arial", size=10)
_BOLD = Font(name="Arial", size=10, bold=True)


def _write_table(
    sheet: Worksheet,
    first_row: int,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    formats: dict[int, str] | None = None,
) -> int:
    """Write a header row and the rows below it (``formats``: column -> number format);
    return the next free row."""
    formats = formats or {}
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=first_row, column=column)
        set_value(cell, header)
        cell.font = _BOLD
        cell.alignment = _WRAP
        # Narrow by default (headers wrap); _widths widens the text columns afterwards.
        sheet.column_dimensions[get_column_letter(column)].width = _NARROW
    next_row = first_row + 1
    for row in rows:
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=next_row, column=column)
            set_value(cell, value)
            cell.font = _FONT
            if isinstance(value, str):
                cell.alignment = _WRAP
            if column in formats:
                cell.number_format = formats[column]
        next_row += 1
    return next_row


def _widths(sheet: Worksheet, widths: dict[str, float]) -> None:
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width


def _title(sheet: Worksheet, summary: TimingSummary, title: str) -> None:
    set_value(sheet["A1"], f"{title} · {summary.office.name}")
    sheet["A1"].font = Font(name="Arial", bold=True, size=13)
    sheet["A2"].font = _FONT
    sheet["A2"] = _("Periode: %(period)s · diukur %(when)s · durasi dalam waktu kerja") % {
        "period": period_label(summary),
        "when": _local(summary.measured_at).strftime("%d/%m/%Y %H:%M"),
    }


def _duration_cells(summary: TimingSummary, stats: DurationStats) -> list:
    return [
        stats.count,
        hours(stats.median_seconds),
        _text(summary, stats.median_seconds),
        hours(stats.slowest_seconds),
        _text(summary, stats.slowest_seconds),
        # Without a standard time nothing was judged: leave the cells empty, not 0.
        stats.on_time if stats.rated else None,
        stats.late if stats.rated else None,
        stats.on_time_share,
    ]


STEP_HEADERS = [
    "Langkah",
    "Uraian prosedur",
    "Pelaksana",
    "Jenis",
    "Waktu baku",
    "Waktu baku (jam kerja)",
    "Jumlah",
    "Median (jam kerja)",
    "Median",
    "Terlama (jam kerja)",
    "Terlama",
    "Tepat waktu",
    "Terlambat",
    "Tepat waktu (%)",
    "Dikembalikan",
]


def step_rows(summary: TimingSummary, steps: Iterable[StepTiming]) -> list[list]:
    """One row per step; per-section steps get a second row for the sections' hand-ins."""
    rows = []
    for step in steps:
        head = [step.number, step.name, step.role_label]
        standard = [step.standard_label, hours(step.standard_seconds)]
        rows.append(
            [
                *head,
                _("Langkah"),
                *standard,
                *_duration_cells(summary, step.durations),
                step.returns,
            ]
        )
        if step.sections is not None:
            rows.append(
                [
                    *head,
                    _("Kiriman per seksi"),
                    *standard,
                    *_duration_cells(summary, step.sections),
                    None,
                ]
            )
    return rows


LATE_HEADERS = [
    "Peringkat",
    "Uraian prosedur",
    "Langkah",
    "Pelaksana",
    "Terlambat",
    "Dinilai",
    "Terlambat (%)",
    "Kiriman seksi terlambat",
    "Seksi yang terlambat",
]


def late_rows(late_steps: Iterable[LateStep]) -> list[list]:
    return [
        [
            item.rank,
            item.step.name,
            item.step.number,
            item.step.role_label,
            item.late,
            item.rated,
            item.late_share,
            item.late_submissions,
            ", ".join(f"{name} ({count})" for name, count in item.late_sections),
        ]
        for item in late_steps
    ]


LOAD_HEADERS = [
    "Peran",
    "Jumlah laporan",
    "Terlama ditahan (jam kerja)",
    "Terlama ditahan",
    "Melewati waktu baku",
]
HOLDING_HEADERS = [
    "Peran",
    "Laporan",
    "Langkah",
    "Uraian prosedur",
    "Seksi belum mengirim",
    "Pemegang",
    "Sejak",
    "Ditahan (jam kerja)",
    "Ditahan",
    "Waktu baku",
    "Melewati waktu baku",
]


def load_rows(summary: TimingSummary, loads: Iterable[RoleLoad]) -> list[list]:
    return [
        [
            load.role_label,
            load.count,
            hours(load.longest_seconds),
            _text(summary, load.longest_seconds),
            load.over_standard,
        ]
        for load in loads
    ]


def _over_standard(holding: Holding) -> str:
    if holding.standard_seconds is None:
        return ""
    return _("Ya") if holding.over_standard else _("Tidak")


def holding_rows(summary: TimingSummary, holdings: Iterable[Holding]) -> list[list]:
    return [
        [
            h.role_label,
            str(h.report),
            h.step_number,
            h.step_name,
            ", ".join(h.missing),
            ", ".join(h.holders),
            _local(h.since),
            hours(h.held_seconds),
            _text(summary, h.held_seconds),
            h.standard_label,
            _over_standard(h),
        ]
        for h in holdings
    ]


def build_timing_xlsx(
    summary: TimingSummary,
    *,
    steps: Iterable[StepTiming] | None = None,
    late_steps: Iterable[LateStep] | None = None,
    loads: Iterable[RoleLoad] | None = None,
    holdings: Iterable[Holding] | None = None,
) -> bytes:
    """The workbook; the row lists default to the summary's order (the page passes its sorted
    ones so the file matches what the user sees)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = STEPS_SHEET
    _title(sheet, summary, _("Waktu SOP per langkah"))
    rows = step_rows(summary, summary.steps if steps is None else steps)
    formats = {6: _HOURS, 8: _HOURS, 10: _HOURS, 14: _PERCENT}
    _write_table(sheet, HEADER_ROW, STEP_HEADERS, rows, formats)
    _widths(sheet, {"B": _TEXT, "C": 12})

    sheet = workbook.create_sheet(LATE_SHEET)
    _title(sheet, summary, _("Langkah yang paling sering terlambat"))
    rows = late_rows(summary.late_steps if late_steps is None else late_steps)
    _write_table(sheet, HEADER_ROW, LATE_HEADERS, rows, {7: _PERCENT})
    _widths(sheet, {"B": _TEXT, "D": 12, "I": _TEXT})

    sheet = workbook.create_sheet(LOAD_SHEET)
    _title(sheet, summary, _("Beban per peran (semua laporan terbuka)"))
    rows = load_rows(summary, summary.loads if loads is None else loads)
    next_row = _write_table(sheet, HEADER_ROW, LOAD_HEADERS, rows, {3: _HOURS})
    rows = holding_rows(summary, summary.holdings if holdings is None else holdings)
    _write_table(sheet, next_row + 1, HOLDING_HEADERS, rows, {7: _DATETIME, 8: _HOURS})
    _widths(sheet, {"A": 12, "B": 12, "D": _TEXT, "E": 14, "F": 14, "G": 14})

    for sheet in workbook.worksheets:
        print_setup(sheet, summary.office.paper_size, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
