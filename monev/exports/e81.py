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
9+    first the indicators of the office's sasaran (IKU, no Renja activity), then the Renja tree:
      each programme, kegiatan and sub-kegiatan on a row of its own that carries the money (Rp
      halves), followed by its indicators (K halves only); a "Jumlah" row adds the programmes
      up. Then the footer (average, predikat, factors, follow-up), the formulas, and the
      signature block.

The sheet "Data" holds the same figures as plain records for further analysis.

Every text is written as a string cell (``set_value``), so no spreadsheet program evaluates it
as a formula and it shows exactly as typed; numbers are written as numbers. Every figure the
footer prints can be recomputed from the columns above it; the note under the table says how.
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

from django.utils.translation import gettext, gettext_noop, pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..numbers import format_decimal
from ..performance import DEFAULT_BANDS, Achievement, Aggregation, Direction, achievement, rating
from ..selectors.office_data import ActivityFigures, IndicatorFigures, QuarterFigures, average
from ..xlsx_print import print_setup

__all__ = [
    "DATA_SHEET",
    "FIRST_DATA_ROW",
    "FORM_SHEET",
    "TableRow",
    "build_e81",
    "data_records",
    "footer_rows",
    "header_cells",
    "form_achievement",
    "indonesian_date",
    "safe_text",
    "set_value",
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
# The form prints two pages across, side by side: form columns (1)-(8) (sheet A:L) on the
# left page, the "No" column again with (9)-(16) (sheet M:Z) on the right one. Footer, notes
# and signature stay on the left page.
FIRST_PAGE_LAST_COLUMN = 12
SIGNATURE_COLUMNS = (9, FIRST_PAGE_LAST_COLUMN)  # I:L, the right-hand side of the left page

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
# injection list): such text is marked "quote prefix" so editing the cell keeps it text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_LINE_HEIGHT = 13  # points per line of 10 pt text
# Print scale in percent: the wider of the two pages across fits A4 landscape and 10 pt text
# prints at 7.2 pt.
_SCALE = 72
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
_PROGRAMME = "e81-programme"
_KEGIATAN = "e81-kegiatan"
_SUB_KEGIATAN = "e81-sub-kegiatan"
_TOTAL = "e81-total"
_TOTAL_RP = "e81-total-rp"
_NOTE = "e81-note"
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
_WIDTHS = {"no": 5, "k": 8, "rp": 13, "percent": 8}
_TEXT_WIDTHS = {2: 17, 3: 23, 4: 24, 25: 13, 26: 15}


def safe_text(value: str) -> str:
    """Text as typed, without the characters XML cannot carry. ``set_value`` writes it as a
    string cell, so even ``=1+1`` is shown, never evaluated."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def set_value(cell, value: object) -> None:
    """Write a value: text always as a string cell (never a formula or an error value, with no
    visible apostrophe), Decimals as plain numbers."""
    if isinstance(value, Decimal):
        cell.value = int(value) if value == value.to_integral_value() else float(value)
        return
    if isinstance(value, str):
        value = safe_text(value)
        cell.value = value
        # openpyxl would read "=..." as a formula and "#N/A" as an error value.
        cell.data_type = "s"
        if value.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True
        return
    cell.value = value


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
        (gettext("Renja Perangkat Daerah %(office)s") % {"office": office}, _SUBTITLE),
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
        # Django's own catalogue translates a bare "No" (yes/no) as "Tidak".
        1: pgettext("nomor urut kolom", "No"),
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
    # Over (8)-(11), in two parts so each printed page carries it whole.
    quarters_heading = gettext(
        "Realisasi Kinerja dan Anggaran Renja Perangkat Daerah pada Triwulan"
    )
    for first, last in ((8, 8), (9, 11)):
        ref = _ref(sheet_column(first), HEADER_TOP, sheet_column(last, rp=True), HEADER_TOP)
        cells.append((ref, quarters_heading, _HEADER))
    for offset, name in enumerate(QUARTER_NAMES):
        k = sheet_column(8 + offset)
        cells.append((_ref(k, HEADER_TOP + 1, k + 1, HEADER_TOP + 1), name, _HEADER))
    for form_column in range(5, 15):
        k = sheet_column(form_column)
        k_label = pgettext("kolom kinerja", "K")
        rp_label = pgettext("kolom anggaran", "Rp")
        cells.append((_ref(k, SUBHEADER_ROW, k, SUBHEADER_ROW), k_label, _HEADER))
        cells.append((_ref(k + 1, SUBHEADER_ROW, k + 1, SUBHEADER_ROW), rp_label, _HEADER))
    for form_column in range(1, 17):
        first = sheet_column(form_column)
        last = sheet_column(form_column, rp=True) if 5 <= form_column <= 14 else first
        cells.append((_ref(first, NUMBER_ROW, last, NUMBER_ROW), form_column, _HEADER))
    return cells


@dataclass(frozen=True)
class TableRow:
    """One row of the table body: the 26 sheet cells and what the row is.

    ``kind`` is "indicator" (K halves only), "program"/"kegiatan"/"sub_kegiatan" (the Renja
    rows that carry the money, Rp halves only) or "total" (the "Jumlah" row).
    """

    kind: str
    values: tuple[object, ...]

    @property
    def is_indicator(self) -> bool:
        return self.kind == "indicator"


def _nth(values: tuple, index: int):
    return values[index] if index < len(values) else None


def _total(values: Iterable[int | None]) -> int | None:
    found = [v for v in values if v is not None]
    return sum(found) if found else None


def _percent(part: int | None, whole: int | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def _is_cumulative_ceiling(indicator: IndicatorFigures) -> bool:
    """A count that should stay low and is added up over the quarters (e.g. incidents)."""
    return indicator.direction == Direction.LOWER and indicator.aggregation == Aggregation.SUM


def form_achievement(indicator: IndicatorFigures, quarter: int) -> Achievement:
    """Tingkat capaian of a row, from the form's own columns: (12) against (7).

    A cumulative count that should stay low is compared with the part of the year's ceiling
    that has passed, (7) × quarter ÷ 4: against the whole year it would score far above 100 %
    in the first quarters whatever happened.
    """
    target = indicator.annual_target
    if target is not None and _is_cumulative_ceiling(indicator):
        target = target * quarter / 4
    return achievement(target, indicator.year_value, indicator.direction)


def _renstra_percent(indicator: IndicatorFigures) -> Decimal | None:
    """(14) K = (13) ÷ (5); not for a count that should stay low before the period ends."""
    if _is_cumulative_ceiling(indicator):
        return None
    return indicator.renstra_achievement.percent


@dataclass(frozen=True)
class _Money:
    """The Rp figures of one Renja row: its own where recorded, else its children's sum."""

    renstra: int | None
    before: int | None
    budget: int | None
    quarters: tuple[int | None, ...]
    year: int | None

    @property
    def renstra_reached(self) -> int | None:
        return _total((self.before, self.year))


def _money(node: ActivityFigures, children: dict, quarter: int) -> _Money:
    below = [_money(child, children, quarter) for child in children.get(node.activity_id, ())]
    own_quarters = tuple(_nth(node.quarter_spent, q) if q < quarter else None for q in range(4))
    quarters = tuple(
        own_quarters[q]
        if own_quarters[q] is not None
        else _total(m.quarters[q] for m in below)
        for q in range(4)
    )  # fmt: skip
    return _Money(
        renstra=node.renstra_budget
        if node.renstra_budget is not None
        else _total(m.renstra for m in below),
        before=node.renstra_spent_before
        if node.renstra_spent_before is not None
        else _total(m.before for m in below),
        budget=node.budget if node.budget is not None else _total(m.budget for m in below),
        quarters=quarters,
        year=_total(quarters),
    )


def _money_pairs(money: _Money) -> list[tuple[object, object]]:
    reached = money.renstra_reached
    return [
        (None, money.renstra),
        (None, money.before),
        (None, money.budget),
        *((None, value) for value in money.quarters),
        (None, money.year),
        (None, reached),
        (None, _percent(reached, money.renstra)),
    ]


def _renja_cells(node: ActivityFigures, money: _Money) -> tuple[object, ...]:
    absorption = _percent(money.year, money.budget)
    remark = (
        gettext("Serapan (12) ÷ (7): %(percent)s %%") % {"percent": format_decimal(absorption)}
        if absorption is not None
        else ""
    )
    return (
        None,
        "",
        " ".join(part for part in (node.code, node.name) if part),
        "",
        *(value for pair in _money_pairs(money) for value in pair),
        node.section_name,
        remark,
    )


def _total_cells(money: _Money) -> tuple[object, ...]:
    return (
        None,
        gettext("Jumlah"),
        "",
        "",
        *(value for pair in _money_pairs(money) for value in pair),
        "",
        "",
    )


def _indicator_cells(
    number: int, indicator: IndicatorFigures, quarter: int, bands
) -> tuple[object, ...]:
    """One indicator's row: the K halves; the money sits on its programme/kegiatan row."""
    pairs = [
        (indicator.renstra_target, None),
        (indicator.renstra_realised_before, None),
        (indicator.annual_target, None),
        # Quarters after the reported one stay blank even if the figures carry a value.
        *((_nth(indicator.quarter_values, q), None) if q < quarter else (None, None)
          for q in range(4)),
        (indicator.year_value, None),
        (indicator.renstra_realised, None),
        (_renstra_percent(indicator), None),
    ]  # fmt: skip
    name = f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name
    if indicator.direction == Direction.LOWER:
        name += " " + gettext("[semakin rendah semakin baik]")
    result = form_achievement(indicator, quarter)
    band = rating(result.percent, bands)
    remark = f"{result.label} · {band.label}" if band else result.label
    return (
        number,
        indicator.goal,
        "",
        name,
        *(value for pair in pairs for value in pair),
        indicator.section_name,
        remark,
    )


def _renja_order(figures: QuarterFigures) -> tuple[list[ActivityFigures], dict]:
    """The top-level Renja rows and each row's children, in code order."""
    nodes = sorted([*figures.parents, *figures.activities], key=lambda n: n.code)
    known = {n.activity_id for n in nodes}
    children: dict[int, list[ActivityFigures]] = {}
    roots = []
    for node in nodes:
        if node.parent_id in known:
            children.setdefault(node.parent_id, []).append(node)
        else:
            roots.append(node)
    return roots, children


def table_rows(figures: QuarterFigures) -> list[TableRow]:
    """The table body: the sasaran's own indicators, then each programme, kegiatan and
    sub-kegiatan followed by its indicators, then the "Jumlah" row of the programmes."""
    bands = figures.bands or DEFAULT_BANDS
    roots, children = _renja_order(figures)
    placed = {n.code for n in [*figures.parents, *figures.activities]}
    by_activity: dict[str, list[IndicatorFigures]] = {}
    for indicator in figures.indicators:
        if indicator.activity_code in placed:
            by_activity.setdefault(indicator.activity_code, []).append(indicator)
    rows: list[TableRow] = []
    number = 0

    def add_indicators(indicators):
        nonlocal number
        for indicator in indicators:
            number += 1
            cells = _indicator_cells(number, indicator, figures.quarter, bands)
            rows.append(TableRow("indicator", cells))

    # The sasaran's own indicators, grouped by sasaran in the order they first appear.
    own = [i for i in figures.indicators if i.activity_code not in placed]
    goals = list(dict.fromkeys(i.goal for i in own))
    add_indicators(sorted(own, key=lambda i: goals.index(i.goal)))

    def add_node(node: ActivityFigures) -> _Money:
        money = _money(node, children, figures.quarter)
        rows.append(TableRow(node.level, _renja_cells(node, money)))
        add_indicators(by_activity.get(node.code, ()))
        for child in children.get(node.activity_id, ()):
            add_node(child)
        return money

    totals = [add_node(root) for root in roots]
    if totals:
        quarters = tuple(_total(m.quarters[q] for m in totals) for q in range(4))
        total = _Money(
            renstra=_total(m.renstra for m in totals),
            before=_total(m.before for m in totals),
            budget=_total(m.budget for m in totals),
            quarters=quarters,
            year=_total(quarters),
        )
        rows.append(TableRow("total", _total_cells(total)))
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


def form_average(figures: QuarterFigures) -> Decimal | None:
    """The footer's average: the mean of the rows' tingkat capaian (16) that can be computed."""
    return average(form_achievement(i, figures.quarter).percent for i in figures.indicators)


def footer_rows(
    figures: QuarterFigures, analysis: dict[int, str] | None = None
) -> list[tuple[str, object]]:
    """(label, value) under the table; the average stays a number."""
    indicators = figures.indicators
    follow_up = _distinct(i.follow_up for i in indicators)
    renja = _analysis_text(figures, analysis) if analysis else "-"
    if renja == "-":
        renja = follow_up
    mean = form_average(figures)
    band = rating(mean, figures.bands or DEFAULT_BANDS)
    return [
        (
            gettext("Rata-rata capaian kinerja (%)"),
            mean if mean is not None else gettext("tidak dapat dihitung"),
        ),
        (gettext("Predikat kinerja"), band.label if band else "-"),
        (
            gettext("Faktor pendorong keberhasilan pencapaian"),
            _distinct(i.driving for i in indicators),
        ),
        (
            gettext("Faktor penghambat pencapaian kinerja"),
            _distinct(i.inhibiting for i in indicators),
        ),
        (gettext("Tindak lanjut yang diperlukan dalam triwulan berikutnya"), follow_up),
        (
            gettext("Tindak lanjut yang diperlukan dalam Renja Perangkat Daerah berikutnya"),
            renja,
        ),
    ]


def _band_text(bands) -> str:
    ordered = sorted(bands, key=lambda band: band.minimum, reverse=True)
    parts = []
    for index, band in enumerate(ordered):
        if index == 0:
            parts.append(f"≥ {format_decimal(band.minimum)} {band.label}")
        else:
            parts.append(
                f"{format_decimal(band.minimum)} – < {format_decimal(ordered[index - 1].minimum)}"
                f" {band.label}"
            )
    return "; ".join(parts)


def formula_notes(figures: QuarterFigures) -> list[str]:
    """How every computed figure on the form is obtained from the printed columns."""
    bands = figures.bands or DEFAULT_BANDS
    return [
        gettext("Cara menghitung:"),
        gettext(
            "(12) = realisasi s.d. triwulan ini: jumlah (8) s.d. (11) untuk indikator yang "
            "dijumlahkan dan untuk anggaran; nilai triwulan terakhir untuk persentase dan indeks; "
            "rata-rata triwulan untuk nilai rata-rata. (13) = (6) + (12) untuk yang dijumlahkan, "
            "selain itu (13) = (12). (14) = (13) ÷ (5) × 100."
        ),
        gettext(
            "Tingkat capaian pada Keterangan (16) = (12) ÷ (7) × 100 untuk indikator semakin "
            "tinggi semakin baik; = (2 − (12) ÷ (7)) × 100, paling rendah 0, untuk indikator "
            "[semakin rendah semakin baik]. Untuk jumlah kejadian yang semakin rendah semakin "
            "baik, (12) dibandingkan dengan bagian target tahun yang sudah berjalan: (7) × "
            "triwulan ÷ 4."
        ),
        gettext(
            "Kolom (13) dan (14) membandingkan realisasi kumulatif sejak awal Renstra dengan "
            "target akhir periode Renstra (lima tahun), sehingga sebelum periode berakhir "
            "wajar di bawah 100 %. Untuk jumlah kejadian yang semakin rendah semakin baik, (14) "
            "baru dihitung pada akhir periode."
        ),
        gettext(
            "Anggaran (Rp) dicatat pada baris program, kegiatan dan sub kegiatan yang memilikinya, "
            "tidak pada baris indikator; baris program dan kegiatan menjumlahkan sub kegiatannya "
            "bila tidak dicatat sendiri; baris Jumlah menjumlahkan program."
        ),
        gettext(
            "Rata-rata capaian kinerja = rata-rata tingkat capaian (16) indikator yang dapat "
            "dihitung; predikat: %(bands)s."
        )
        % {"bands": _band_text(bands)},
        gettext(
            'Angka yang sama, satu rekaman per indikator dan kegiatan, ada pada lembar "Data" '
            "(tersembunyi agar tidak ikut tercetak; tampilkan untuk diolah lebih lanjut)."
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
    rank = signer.rank if signer and signer.rank else "." * 30
    nip = signer.nip if signer and signer.nip else "." * 24
    return [
        (f"{place}, {indonesian_date(signed_on)}", _SIGN),
        (title, _SIGN),
        ("", _SIGN),
        ("", _SIGN),
        ("", _SIGN),
        (name, _SIGN_NAME),
        (rank, _SIGN),
        (gettext("NIP. %(nip)s") % {"nip": nip}, _SIGN),
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
    for activity in [*figures.parents, *figures.activities]:
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
    rows = [[r.get(key) for key in header] for r in records]
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
        (_PROGRAMME, bold, top_left, border, light, "General"),
        (_KEGIATAN, bold, top_left, border, None, "General"),
        (_SUB_KEGIATAN, font, top_left, border, None, "General"),
        (_TOTAL, bold, top_left, border, shade, "General"),
        (_TOTAL_RP, bold, top_right, border, shade, _INTEGER_FORMAT),
        (_NOTE, font, Alignment(horizontal="left", vertical="top", wrap_text=True), None, None,
         "General"),
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
    cell.style = style
    set_value(cell, value)


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
    ws.row_dimensions[HEADER_TOP].height = 54
    ws.row_dimensions[HEADER_TOP + 1].height = 84
    for index, kind in enumerate(_KINDS, start=1):
        width = _TEXT_WIDTHS.get(index) or _WIDTHS[kind]
        ws.column_dimensions[get_column_letter(index)].width = width


_ROW_TEXT_STYLES = {
    "program": _PROGRAMME,
    "kegiatan": _KEGIATAN,
    "sub_kegiatan": _SUB_KEGIATAN,
    "total": _TOTAL,
}


def _goal_runs(rows: list[TableRow]) -> list[tuple[int, int]]:
    """(first, last) indexes of consecutive indicator rows sharing one sasaran (column 2)."""
    runs, start = [], None
    for index, row in enumerate(rows):
        same = (
            start is not None
            and row.is_indicator
            and row.values[1]
            and row.values[1] == rows[start].values[1]
        )
        if same:
            continue
        if start is not None and index - 1 > start:
            runs.append((start, index - 1))
        start = index if row.is_indicator and row.values[1] else None
    if start is not None and len(rows) - 1 > start:
        runs.append((start, len(rows) - 1))
    return runs


def _write_table(ws: Worksheet, rows: list[TableRow]) -> int:
    """Write the table body; returns the last row used. A sasaran shared by consecutive
    indicators is written once, in a cell merged down over them."""
    runs = _goal_runs(rows)
    merged = {i for first, last in runs for i in range(first + 1, last + 1)}
    run_of = dict(runs)
    row_number = FIRST_DATA_ROW - 1
    for index, row in enumerate(rows):
        row_number += 1
        text_style = _ROW_TEXT_STYLES.get(row.kind)
        lines = 1
        for column, (kind, value) in enumerate(zip(_KINDS, row.values, strict=True), start=1):
            style = _cell_style(kind, value)
            if text_style and kind in ("text", "no"):
                style = text_style
            elif row.kind == "total" and value is not None:
                style = _TOTAL_RP
            if column == 2 and index in merged:
                value = None
            _put(ws, row_number, column, value, style)
            if kind == "text" and isinstance(value, str):
                needed = _lines(value, _TEXT_WIDTHS[column])
                if column == 2 and index in run_of:  # shared with the rows below
                    needed = math.ceil(needed / (run_of[index] - index + 1))
                lines = max(lines, needed)
        ws.row_dimensions[row_number].height = _height(lines)
    for first, last in runs:
        ws.merge_cells(_ref(2, FIRST_DATA_ROW + first, 2, FIRST_DATA_ROW + last))
    return row_number


def _width(first_column: int, last_column: int) -> float:
    return sum(
        _TEXT_WIDTHS.get(c) or _WIDTHS[_KINDS[c - 1]] for c in range(first_column, last_column + 1)
    )


def _write_notes(ws: Worksheet, first_row: int, notes: list[str]) -> int:
    """The formulas, one merged row each across the first page; returns the last row used."""
    row_number = first_row - 1
    width = _width(1, FIRST_PAGE_LAST_COLUMN)
    for text in notes:
        row_number += 1
        _block(ws, _ref(1, row_number, FIRST_PAGE_LAST_COLUMN, row_number), text, _NOTE)
        ws.row_dimensions[row_number].height = _height(_lines(text, width))
    return row_number


def _write_footer(ws: Worksheet, first_row: int, rows: list[tuple[str, object]]) -> int:
    """Label across form columns 1-4, value across the rest; returns the last row used."""
    label_width = _width(1, 4)
    value_width = _width(5, FIRST_PAGE_LAST_COLUMN)
    row_number = first_row - 1
    for label, value in rows:
        row_number += 1
        style = _FOOTER_TEXT if isinstance(value, str) else _FOOTER_PERCENT
        _block(ws, _ref(1, row_number, 4, row_number), label, _FOOTER_LABEL)
        _block(ws, _ref(5, row_number, FIRST_PAGE_LAST_COLUMN, row_number), value, style)
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


def _page_setup(ws: Worksheet, figures: QuarterFigures, last_row: int) -> None:
    ws.freeze_panes = f"E{FIRST_DATA_ROW}"
    print_setup(
        ws, figures.paper_size, scale=_SCALE, title_rows=f"{HEADER_TOP}:{NUMBER_ROW}",
        title_columns="A:A",
    )  # fmt: skip
    # The title lines print as the page header, on every page and over the whole width; in
    # the sheet they are merged cells that two pages across would cut in half.
    ws.print_area = _ref(1, HEADER_TOP, LAST_COLUMN, last_row)
    title, office, period = (str(text) for _ref_, text, _style in header_cells(figures)[:3])
    ws.oddHeader.left.text = office
    ws.oddHeader.center.text = title
    ws.oddHeader.center.font = "Arial,Bold"
    ws.oddHeader.right.text = period
    for part in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right):
        part.size = 10
    ws.col_breaks.append(Break(id=FIRST_PAGE_LAST_COLUMN))


def _write_data_sheet(wb: Workbook, figures: QuarterFigures) -> None:
    ws = wb.create_sheet(DATA_SHEET)
    header, rows = data_records(figures)
    for column, name in enumerate(header, start=1):
        _put(ws, 1, column, name, _DATA_HEADER)
        ws.column_dimensions[get_column_letter(column)].width = 16
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            if value is not None:
                set_value(ws.cell(row=row_number, column=column), value)
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
    # The footer, the signature and the formulas start a page of their own when printed.
    ws.row_breaks.append(Break(id=last + 1))
    last = _write_footer(ws, last + 2, footer_rows(figures, analysis))
    last = _write_signature(ws, last + 2, signature_lines(figures, place, signed_on))
    last = _write_notes(ws, last + 2, formula_notes(figures))
    _page_setup(ws, figures, last)
    _write_data_sheet(wb, figures)
    # Printing the workbook prints the form alone; the records are for further analysis.
    wb[DATA_SHEET].sheet_state = "hidden"
    wb.properties.title = gettext("Evaluasi terhadap Hasil Renja Perangkat Daerah")
    wb.properties.creator = "Sutera Kinerja"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
