"""A section's quarterly sheet as an Excel workbook: download, fill offline, upload.

Plain dataclasses in and out, no models: the caller loads the rows and maps what is read
back onto its models. Building keeps "rows first, formatting second": one function yields the
cell values of a sheet, another styles them.

Layout of the sheets "Indikator" and "Kegiatan" (Excel rows):

1-3  title lines (office, section, quarter)
4    instruction
5    hidden row with the column keys, so the reader finds columns by key, not by position
6    visible header
7+   one row per indicator/activity; hidden column A holds its id

A "very hidden" sheet holds the report and section the file was made for. Uploaded files are
untrusted: the zip container is checked before openpyxl sees it, and every problem becomes a
SheetError with messages in Indonesian.
"""

from __future__ import annotations

import datetime
import math
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

from . import ooxml, xlsx_stream
from .numbers import NumberError, format_decimal, parse_decimal, parse_rupiah, whole_number
from .validation import (
    PHYSICAL_LABEL,
    PHYSICAL_PLACES,
    REALISATION_PLACES,
    SPENT_LABEL,
    text_too_long,
)
from .xlsx_print import print_setup

__all__ = [
    "MAX_UPLOAD_BYTES",
    "ActivityInput",
    "ActivityRow",
    "IndicatorInput",
    "IndicatorRow",
    "ParsedSheet",
    "SheetError",
    "SheetMeta",
    "build_section_workbook",
    "read_section_workbook",
]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PACKAGE_LIMITS = ooxml.PackageLimits(members=100, uncompressed_bytes=50 * 1024 * 1024)
# A section has tens of rows; anything far beyond is not a filled-in sheet. Rows, cells and
# XML bytes are counted on a stream before openpyxl, which holds every cell in memory.
MAX_SHEET_ROWS = 5000
MAX_WORKBOOK_CELLS = 100_000
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_REALISATION = Decimal(1_000_000_000)
MAX_RUPIAH = 10**15

# Protection only prevents accidental edits of locked cells; it is not a secret.
SHEET_PASSWORD = "sutera"

INDICATOR_SHEET = "Indikator"
ACTIVITY_SHEET = "Kegiatan"
META_SHEET = "sutera_meta"
FORMAT_NAME = "sutera-kinerja/lembar-seksi"
FORMAT_VERSION = 1

TITLE_ROWS = 3
INSTRUCTION_ROW = 4
KEY_ROW = 5
HEADER_ROW = 6
FIRST_DATA_ROW = 7
# The reader looks for the key row within the top rows, so extra rows above it still work.
KEY_ROW_SEARCH = 30
KEY_COLUMN_SEARCH = 40

QUARTER_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV"}

# Rupiah and other whole numbers, shown with thousands separators of the user's locale.
INTEGER_FORMAT = "#,##0"


@dataclass(frozen=True)
class SheetMeta:
    report_id: int
    section_id: int
    office_name: str
    section_name: str
    year: int
    quarter: int
    # The sheet revision the download was made from: an upload of an older download must not
    # silently overwrite what was saved on the web since.
    revision: int = 0


@dataclass(frozen=True)
class IndicatorRow:
    indicator_id: int
    code: str
    name: str
    unit: str
    target: Decimal | None
    direction_label: str
    value: Decimal | None
    driving: str
    inhibiting: str
    follow_up: str
    # Beside the input, as on the web form: the year's target and the earlier quarters'
    # realisations, (quarter, value).
    annual: Decimal | None = None
    earlier: tuple[tuple[int, Decimal | None], ...] = ()


@dataclass(frozen=True)
class ActivityRow:
    activity_id: int
    code: str
    name: str
    budget: int | None
    spent: int | None
    physical: Decimal | None


@dataclass(frozen=True)
class IndicatorInput:
    row: int
    indicator_id: int
    value: Decimal | None
    driving: str
    inhibiting: str
    follow_up: str


@dataclass(frozen=True)
class ActivityInput:
    row: int
    activity_id: int
    spent: int | None
    physical: Decimal | None


@dataclass(frozen=True)
class ParsedSheet:
    indicators: list[IndicatorInput]
    activities: list[ActivityInput]
    revision: int = 0


class SheetError(Exception):
    """An uploaded workbook that cannot be accepted; ``errors`` are messages for the user."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


def quarter_title(year: int, quarter: int) -> str:
    """``Triwulan II 2026``."""
    return gettext("Triwulan %(quarter)s %(year)s") % {
        "quarter": QUARTER_NAMES[quarter],
        "year": year,
    }


# --- Building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    key: str
    header: str
    width: float
    kind: str  # "id", "text", "decimal" or "rupiah"
    editable: bool = False


@dataclass(frozen=True)
class _SheetContent:
    title: str
    titles: list[str]
    instruction: str
    columns: list[_Column]
    rows: list[list[object]]
    empty_note: str


def _indicator_columns(quarter: int = 1) -> list[_Column]:
    """The columns of the Indikator sheet. Beside the input, read-only and in the web form's
    words: the triwulan's target, then the year's target and the earlier quarters' realisations
    stacked in one cell as the form stacks them, so the sheet still prints one page wide."""
    return [
        _Column("indicator_id", "ID", 6, "id"),
        _Column("code", gettext("Kode"), 10, "text"),
        _Column("name", gettext("Indikator"), 26, "text"),
        _Column("unit", gettext("Satuan"), 9, "text"),
        _Column("direction", gettext("Arah"), 10, "text"),
        _Column(
            "target",
            gettext("Target Triwulan %(q)s") % {"q": QUARTER_NAMES[quarter]},
            11,
            "decimal",
        ),
        _Column("reference", gettext("Target tahunan dan realisasi sebelumnya"), 20, "text"),
        _Column("value", gettext("Realisasi"), 13, "decimal", editable=True),
        _Column("driving", gettext("Faktor pendorong"), 20, "text", editable=True),
        _Column("inhibiting", gettext("Faktor penghambat"), 20, "text", editable=True),
        _Column("follow_up", gettext("Tindak lanjut"), 20, "text", editable=True),
    ]


def _reference(row: IndicatorRow, quarter: int) -> str:
    """What the web form shows under the target, line by line."""
    lines = [gettext("Target tahunan %(target)s") % {"target": format_decimal(row.annual)}]
    earlier = dict(row.earlier)
    lines += [
        gettext("Realisasi TW %(q)s: %(value)s")
        % {"q": QUARTER_NAMES[q], "value": format_decimal(earlier.get(q))}
        for q in range(1, quarter)
    ]
    return "\n".join(lines)


def _activity_columns() -> list[_Column]:
    return [
        _Column("activity_id", "ID", 6, "id"),
        _Column("code", gettext("Kode"), 16, "text"),
        _Column("name", gettext("Sub kegiatan"), 50, "text"),
        _Column("budget", gettext("Pagu (Rp)"), 18, "rupiah"),
        _Column("spent", str(SPENT_LABEL), 24, "rupiah", editable=True),
        _Column("physical", str(PHYSICAL_LABEL), 22, "decimal", editable=True),
    ]


def _titles(meta: SheetMeta) -> list[str]:
    return [
        meta.office_name,
        gettext("Seksi: %(section)s") % {"section": meta.section_name},
        gettext("Realisasi kinerja %(period)s")
        % {"period": quarter_title(meta.year, meta.quarter)},
    ]


def _indicator_content(meta: SheetMeta, indicators: list[IndicatorRow]) -> _SheetContent:
    """The cell values of the Indikator sheet."""
    rows = [
        [
            row.indicator_id,
            row.code,
            row.name,
            row.unit,
            row.direction_label,
            row.target,
            _reference(row, meta.quarter),
            row.value,
            row.driving,
            row.inhibiting,
            row.follow_up,
        ]
        for row in indicators
    ]
    return _SheetContent(
        title=INDICATOR_SHEET,
        titles=_titles(meta),
        instruction=gettext(
            "Isi hanya sel berwarna kuning: Realisasi, Faktor pendorong, Faktor penghambat dan "
            "Tindak lanjut. Angka desimal boleh memakai koma (misalnya 85,5). Biarkan Realisasi "
            "kosong bila datanya belum ada. Bila capaian di bawah target, isi Faktor penghambat "
            "dan Tindak lanjut; bila target tercapai, isi Faktor pendorong. Jangan menghapus "
            "baris. Simpan sebagai .xlsx lalu unggah kembali."
        ),
        columns=_indicator_columns(meta.quarter),
        rows=rows,
        empty_note=gettext("Seksi ini belum memiliki indikator untuk triwulan ini."),
    )


def _activity_content(meta: SheetMeta, activities: list[ActivityRow]) -> _SheetContent:
    """The cell values of the Kegiatan sheet."""
    rows = [
        [row.activity_id, row.code, row.name, row.budget, row.spent, row.physical]
        for row in activities
    ]
    return _SheetContent(
        title=ACTIVITY_SHEET,
        titles=_titles(meta),
        instruction=gettext(
            "Isi hanya sel berwarna kuning. Realisasi anggaran triwulan ini dalam rupiah tanpa "
            "sen (misalnya 12500000). Realisasi fisik s.d. triwulan ini dalam persen, dari 0 "
            "sampai 100; desimal boleh memakai koma (misalnya 62,5). Jangan menghapus baris."
        ),
        columns=_activity_columns(),
        rows=rows,
        empty_note=gettext("Seksi ini tidak memiliki sub kegiatan untuk triwulan ini."),
    )


def _put(ws: Worksheet, row: int, column: int, value: object) -> None:
    """Write one value; text always stays text."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        # Text saved through the web form may hold control characters XML cannot carry, and
        # openpyxl would turn text starting with "=" into a formula.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


def _write_values(ws: Worksheet, content: _SheetContent) -> None:
    """Rows first: put every value in its cell, no styling."""
    ws.title = content.title
    for offset, line in enumerate(content.titles):
        _put(ws, 1 + offset, 2, line)
    # With no rows the note replaces the instruction: a note under the header would be read
    # back as a row without an id.
    _put(ws, INSTRUCTION_ROW, 2, content.instruction if content.rows else content.empty_note)
    for index, column in enumerate(content.columns, start=1):
        _put(ws, KEY_ROW, index, column.key)
        _put(ws, HEADER_ROW, index, column.header)
    for row_number, values in enumerate(content.rows, start=FIRST_DATA_ROW):
        for index, value in enumerate(values, start=1):
            _put(ws, row_number, index, value)


def _write_meta(wb: Workbook, meta: SheetMeta) -> None:
    ws = wb.create_sheet(META_SHEET)
    pairs = [
        ("format", FORMAT_NAME),
        ("version", FORMAT_VERSION),
        ("report_id", meta.report_id),
        ("section_id", meta.section_id),
        ("year", meta.year),
        ("quarter", meta.quarter),
        ("section_name", meta.section_name),
        ("revision", meta.revision),
    ]
    for row_number, (key, value) in enumerate(pairs, start=1):
        _put(ws, row_number, 1, key)
        _put(ws, row_number, 2, value)
    # Very hidden: not listed in Excel's "Unhide" dialog; workbook structure lock keeps it so.
    ws.sheet_state = "veryHidden"
    ws.protection.password = SHEET_PASSWORD
    ws.protection.sheet = True


_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_LINE_HEIGHT = 15  # points per line of 11 pt text


def _fixed_decimal_format(value: Decimal) -> str:
    """Exactly the digits of a value that cannot be edited, without a dangling comma."""
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return INTEGER_FORMAT + ("." + "0" * places if places else "")


def _wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs: Excel does not grow row heights when opening a file."""
    per_line = max(int(width) - 2, 1)
    return sum(max(1, math.ceil(len(paragraph) / per_line)) for paragraph in text.split("\n"))


def _style(ws: Worksheet, content: _SheetContent) -> None:
    """Formatting second: widths, fonts, shading, number formats, protection."""
    last_column = len(content.columns)
    last_letter = get_column_letter(last_column)

    for offset in range(TITLE_ROWS):
        size = 14 if offset == 0 else 12
        ws.cell(row=1 + offset, column=2).font = Font(bold=True, size=size)
    ws.merge_cells(f"B{INSTRUCTION_ROW}:{last_letter}{INSTRUCTION_ROW}")
    instruction = ws.cell(row=INSTRUCTION_ROW, column=2)
    instruction.font = Font(italic=True, color="7F6000")
    instruction.alignment = Alignment(wrap_text=True, vertical="top")
    instruction.fill = _INPUT_FILL
    ws.row_dimensions[INSTRUCTION_ROW].height = _LINE_HEIGHT * 3

    ws.row_dimensions[KEY_ROW].hidden = True
    ws.row_dimensions[HEADER_ROW].height = _LINE_HEIGHT * 2.5
    for index, column in enumerate(content.columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        header = ws.cell(row=HEADER_ROW, column=index)
        header.font = Font(bold=True, color="FFFFFF")
        header.fill = _HEADER_FILL
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.border = _BORDER
    ws.column_dimensions["A"].hidden = True

    for row_number, values in enumerate(content.rows, start=FIRST_DATA_ROW):
        lines = 1
        for index, (column, value) in enumerate(zip(content.columns, values, strict=True), 1):
            cell = ws.cell(row=row_number, column=index)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=column.kind == "text")
            if column.kind == "rupiah":
                cell.number_format = INTEGER_FORMAT
            elif column.kind == "decimal" and not column.editable and value is not None:
                cell.number_format = _fixed_decimal_format(value)
            # Editable decimals stay "General": a fixed format would hide digits the user
            # types and "#,##0.##" would show 85 as "85,".
            if column.editable:
                cell.protection = Protection(locked=False)
                cell.fill = _INPUT_FILL
            elif column.kind != "id":
                cell.fill = _LOCKED_FILL
            if column.kind == "text" and isinstance(value, str):
                lines = max(lines, _wrapped_lines(value, column.width))
        ws.row_dimensions[row_number].height = _LINE_HEIGHT * min(lines, 15) + 3

    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=4).coordinate
    editable = [i for i, c in enumerate(content.columns, start=1) if c.editable]
    if content.rows and editable:
        # Open with the cursor on the first cell to fill (the pane below/right of the freeze).
        first_input = ws.cell(row=FIRST_DATA_ROW, column=editable[0]).coordinate
        ws.sheet_view.selection[-1].activeCell = first_input
        ws.sheet_view.selection[-1].sqref = first_input

    print_setup(ws, "A4", title_rows=f"{HEADER_ROW}:{HEADER_ROW}")

    ws.protection.password = SHEET_PASSWORD
    ws.protection.sheet = True
    # Resizing columns and rows is harmless and helps reading long text.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def build_section_workbook(
    meta: SheetMeta, indicators: list[IndicatorRow], activities: list[ActivityRow]
) -> bytes:
    """The .xlsx a Kepala Seksi downloads to fill offline, with existing values filled in."""
    if meta.quarter not in QUARTER_NAMES:
        raise ValueError(f"quarter must be 1..4, got {meta.quarter}")
    wb = Workbook()
    contents = [_indicator_content(meta, indicators), _activity_content(meta, activities)]
    sheets = [wb.active, wb.create_sheet()]
    for ws, content in zip(sheets, contents, strict=True):
        _write_values(ws, content)
        _style(ws, content)
    _write_meta(wb, meta)
    wb.active = 0
    wb.security = WorkbookProtection(workbookPassword=SHEET_PASSWORD, lockStructure=True)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- Reading --------------------------------------------------------------------------------


def _invalid_file() -> SheetError:
    return SheetError(
        [
            gettext(
                "Berkas bukan file Excel .xlsx yang valid. Buka berkas di Excel atau LibreOffice, "
                "simpan sebagai Excel (.xlsx), lalu unggah lagi."
            )
        ]
    )


def _suspicious(reason: str) -> SheetError:
    return SheetError(
        [
            gettext(
                "Berkas ditolak karena isinya tidak wajar untuk lembar isian (%(reason)s). Unduh "
                "ulang lembar isian dari aplikasi, isi, lalu unggah lagi."
            )
            % {"reason": reason}
        ]
    )


def _too_many_rows(sheet: str) -> SheetError:
    errors: list[str] = []
    _RowErrors(sheet, errors).sheet_error(
        gettext("terlalu banyak baris (lebih dari %(limit)s). Hapus baris yang tidak perlu.")
        % {"limit": format_decimal(MAX_SHEET_ROWS)}
    )
    return SheetError(errors)


def _package_error(error: ooxml.PackageError) -> SheetError:
    if error.reason in ("not_zip", "not_workbook"):
        return _invalid_file()
    reasons = {
        "members": gettext("terlalu banyak bagian di dalam berkas"),
        "size": gettext("ukuran setelah dibuka terlalu besar"),
        "budget": gettext("ukuran setelah dibuka terlalu besar"),
        "ratio": gettext("rasio kompresi terlalu tinggi"),
        "unsafe_name": gettext("nama bagian yang tidak aman"),
        "cells": gettext("terlalu banyak sel"),
    }
    if error.reason == "rows":
        return _too_many_rows(error.detail)
    if error.reason in reasons:
        return _suspicious(reasons[error.reason])
    return _unreadable_file()


def _check_container(data: bytes) -> zipfile.ZipFile:
    """Refuse what is not a sane .xlsx zip before any XML is parsed; the open zip."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetError(
            [
                gettext("Berkas terlalu besar (%(size)s MB); paling besar %(limit)s MB.")
                % {
                    "size": format_decimal(Decimal(len(data)) / (1024 * 1024), 1),
                    "limit": MAX_UPLOAD_BYTES // (1024 * 1024),
                }
            ]
        )
    if data[:4] == b"\xd0\xcf\x11\xe0":
        # OLE container: an old .xls, or an .xlsx saved with a password (Excel encrypts those).
        raise SheetError(
            [
                gettext(
                    "Berkas ini berformat Excel lama (.xls) atau dilindungi kata sandi. Simpan "
                    "sebagai Excel (.xlsx) tanpa kata sandi, lalu unggah lagi."
                )
            ]
        )
    try:
        archive = ooxml.open_package(data, PACKAGE_LIMITS)
    except ooxml.PackageError as error:
        raise _package_error(error) from None
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        archive.close()
        raise _invalid_file()
    return archive


_META_CELLS = {(row, column) for row in range(1, 21) for column in (1, 2)}


def _scan_workbook(archive: zipfile.ZipFile, meta: SheetMeta) -> int:
    """Identity first (the hidden sheet's pairs), then every row and cell counted, all from the
    XML read as a stream; the sheet revision the file was made from."""
    budget = ooxml.Budget(MAX_XML_BYTES)
    tally = xlsx_stream.CellTally(MAX_SHEET_ROWS, MAX_WORKBOOK_CELLS)
    try:
        parts = xlsx_stream.workbook_parts(archive, budget)
        cells = xlsx_stream.cell_values(archive, parts, META_SHEET, _META_CELLS, budget, tally)
        stored = {}
        for row in range(1, 21):
            if isinstance(key := cells.get((row, 1)), str):
                stored[key] = cells.get((row, 2))
        revision = _check_identity(stored, meta)
        xlsx_stream.count_cells(archive, parts, budget, tally, skip=frozenset({META_SHEET}))
    except ooxml.PackageError as error:
        raise _package_error(error) from None
    return revision


def _unreadable_file() -> SheetError:
    return SheetError(
        [
            gettext(
                "Berkas Excel tidak dapat dibaca; mungkin rusak atau bukan lembar isian "
                "dari aplikasi ini. Unduh ulang lembar isian, isi, lalu unggah lagi."
            )
        ]
    )


def _open_workbook(data: bytes) -> Workbook:
    try:
        with warnings.catch_warnings():
            # Files saved by other programs trigger openpyxl warnings about parts it drops
            # (extensions, data validation); none of them matter for reading values.
            warnings.simplefilter("ignore")
            return load_workbook(BytesIO(data), data_only=False)
    except Exception:
        # openpyxl raises a wide range of errors (zip, XML, KeyError, TypeError, defusedxml's
        # refusals) on damaged or hostile files; for the user they all mean the same thing.
        raise _unreadable_file() from None


def _as_id(value: object) -> int | None:
    """A positive whole number stored in an id cell, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        number = whole_number(value)
    return number if number else None


def _worksheet(wb: Workbook, name: str) -> Worksheet | None:
    """The worksheet called ``name``; None if missing or not a grid (a chart sheet)."""
    if name not in wb.sheetnames:
        return None
    ws = wb[name]
    return ws if isinstance(ws, Worksheet) else None


def _check_identity(stored: dict[str, object], meta: SheetMeta) -> int:
    """The file must be our format and made for this report and section; ``stored`` holds the
    pairs of its hidden sheet."""
    not_ours = SheetError(
        [
            gettext(
                "Berkas ini bukan lembar isian Sutera Kinerja. Unduh lembar isian seksi Anda dari "
                "aplikasi, isi, lalu unggah berkas itu."
            )
        ]
    )
    if stored.get("format") != FORMAT_NAME:
        raise not_ours
    if _as_id(stored.get("report_id")) == meta.report_id and (
        _as_id(stored.get("section_id")) == meta.section_id
    ):
        return _as_id(stored.get("revision")) or 0
    year, quarter = _as_id(stored.get("year")), _as_id(stored.get("quarter"))
    section = stored.get("section_name")
    if year and quarter in QUARTER_NAMES and isinstance(section, str) and section.strip():
        made_for = gettext(" (dibuat untuk Seksi %(section)s, %(period)s)") % {
            "section": section.strip()[:120],
            "period": quarter_title(year, quarter),
        }
    else:
        made_for = ""
    raise SheetError(
        [
            gettext(
                "Berkas ini untuk seksi/laporan lain%(made_for)s. Unduh lembar isian untuk Seksi "
                "%(section)s, %(period)s, isi, lalu unggah berkas itu."
            )
            % {
                "made_for": made_for,
                "section": meta.section_name,
                "period": quarter_title(meta.year, meta.quarter),
            }
        ]
    )


@dataclass(frozen=True)
class _RawRow:
    row: int
    item_id: int
    cells: dict  # key -> openpyxl cell


class _RowErrors:
    """Collects the messages about one sheet, each naming the Excel row."""

    def __init__(self, sheet: str, errors: list[str]) -> None:
        self.sheet = sheet
        self.errors = errors

    def sheet_error(self, problem: str) -> None:
        self.errors.append(
            gettext("Lembar %(sheet)s: %(problem)s") % {"sheet": self.sheet, "problem": problem}
        )

    def row_error(self, row: int, problem: str) -> None:
        self.errors.append(
            gettext("Baris %(row)s: lembar %(sheet)s, %(problem)s")
            % {"row": row, "sheet": self.sheet, "problem": problem}
        )

    def cell_error(self, row: int, column: str, problem: str) -> None:
        # The shared rules word their messages as sentences; here they continue one.
        problem = problem[:1].lower() + problem[1:]
        self.row_error(
            row, gettext("kolom %(column)s — %(problem)s") % {"column": column, "problem": problem}
        )


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_formula(cell) -> bool:
    return cell.data_type == "f"


def _locate_columns(
    ws: Worksheet, id_key: str, keys: Iterable[str]
) -> tuple[int, dict[str, int]] | None:
    """The hidden key row and the column of each key in it; None if it is not there."""
    max_row = min(ws.max_row, KEY_ROW_SEARCH)
    max_col = min(ws.max_column, KEY_COLUMN_SEARCH)
    for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        found = {cell.value.strip(): cell.column for cell in row if isinstance(cell.value, str)}
        if id_key in found:
            wanted = {id_key, *keys}
            if not wanted <= found.keys():
                return None
            return row[0].row, {key: found[key] for key in wanted}
    return None


def _read_rows(
    wb: Workbook, sheet: str, id_key: str, keys: list[str], allowed: set[int], report: _RowErrors
) -> list[_RawRow]:
    """Rows that carry an id, checked against ``allowed``; problems go to ``report``."""
    ws = _worksheet(wb, sheet)
    if ws is None:
        report.sheet_error(gettext("lembar ini tidak ada dalam berkas. Unduh ulang lembar isian."))
        return []
    located = _locate_columns(ws, id_key, keys)
    if located is None:
        report.sheet_error(
            gettext(
                "susunan kolom tidak dikenali (kolom tersembunyi mungkin terhapus). Unduh ulang "
                "lembar isian."
            )
        )
        return []
    key_row, columns = located
    first_row = key_row + 2  # the visible header sits under the key row
    width = max(columns.values())
    rows: list[_RawRow] = []
    seen: dict[int, int] = {}
    for cells in ws.iter_rows(min_row=first_row, max_row=max(ws.max_row, first_row), max_col=width):
        by_key = {key: cells[column - 1] for key, column in columns.items()}
        row_number = cells[0].row
        id_cell = by_key[id_key]
        if _is_blank(id_cell.value):
            if any(not _is_blank(cell.value) for cell in cells):
                report.row_error(
                    row_number,
                    gettext(
                        "baris ini tidak dikenali karena kolom ID tersembunyinya kosong (baris "
                        "mungkin disalin atau ditambahkan). Kosongkan baris ini atau unduh ulang "
                        "lembar isian."
                    ),
                )
            continue
        item_id = None if _is_formula(id_cell) else _as_id(id_cell.value)
        if item_id is None:
            report.row_error(
                row_number,
                gettext("kolom ID tersembunyi rusak. Unduh ulang lembar isian."),
            )
            continue
        if item_id in seen:
            report.row_error(
                row_number,
                gettext(
                    "baris ini sama dengan baris %(first)s (baris tergandakan). Hapus salah satu."
                )
                % {"first": seen[item_id]},
            )
            continue
        seen[item_id] = row_number
        if item_id not in allowed:
            report.row_error(
                row_number,
                gettext(
                    "baris ini bukan milik seksi/laporan ini (ID %(id)s) atau sudah dihapus dari "
                    "aplikasi. Unduh ulang lembar isian."
                )
                % {"id": item_id},
            )
            continue
        rows.append(_RawRow(row_number, item_id, by_key))
    missing = sorted(allowed - seen.keys())
    if missing:
        report.sheet_error(
            gettext(
                "%(count)s baris hilang dari berkas (ID %(ids)s); mungkin terhapus atau ada "
                "data baru sejak berkas diunduh. Unduh ulang lembar isian, lalu isi kembali."
            )
            % {
                "count": len(missing),
                "ids": ", ".join(str(i) for i in missing[:10]) + (", …" if missing[10:] else ""),
            }
        )
    return rows


def _float_to_decimal(value: float) -> Decimal:
    # Excel keeps 15 significant digits; more are binary noise (12.300000000000001 is 12,3).
    return Decimal(f"{value:.15g}")


def _read_number(
    cell, column: str, parse: Callable, row: int, report: _RowErrors, *, percent: bool = False
) -> tuple[bool, object]:
    """(ok, value) for a numeric input cell; a problem is reported and gives (False, None).

    With ``percent``, a number in a percent-formatted cell is scaled back: typing "62,5%"
    makes Excel store 0.625 and show it as a percentage, but the user meant 62,5.
    """
    value = cell.value
    if _is_formula(cell) or (isinstance(value, str) and value.strip().startswith("=")):
        report.cell_error(row, column, gettext("berisi rumus; isi dengan angka."))
        return False, None
    if cell.data_type == "e":
        report.cell_error(
            row,
            column,
            gettext("berisi galat Excel (%(error)s); isi dengan angka.") % {"error": value},
        )
        return False, None
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        report.cell_error(
            row,
            column,
            gettext(
                "berisi tanggal atau jam, bukan angka (Excel mungkin mengubah angka yang "
                "diketik menjadi tanggal). Ketik ulang angkanya."
            ),
        )
        return False, None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal | None):
        report.cell_error(row, column, gettext("bukan angka; isi dengan angka."))
        return False, None
    if isinstance(value, float):
        if not math.isfinite(value):
            report.cell_error(row, column, gettext("bukan angka; isi dengan angka."))
            return False, None
        value = _float_to_decimal(value)
    if percent and isinstance(value, int | Decimal) and "%" in (cell.number_format or ""):
        value = Decimal(value) * 100
    try:
        return True, parse(value)
    except NumberError as error:
        report.cell_error(row, column, error.message)
        return False, None


def _decimal(places: int) -> Callable:
    return lambda value: parse_decimal(value, places=places)


def _read_text(cell, column: str, row: int, report: _RowErrors) -> str | None:
    """The stripped text of a text input cell; None after reporting a problem."""
    value = cell.value
    if _is_formula(cell):
        report.cell_error(
            row, column, gettext("berisi rumus; isi dengan teks (tanpa tanda = di awal).")
        )
        return None
    if value is None:
        return ""
    if isinstance(value, float):
        text = format(_float_to_decimal(value), "f")
    elif isinstance(value, datetime.datetime):
        text = value.strftime("%d/%m/%Y %H:%M" if value.time() else "%d/%m/%Y")
    elif isinstance(value, datetime.date):
        text = value.strftime("%d/%m/%Y")
    else:
        text = str(value)
    text = text.strip()
    if problem := text_too_long(text):
        report.cell_error(row, column, problem)
        return None
    return text


def _read_indicators(wb: Workbook, allowed: set[int], errors: list[str]) -> list[IndicatorInput]:
    report = _RowErrors(INDICATOR_SHEET, errors)
    text_keys = ["driving", "inhibiting", "follow_up"]
    raw_rows = _read_rows(
        wb, INDICATOR_SHEET, "indicator_id", ["value", *text_keys], allowed, report
    )
    labels = {column.key: column.header for column in _indicator_columns()}
    result = []
    for raw in raw_rows:
        row_ok = True
        label = labels["value"]
        ok, value = _read_number(
            raw.cells["value"], label, _decimal(REALISATION_PLACES), raw.row, report, percent=True
        )
        if ok and value is not None:
            problem = None
            if value < 0:
                problem = gettext("tidak boleh negatif.")
            elif value > MAX_REALISATION:
                problem = gettext(
                    "%(value)s terlalu besar (lebih dari %(limit)s); periksa kembali angkanya."
                ) % {"value": format_decimal(value), "limit": format_decimal(MAX_REALISATION)}
            if problem:
                report.cell_error(raw.row, label, problem)
                ok = False
        row_ok &= ok
        texts = {}
        for key in text_keys:
            texts[key] = _read_text(raw.cells[key], labels[key], raw.row, report)
            row_ok &= texts[key] is not None
        if row_ok:
            result.append(
                IndicatorInput(
                    row=raw.row,
                    indicator_id=raw.item_id,
                    value=value,
                    driving=texts["driving"],
                    inhibiting=texts["inhibiting"],
                    follow_up=texts["follow_up"],
                )
            )
    return result


def _read_activities(wb: Workbook, allowed: set[int], errors: list[str]) -> list[ActivityInput]:
    report = _RowErrors(ACTIVITY_SHEET, errors)
    raw_rows = _read_rows(wb, ACTIVITY_SHEET, "activity_id", ["spent", "physical"], allowed, report)
    labels = {column.key: column.header for column in _activity_columns()}
    result = []
    for raw in raw_rows:
        spent_ok, spent = _read_number(
            raw.cells["spent"], labels["spent"], parse_rupiah, raw.row, report
        )
        if spent_ok and spent is not None and spent > MAX_RUPIAH:
            report.cell_error(
                raw.row,
                labels["spent"],
                gettext("jumlah terlalu besar; periksa kembali angkanya."),
            )
            spent_ok = False
        physical_ok, physical = _read_number(
            raw.cells["physical"],
            labels["physical"],
            _decimal(PHYSICAL_PLACES),
            raw.row,
            report,
            percent=True,
        )
        if physical_ok and physical is not None:
            problem = None
            if not Decimal(0) <= physical <= Decimal(100):
                problem = gettext("harus antara 0 dan 100 (tertulis %(value)s).") % {
                    "value": format(physical, "f").replace(".", ",")
                }
            if problem:
                report.cell_error(raw.row, labels["physical"], problem)
                physical_ok = False
        if spent_ok and physical_ok:
            result.append(ActivityInput(raw.row, raw.item_id, spent, physical))
    return result


def read_section_workbook(
    data: bytes, meta: SheetMeta, indicator_ids: set[int], activity_ids: set[int]
) -> ParsedSheet:
    """Read a filled-in workbook made by build_section_workbook for ``meta``.

    Everything is checked before anything is returned: on any problem SheetError lists them
    all, each naming the Excel row where it can be fixed.
    """
    with _check_container(data) as archive:
        revision = _scan_workbook(archive, meta)
    # Only a file that is ours and small in every part reaches openpyxl.
    wb = _open_workbook(data)
    errors: list[str] = []
    indicators = _read_indicators(wb, set(indicator_ids), errors)
    activities = _read_activities(wb, set(activity_ids), errors)
    if errors:
        raise SheetError(errors)
    return ParsedSheet(indicators=indicators, activities=activities, revision=revision)
