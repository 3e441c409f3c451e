"""Formulir E.81 of Permendagri 86/2017, "Evaluasi terhadap Hasil Renja Perangkat Daerah", as an
Excel workbook built from one report's QuarterFigures.

Rows first, formatting second: ``header_cells``, ``table_rows``, ``footer_rows``,
``signature_lines`` and ``data_records`` give plain values; the ``_write_*`` functions put them
into cells using a handful of named styles registered once per workbook, so no style object is
created per cell.

Layout of the sheet "E.81" (Excel rows):

1-3   title lines
5-7   column headers; form columns (5)-(14) are split into K (kinerja) and Rp (anggaran)
8     the form's column numbers 1-16
9+    a title row per section followed by its indicators, one row each; then the footer
      (average, predikat, factors, follow-up) and the signature block

The sheet "Data" holds the same figures as plain records for further analysis.

Every text that comes from users goes through ``safe_text`` so no spreadsheet program evaluates
it as a formula; numbers are written as numbers.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import math
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext, gettext_noop
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ..selectors.office_data import ActivityFigures, IndicatorFigures, QuarterFigures

__all__ = [
    "DATA_SHEET",
    "FIRST_DATA_ROW",
    "FORM_SHEET",
    "TableRow",
    "build_e81",
    "data_records",
    "footer_rows",
    "header_cells",
    "indonesian_date",
    "safe_text",
    "sheet_column",
    "signature_lines",
    "table_rows",
]

FORM_SHEET = "E.81"
DATA_SHEET = "Data"

HEADER_TOP = 5
SUBHEADER_ROW = 7  # "K" / "Rp"
NUMBER_ROW = 8  # the form's column numbers
FIRST_DATA_ROW = 9
LAST_COLUMN = 26  # 4 single + 10 split + 2 single form columns
SIGNATURE_COLUMNS = (22, LAST_COLUMN)  # V:Z, the right-hand side of the page

QUARTER_NAMES = ("I", "II", "III", "IV")
MONTHS = (
    gettext_noop("Januari"),
    gettext_noop("Februari"),
    gettext_noop("Maret"),
    gettext_noop("April"),
    gettext_noop("Mei"),
    gettext_noop("Juni"),
    gettext_noop("Juli"),
    gettext_noop("Agustus"),
    gettext_noop("September"),
    gettext_noop("Oktober"),
    gettext_noop("November"),
    gettext_noop("Desember"),
)

# Characters that make Excel/LibreOffice treat typed or pasted text as a formula (OWASP CSV
# injection list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_LINE_HEIGHT = 13  # points per line of 10 pt text
_MAX_LINES = 20

# Named styles, one per kind of cell.
_TITLE = "e81-title"
_SUBTITLE = "e81-subtitle"
_HEADER = "e81-header"
_TEXT = "e81-text"
_CENTER = "e81-center"
_K0 = "e81-k0"
_K1 = "e81-k1"
_K2 = "e81-k2"
_RP = "e81-rp"
_PERCENT = "e81-percent"
_SECTION = "e81-section"
_FOOTER_LABEL = "e81-footer-label"
_FOOTER_TEXT = "e81-footer-text"
_FOOTER_PERCENT = "e81-footer-percent"
_SIGN = "e81-sign"
_SIGN_NAME = "e81-sign-name"
_DATA_HEADER = "e81-data-header"
_K_STYLES = (_K0, _K1, _K2)

# Formats that render the same in Excel and LibreOffice. "#,##0.##" would show 85 as "85,".
_INTEGER_FORMAT = "#,##0"
_PERCENT_FORMAT = "#,##0.00"
_K_FORMATS = (_INTEGER_FORMAT, "#,##0.0", "#,##0.00")

# Widths by kind of sheet column.
_WIDTHS = {"no": 5, "k": 9, "rp": 14, "percent": 9}
_TEXT_WIDTHS = {2: 22, 3: 24, 4: 30, 25: 18, 26: 16}


def safe_text(value: str) -> str:
    """Text for a cell that no spreadsheet program will evaluate.

    Characters XML cannot carry are dropped; text starting like a formula (``=``, ``+``, ``-``,
    ``@``, tab, carriage return) gets a leading ``'``.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def indonesian_date(day: datetime.date) -> str:
    """``5 Oktober 2026``, independent of the active locale's date formats."""
    return f"{day.day} {gettext(MONTHS[day.month - 1])} {day.year}"


def sheet_column(form_column: int, *, rp: bool = False) -> int:
    """The sheet column (1-based) of form column 1..16; for (5)-(14) the K part unless ``rp``."""
    if form_column <= 4:
        return form_column
    if form_column <= 14:
        return 5 + (form_column - 5) * 2 + (1 if rp else 0)
    return form_column + 10


def _column_kinds() -> tuple[str, ...]:
    kinds = ["no", "text", "text", "text"]
    for form_column in range(5, 15):
        kinds += ["percent", "percent"] if form_column == 14 else ["k", "rp"]
    return (*kinds, "text", "text")


_KINDS = _column_kinds()


def _ref(first_column: int, first_row: int, last_column: int, last_row: int) -> str:
    start = f"{get_column_letter(first_column)}{first_row}"
    return f"{start}:{get_column_letter(last_column)}{last_row}"


def _quarter_period(figures: QuarterFigures) -> str:
    return gettext("Triwulan %(quarter)s Tahun %(year)s") % {
        "quarter": QUARTER_NAMES[figures.quarter - 1],
        "year": figures.year,
    }


# --- Rows first -----------------------------------------------------------------------------


def header_cells(figures: QuarterFigures) -> list[tuple[str, object, str]]:
    """The title lines and the column headers as (cell range, value, style name).

    A range of more than one cell is merged.
    """
    year = figures.year
    office = f"{figures.office_name} {figures.regency}".strip()
    titles = [
        (gettext("EVALUASI TERHADAP HASIL RENJA PERANGKAT DAERAH"), _TITLE),
        (safe_text(gettext("Renja Perangkat Daerah %(office)s") % {"office": office}), _SUBTITLE),
        (
            gettext("Periode Pelaksanaan: %(period)s") % {"period": _quarter_period(figures)},
            _SUBTITLE,
        ),
    ]
    cells: list[tuple[str, object, str]] = [
        (_ref(1, row, LAST_COLUMN, row), text, style)
        for row, (text, style) in enumerate(titles, start=1)
    ]
    single = {
        1: gettext("No"),
        2: gettext("Sasaran"),
        3: gettext("Program/Kegiatan/Sub Kegiatan"),
        4: gettext("Indikator Kinerja Program (outcome)/Kegiatan (output)"),
        15: gettext("Unit Perangkat Daerah Penanggung Jawab"),
        16: gettext("Keterangan"),
    }
    split = {
        5: gettext(
            "Target Kinerja dan Anggaran Renstra Perangkat Daerah pada Akhir Periode Renstra"
        ),
        6: gettext(
            "Realisasi Capaian Kinerja dan Anggaran Renstra Perangkat Daerah s.d. Renja "
            "Perangkat Daerah Tahun Lalu (%(year)s)"
        )
        % {"year": year - 1},
        7: gettext(
            "Target Kinerja dan Anggaran Renja Perangkat Daerah Tahun Berjalan (%(year)s) yang "
            "Dievaluasi"
        )
        % {"year": year},
        12: gettext(
            "Realisasi Capaian Kinerja dan Anggaran Renja Perangkat Daerah yang Dievaluasi"
        ),
        13: gettext(
            "Realisasi Kinerja dan Anggaran Renstra Perangkat Daerah s.d. Tahun %(year)s (Akhir "
            "Tahun Pelaksanaan Renja Perangkat Daerah)"
        )
        % {"year": year},
        14: gettext(
            "Tingkat Capaian Kinerja dan Realisasi Anggaran Renstra Perangkat Daerah s.d. Tahun "
            "%(year)s (%%)"
        )
        % {"year": year},
    }
    for form_column, text in single.items():
        column = sheet_column(form_column)
        cells.append((_ref(column, HEADER_TOP, column, SUBHEADER_ROW), text, _HEADER))
    for form_column, text in split.items():
        k = sheet_column(form_column)
        cells.append((_ref(k, HEADER_TOP, k + 1, SUBHEADER_ROW - 1), text, _HEADER))
    first_quarter, last_quarter = sheet_column(8), sheet_column(11, rp=True)
    cells.append(
        (
            _ref(first_quarter, HEADER_TOP, last_quarter, HEADER_TOP),
            gettext("Realisasi Kinerja dan Anggaran Renja Perangkat Daerah pada Triwulan"),
            _HEADER,
        )
    )
    for offset, name in enumerate(QUARTER_NAMES):
        k = sheet_column(8 + offset)
        cells.append((_ref(k, HEADER_TOP + 1, k + 1, HEADER_TOP + 1), name, _HEADER))
    for form_column in range(5, 15):
        k = sheet_column(form_column)
        cells.append((_ref(k, SUBHEADER_ROW, k, SUBHEADER_ROW), gettext("K"), _HEADER))
        cells.append((_ref(k + 1, SUBHEADER_ROW, k + 1, SUBHEADER_ROW), gettext("Rp"), _HEADER))
    for form_column in range(1, 17):
        first = sheet_column(form_column)
        last = sheet_column(form_column, rp=True) if 5 <= form_column <= 14 else first
        cells.append((_ref(first, NUMBER_ROW, last, NUMBER_ROW), form_column, _HEADER))
    return cells


@dataclass(frozen=True)
class TableRow:
    """A section title (``values`` = (name,)) or an indicator (the 26 sheet cells)."""

    is_section: bool
    values: tuple[object, ...]


def _nth(values: tuple, index: int):
    return values[index] if index < len(values) else None


def _indicator_cells(
    number: int, indicator: IndicatorFigures, activity: ActivityFigures | None, quarter: int
) -> tuple[object, ...]:
    """One indicator's row: K from the indicator, Rp from its Renja activity if known."""
    spent = activity.quarter_spent if activity else ()
    pairs = [
        (indicator.renstra_target, None),
        (indicator.renstra_realised_before, None),
        (indicator.annual_target, activity.budget if activity else None),
        # Quarters after the reported one stay blank even if the figures carry a value.
        *(
            (_nth(indicator.quarter_values, q), _nth(spent, q)) if q < quarter else (None, None)
            for q in range(4)
        ),
        (indicator.year_value, activity.year_spent if activity else None),
        # Rp of (5), (6), (13) and (14) would need the Renstra budget, which is not recorded.
        (indicator.renstra_realised, None),
        (indicator.renstra_achievement.percent, None),
    ]
    programme = " ".join(
        part for part in (indicator.activity_code, indicator.activity_name) if part
    )
    name = f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name
    remark = indicator.band.label if indicator.band else indicator.achievement.label
    return (
        number,
        safe_text(indicator.goal),
        safe_text(programme),
        safe_text(name),
        *(value for pair in pairs for value in pair),
        safe_text(indicator.section_name),
        safe_text(remark),
    )


def table_rows(figures: QuarterFigures) -> list[TableRow]:
    """The table body: per section with indicators, its title row and then its indicators."""
    activities = {a.code: a for a in figures.activities if a.code}
    rows: list[TableRow] = []
    number = 0
    for section in figures.sections:
        if not section.indicators:
            continue
        rows.append(TableRow(is_section=True, values=(safe_text(section.name),)))
        for indicator in section.indicators:
            number += 1
            activity = activities.get(indicator.activity_code) if indicator.activity_code else None
            cells = _indicator_cells(number, indicator, activity, figures.quarter)
            rows.append(TableRow(is_section=False, values=cells))
    return rows


def _distinct(texts: Iterable[str]) -> str:
    """Distinct non-empty texts in first-seen order, one per line; "-" when there is none."""
    found = dict.fromkeys(text.strip() for text in texts if text and text.strip())
    return "\n".join(found) or "-"


def _analysis_text(figures: QuarterFigures, analysis: dict[int, str]) -> str:
    """The Kasubag PKP's analyses (keyed by section id) in section order, named by section."""
    names = {section.section_id: section.name for section in figures.sections}
    order = [s.section_id for s in figures.sections if s.section_id in analysis]
    order += sorted(key for key in analysis if key not in names)
    parts = []
    for key in order:
        text = (analysis[key] or "").strip()
        if text:
            parts.append(f"{names[key]}: {text}" if key in names else text)
    return _distinct(parts)


def footer_rows(
    figures: QuarterFigures, analysis: dict[int, str] | None = None
) -> list[tuple[str, object]]:
    """(label, value) under the table; the average stays a number."""
    indicators = figures.indicators
    follow_up = _distinct(i.follow_up for i in indicators)
    renja = _analysis_text(figures, analysis) if analysis else "-"
    if renja == "-":
        renja = follow_up
    average = figures.average if figures.average is not None else gettext("tidak dapat dihitung")
    return [
        (gettext("Rata-rata capaian kinerja (%)"), average),
        (gettext("Predikat kinerja"), safe_text(figures.band.label) if figures.band else "-"),
        (
            gettext("Faktor pendorong keberhasilan pencapaian"),
            safe_text(_distinct(i.driving for i in indicators)),
        ),
        (
            gettext("Faktor penghambat pencapaian kinerja"),
            safe_text(_distinct(i.inhibiting for i in indicators)),
        ),
        (gettext("Tindak lanjut yang diperlukan dalam triwulan berikutnya"), safe_text(follow_up)),
        (
            gettext("Tindak lanjut yang diperlukan dalam Renja Perangkat Daerah berikutnya"),
            safe_text(renja),
        ),
    ]


def signature_lines(
    figures: QuarterFigures, place: str, signed_on: datetime.date
) -> list[tuple[str, str]]:
    """(text, style name) of the signature block, top to bottom; blank lines leave room to sign."""
    signer = figures.signer
    title = figures.head_title or (signer.title if signer else "")
    # Without a Camat on record the block is printed with dotted lines to fill in by hand.
    name = signer.name if signer else "(" + "." * 40 + ")"
    nip = signer.nip if signer and signer.nip else "." * 24
    return [
        (safe_text(f"{place}, {indonesian_date(signed_on)}"), _SIGN),
        (safe_text(title), _SIGN),
        ("", _SIGN),
        ("", _SIGN),
        ("", _SIGN),
        (safe_text(name), _SIGN_NAME),
        (safe_text(gettext("NIP. %(nip)s") % {"nip": nip}), _SIGN),
    ]


_SCALARS = (str, int, bool, Decimal, type(None))


@functools.cache
def _scalar_fields(cls) -> tuple[str, ...]:
    """Fields of a dataclass whose type is a plain value (optionally None)."""
    hints = typing.get_type_hints(cls)
    names = []
    for item in dataclasses.fields(cls):
        hint = hints[item.name]
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        options = typing.get_args(hint) if union else (hint,)
        if all(option in _SCALARS for option in options):
            names.append(item.name)
    return tuple(names)


def _quarters(prefix: str, values: tuple) -> dict[str, object]:
    return {f"{prefix}_{q + 1}": _nth(values, q) for q in range(4)}


def data_records(figures: QuarterFigures) -> tuple[list[str], list[list[object]]]:
    """The "Data" sheet: a header of field names and one record per indicator and activity."""
    records: list[dict[str, object]] = []
    for indicator in figures.indicators:
        record = {"record": "indicator"}
        record |= {name: getattr(indicator, name) for name in _scalar_fields(IndicatorFigures)}
        record |= _quarters("quarter_target", indicator.quarter_targets)
        record |= _quarters("quarter_value", indicator.quarter_values)
        record |= {
            "achievement_percent": indicator.achievement.percent,
            "achievement_status": indicator.achievement.status,
            "band": indicator.band.label if indicator.band else None,
            "year_achievement_percent": indicator.year_achievement.percent,
            "renstra_achievement_percent": indicator.renstra_achievement.percent,
        }
        records.append(record)
    for activity in figures.activities:
        record = {"record": "activity"}
        record |= {name: getattr(activity, name) for name in _scalar_fields(ActivityFigures)}
        record |= _quarters("quarter_spent", activity.quarter_spent)
        record["absorption"] = activity.absorption
        records.append(record)
    # Indicator and activity fields share a column where the names match (code, name, ...).
    columns = dict.fromkeys(["record", *_scalar_fields(IndicatorFigures)])
    for record in records:
        columns.update(dict.fromkeys(record))
    header = list(columns)
    rows = [
        [safe_text(v) if isinstance(v, str) else v for v in (r.get(key) for key in header)]
        for r in records
    ]
    return header, rows


# --- Formatting second ----------------------------------------------------------------------


def _register_styles(wb: Workbook) -> None:
    """The workbook's named styles; cells refer to them by name."""
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name="Arial", size=10)
    bold = Font(name="Arial", size=10, bold=True)
    shade = PatternFill("solid", fgColor="D9D9D9")
    light = PatternFill("solid", fgColor="F2F2F2")
    top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    top_right = Alignment(horizontal="right", vertical="top")
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
    specs = [
        (_TITLE, Font(name="Arial", size=12, bold=True), centered, None, None, "General"),
        (_SUBTITLE, bold, centered, None, None, "General"),
        (_HEADER, bold, centered, border, shade, "General"),
        (_TEXT, font, top_left, border, None, "General"),
        (_CENTER, font, Alignment(horizontal="center", vertical="top"), border, None, "General"),
        (_K0, font, top_right, border, None, _K_FORMATS[0]),
        (_K1, font, top_right, border, None, _K_FORMATS[1]),
        (_K2, font, top_right, border, None, _K_FORMATS[2]),
        (_RP, font, top_right, border, None, _INTEGER_FORMAT),
        (_PERCENT, font, top_right, border, None, _PERCENT_FORMAT),
        (_SECTION, bold, Alignment(vertical="center"), border, light, "General"),
        (_FOOTER_LABEL, bold, top_left, border, None, "General"),
        (_FOOTER_TEXT, font, top_left, border, None, "General"),
        (_FOOTER_PERCENT, font, Alignment(horizontal="left", vertical="top"), border, None,
         _PERCENT_FORMAT),
        (_SIGN, font, Alignment(horizontal="center"), None, None, "General"),
        (_SIGN_NAME, Font(name="Arial", size=10, bold=True, underline="single"),
         Alignment(horizontal="center"), None, None, "General"),
        (_DATA_HEADER, bold, Alignment(vertical="top", wrap_text=True), None, shade, "General"),
    ]  # fmt: skip
    for name, style_font, alignment, style_border, fill, number_format in specs:
        style = NamedStyle(name=name, font=style_font, alignment=alignment)
        style.number_format = number_format
        if style_border is not None:
            style.border = style_border
        if fill is not None:
            style.fill = fill
        wb.add_named_style(style)


def _put(ws: Worksheet, row: int, column: int, value: object, style: str) -> None:
    """Write one value with its named style."""
    cell = ws.cell(row=row, column=column)
    _set_value(cell, value)
    cell.style = style


def _set_value(cell, value: object) -> None:
    """Text always stays text; Decimals become plain numbers."""
    if isinstance(value, Decimal):
        cell.value = int(value) if value == value.to_integral_value() else float(value)
        return
    cell.value = value
    if isinstance(value, str):
        # openpyxl would read "=..." as a formula and "#N/A" as an error value.
        cell.data_type = "s"


def _k_style(value: object) -> str:
    """As many decimals as the value has, at most two, so 85 shows as "85" and 85.5 as "85,5"."""
    if not isinstance(value, Decimal | int | float):
        return _K0
    rounded = Decimal(str(value)).quantize(Decimal("0.01")).normalize()
    exponent = rounded.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return _K_STYLES[min(places, 2)]


def _cell_style(kind: str, value: object) -> str:
    if kind == "no":
        return _CENTER
    if kind == "k":
        return _k_style(value)
    if kind == "rp":
        return _RP
    if kind == "percent":
        return _PERCENT
    return _TEXT


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs: Excel does not grow row heights when it opens a file."""
    per_line = max(int(width) - 1, 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _height(lines: int) -> float:
    return _LINE_HEIGHT * min(max(lines, 1), _MAX_LINES) + 3


def _block(ws: Worksheet, ref: str, value: object, style: str) -> None:
    """``value`` in the first cell of ``ref``, every cell styled, merged if wider than one cell.

    Merged before styling: openpyxl then has no border to copy onto the merged edges (slow,
    one new Border per cell), and styling each cell by name is cheap and gives the same lines.
    """
    first_column, first_row, last_column, last_row = range_boundaries(ref)
    if (first_column, first_row) != (last_column, last_row):
        ws.merge_cells(ref)
        for row in ws.iter_rows(first_row, last_row, first_column, last_column):
            for cell in row:
                cell.style = style
    _put(ws, first_row, first_column, value, style)


def _write_header(ws: Worksheet, figures: QuarterFigures) -> None:
    for ref, value, style in header_cells(figures):
        _block(ws, ref, value, style)
    for row in (1, 2, 3):
        ws.row_dimensions[row].height = 18
    ws.row_dimensions[HEADER_TOP].height = 30
    ws.row_dimensions[HEADER_TOP + 1].height = 84
    for index, kind in enumerate(_KINDS, start=1):
        width = _TEXT_WIDTHS.get(index) or _WIDTHS[kind]
        ws.column_dimensions[get_column_letter(index)].width = width


def _write_table(ws: Worksheet, rows: list[TableRow]) -> int:
    """Write the table body; returns the last row used."""
    row_number = FIRST_DATA_ROW - 1
    for row in rows:
        row_number += 1
        if row.is_section:
            _put(ws, row_number, 1, None, _SECTION)
            _block(ws, _ref(2, row_number, LAST_COLUMN, row_number), row.values[0], _SECTION)
            ws.row_dimensions[row_number].height = _LINE_HEIGHT + 5
            continue
        lines = 1
        for column, (kind, value) in enumerate(zip(_KINDS, row.values, strict=True), start=1):
            _put(ws, row_number, column, value, _cell_style(kind, value))
            if kind == "text" and isinstance(value, str):
                lines = max(lines, _lines(value, _TEXT_WIDTHS[column]))
        ws.row_dimensions[row_number].height = _height(lines)
    return row_number


def _write_footer(ws: Worksheet, first_row: int, rows: list[tuple[str, object]]) -> int:
    """Label across form columns 1-4, value across the rest; returns the last row used."""
    label_width = sum(_TEXT_WIDTHS.get(c) or _WIDTHS[k] for c, k in enumerate(_KINDS[:4], 1))
    value_width = sum(_TEXT_WIDTHS.get(c) or _WIDTHS[k] for c, k in enumerate(_KINDS, 1))
    value_width -= label_width
    row_number = first_row - 1
    for label, value in rows:
        row_number += 1
        style = _FOOTER_TEXT if isinstance(value, str) else _FOOTER_PERCENT
        _block(ws, _ref(1, row_number, 4, row_number), label, _FOOTER_LABEL)
        _block(ws, _ref(5, row_number, LAST_COLUMN, row_number), value, style)
        lines = _lines(label, label_width)
        if isinstance(value, str):
            lines = max(lines, _lines(value, value_width))
        ws.row_dimensions[row_number].height = _height(lines)
    return row_number


def _write_signature(ws: Worksheet, first_row: int, lines: list[tuple[str, str]]) -> int:
    first_column, last_column = SIGNATURE_COLUMNS
    row_number = first_row - 1
    for text, style in lines:
        row_number += 1
        _block(ws, _ref(first_column, row_number, last_column, row_number), text or None, style)
    return row_number


def _page_setup(ws: Worksheet) -> None:
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{HEADER_TOP}:{NUMBER_ROW}"
    ws.oddFooter.center.text = gettext("Halaman &P dari &N")


def _write_data_sheet(wb: Workbook, figures: QuarterFigures) -> None:
    ws = wb.create_sheet(DATA_SHEET)
    header, rows = data_records(figures)
    for column, name in enumerate(header, start=1):
        _put(ws, 1, column, name, _DATA_HEADER)
        ws.column_dimensions[get_column_letter(column)].width = 16
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            if value is not None:
                _set_value(ws.cell(row=row_number, column=column), value)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = _ref(1, 1, len(header), len(rows) + 1)


def build_e81(
    figures: QuarterFigures,
    *,
    place: str,
    signed_on: datetime.date,
    analysis: dict[int, str] | None = None,
) -> bytes:
    """The Formulir E.81 workbook (.xlsx bytes) of one quarterly report.

    ``analysis`` maps section ids to the Kasubag PKP's analysis; when it holds text it fills
    "Tindak lanjut ... dalam Renja Perangkat Daerah berikutnya", otherwise the indicators'
    follow-up texts do.
    """
    wb = Workbook()
    _register_styles(wb)
    ws = wb.active
    ws.title = FORM_SHEET
    _write_header(ws, figures)
    last = _write_table(ws, table_rows(figures))
    last = _write_footer(ws, last + 2, footer_rows(figures, analysis))
    _write_signature(ws, last + 2, signature_lines(figures, place, signed_on))
    _page_setup(ws)
    _write_data_sheet(wb, figures)
    wb.properties.title = gettext("Evaluasi terhadap Hasil Renja Perangkat Daerah")
    wb.properties.creator = "Sutera Kinerja"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
