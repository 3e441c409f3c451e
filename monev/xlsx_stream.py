"""An uploaded .xlsx read as a stream, before any full parser sees it: where its sheets are,
how many rows and cells they hold, and the values of a few chosen cells.

openpyxl builds an object per cell, so a small file that unpacks into millions of cells costs
gigabytes; here the XML goes through expat (monev.ooxml) with handlers that only count, and
reading stops at the first limit passed. Pure Python: no models, no database.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from . import ooxml
from .numbers import whole_number

__all__ = ["CellTally", "WorkbookParts", "cell_values", "count_cells", "workbook_parts"]

# What is kept of one chosen cell's text: enough for any identity value.
_KEPT_CHARS = 1000


@dataclass(frozen=True)
class WorkbookParts:
    """Where the workbook's sheets and shared strings are, read from its relationships."""

    sheets: dict[str, str]  # sheet name -> member
    shared_strings: str | None


def workbook_parts(archive: zipfile.ZipFile, budget: ooxml.Budget) -> WorkbookParts:
    """Raises PackageError("not_workbook") when the package has no single workbook part."""
    workbooks = ooxml.part_targets(archive, "", "officeDocument", budget)
    if len(workbooks) != 1 or workbooks[0] not in archive.NameToInfo:
        raise ooxml.PackageError("not_workbook")
    workbook = workbooks[0]
    relations = ooxml.relationships(archive, workbook, budget)
    sheets: dict[str, str] = {}

    def start(tag: str, attrs: dict) -> None:
        if tag == "sheet":
            rel_id = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id"), None)
            relation = relations.get(rel_id)
            if relation is not None and relation.type == "worksheet" and not relation.external:
                sheets[attrs.get("name", "")] = relation.target

    ooxml.stream_part(archive, workbook, budget, start=start)
    shared = [r.target for r in relations.values() if r.type == "sharedStrings" and not r.external]
    return WorkbookParts(
        sheets={name: member for name, member in sheets.items() if member in archive.NameToInfo},
        shared_strings=shared[0] if shared and shared[0] in archive.NameToInfo else None,
    )


class CellTally:
    """Rows per sheet and cells (and shared strings, which openpyxl also keeps) over the whole
    workbook. Passing a limit raises PackageError "rows" (detail: the sheet) or "cells"."""

    def __init__(self, max_rows: int, max_cells: int) -> None:
        self.max_rows = max_rows
        self.max_cells = max_cells
        self.cells = 0

    def row(self, sheet: str, number: int) -> None:
        if number > self.max_rows:
            raise ooxml.PackageError("rows", sheet)

    def cell(self) -> None:
        self.cells += 1
        if self.cells > self.max_cells:
            raise ooxml.PackageError("cells")


def _cell_position(ref: str) -> tuple[int, int] | None:
    """(row, column) of an "A1" reference."""
    letters = ref.rstrip("0123456789")
    row = whole_number(ref[len(letters) :])
    if row is None or not (letters.isascii() and letters.isalpha()) or len(letters) > 3:
        return None
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return row, column


class _SheetScan:
    """One pass over a worksheet: every row and cell goes to the tally; the raw (type, text) of
    the cells in ``keep`` is kept."""

    def __init__(self, sheet: str, tally: CellTally, keep: set[tuple[int, int]]) -> None:
        self.sheet = sheet
        self.tally = tally
        self.keep = keep
        self.kept: dict[tuple[int, int], tuple[str, str]] = {}
        self.row = 0
        self.column = 0
        self.current: tuple[int, int] | None = None
        self.cell_type = ""
        self.text: list[str] | None = None

    def start(self, tag: str, attrs: dict) -> None:
        if tag == "row":
            self.row = whole_number(attrs.get("r", "")) or self.row + 1
            self.column = 0
            self.tally.row(self.sheet, self.row)
        elif tag == "c":
            self.tally.cell()
            position = _cell_position(attrs.get("r", ""))
            self.row, self.column = position or (self.row, self.column + 1)
            self.tally.row(self.sheet, self.row)
            self.current = (self.row, self.column)
            self.cell_type = attrs.get("t", "n")
        elif tag in ("v", "t") and self.current in self.keep:
            self.text = []

    def characters(self, data: str) -> None:
        if self.text is not None and sum(map(len, self.text)) < _KEPT_CHARS:
            self.text.append(data)

    def end(self, tag: str) -> None:
        if tag in ("v", "t") and self.text is not None:
            previous = self.kept.get(self.current, ("", ""))[1]
            self.kept[self.current] = (self.cell_type, previous + "".join(self.text))
            self.text = None
        elif tag == "c":
            self.current = None


def _scan(archive, sheet: str, member: str, budget, tally, keep=frozenset()) -> _SheetScan:
    scan = _SheetScan(sheet, tally, set(keep))
    # Counting only needs one callback per element start; values only where they are kept.
    values = {"end": scan.end, "text": scan.characters} if keep else {}
    ooxml.stream_part(archive, member, budget, start=scan.start, **values)
    return scan


def _shared_strings(archive, member, budget, wanted: set[int]) -> dict[int, str]:
    """The shared strings at the ``wanted`` indexes; reading stops after the last of them."""
    found: dict[int, str] = {}
    if not wanted or member is None:
        return found
    state = {"index": -1, "text": None, "phonetic": 0}
    last = max(wanted)

    def start(tag: str, attrs: dict) -> None:
        if tag == "si":
            state["index"] += 1
            if state["index"] > last:
                raise ooxml.StopParsing
            state["text"] = [] if state["index"] in wanted else None
        elif tag == "rPh":
            state["phonetic"] += 1  # reading aids of East Asian text, not the value

    def end(tag: str) -> None:
        if tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "si" and state["text"] is not None:
            found[state["index"]] = "".join(state["text"])[:_KEPT_CHARS]
            state["text"] = None

    def characters(data: str) -> None:
        if state["text"] is not None and not state["phonetic"]:
            state["text"].append(data)

    ooxml.stream_part(archive, member, budget, start=start, end=end, text=characters)
    return found


def _python_value(cell: tuple[str, str], strings: dict[int, str]) -> object:
    kind, raw = cell
    if kind == "s":
        return strings.get(whole_number(raw))
    if kind in ("str", "inlineStr"):
        return raw
    try:
        number = float(raw)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def cell_values(
    archive: zipfile.ZipFile,
    parts: WorkbookParts,
    sheet: str,
    cells: set[tuple[int, int]],
    budget: ooxml.Budget,
    tally: CellTally,
) -> dict[tuple[int, int], object]:
    """The values (text, int or float) of the chosen (row, column) cells of one sheet; the
    sheet's rows and cells count in the tally. Empty when there is no such sheet."""
    member = parts.sheets.get(sheet)
    if member is None:
        return {}
    kept = _scan(archive, sheet, member, budget, tally, cells).kept
    wanted = {whole_number(raw) for kind, raw in kept.values() if kind == "s"} - {None}
    strings = _shared_strings(archive, parts.shared_strings, budget, wanted)
    return {position: _python_value(cell, strings) for position, cell in kept.items()}


def count_cells(
    archive: zipfile.ZipFile,
    parts: WorkbookParts,
    budget: ooxml.Budget,
    tally: CellTally,
    *,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Every sheet but those in ``skip``, and the shared strings, through the tally."""
    for name, member in parts.sheets.items():
        if name not in skip:
            _scan(archive, name, member, budget, tally)
    if parts.shared_strings is None:
        return

    def start(tag: str, attrs: dict) -> None:
        if tag == "si":
            tally.cell()

    ooxml.stream_part(archive, parts.shared_strings, budget, start=start)
