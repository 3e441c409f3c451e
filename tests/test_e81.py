"""The Formulir E.81 workbook, read back with openpyxl: header and merged column headings,
an indicator's K and Rp figures in the right columns, the Renstra arithmetic, the footer, the
signature block, formula injection, print setup and the "Data" sheet. No database: the
figures are built directly."""

import dataclasses
import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from monev.exports.e81 import FIRST_DATA_ROW, build_e81, indonesian_date, safe_text
from monev.performance import Aggregation, Direction, achievement, rating, yearly_realisation
from monev.selectors.office_data import (
    ActivityFigures,
    IndicatorFigures,
    QuarterFigures,
    SectionFigures,
    Signer,
    average,
)

SIGNED_ON = datetime.date(2026, 10, 5)
NIP = "198001012005011001"


def D(text):
    return Decimal(text) if text is not None else None


def make_indicator(
    code,
    *,
    quarter=2,
    name="Jumlah dokumen kependudukan yang diterbitkan",
    unit="dokumen",
    targets=("100", "100", "100", "100"),
    values=("90", "120", None, None),
    aggregation=Aggregation.SUM,
    direction=Direction.HIGHER,
    renstra_target="2000",
    renstra_before="800",
    section=(1, "Seksi Pemerintahan"),
    activity=("5.01.01.2.01.0001", "Penyelenggaraan urusan pemerintahan umum"),
    driving="",
    inhibiting="",
    follow_up="",
    goal="Meningkatnya kualitas pelayanan publik",
):
    """Figures consistent with what quarter_figures computes for a report of ``quarter``."""
    quarter_targets = tuple(D(t) for t in targets)
    quarter_values = tuple(D(v) if q < quarter else None for q, v in enumerate(values))
    # A count's year target is the quarters' sum; a level's is the last quarter's.
    if aggregation == Aggregation.SUM:
        annual = sum((t for t in quarter_targets if t is not None), Decimal(0))
    else:
        annual = quarter_targets[-1]
    value = quarter_values[quarter - 1]
    result = achievement(quarter_targets[quarter - 1], value, direction)
    year_value = yearly_realisation(list(quarter_values[:quarter]), aggregation)
    before = D(renstra_before)
    if year_value is None:
        renstra_realised = before
    elif aggregation == Aggregation.SUM:
        renstra_realised = (before or Decimal(0)) + year_value
    else:
        renstra_realised = year_value
    return IndicatorFigures(
        indicator_id=abs(hash(code)) % 10_000,
        code=code,
        name=name,
        goal=goal,
        unit=unit,
        direction=direction,
        aggregation=aggregation,
        is_iku=code.startswith("IKU"),
        section_id=section[0],
        section_name=section[1],
        activity_code=activity[0] if activity else "",
        activity_name=activity[1] if activity else "",
        renstra_target=D(renstra_target),
        renstra_realised_before=before,
        annual_target=annual,
        quarter_targets=quarter_targets,
        quarter_values=quarter_values,
        target=quarter_targets[quarter - 1],
        value=value,
        achievement=result,
        band=rating(result.percent),
        year_value=year_value,
        year_achievement=achievement(annual, year_value, direction),
        renstra_realised=renstra_realised,
        renstra_achievement=achievement(D(renstra_target), renstra_realised, direction),
        driving=driving,
        inhibiting=inhibiting,
        follow_up=follow_up,
    )


def make_activity(
    code="5.01.01.2.01.0001",
    *,
    quarter=2,
    spent=(10_000_000, 25_000_000, 30_000_000, 5_000_000),
    budget=95_000_000,
    section="Seksi Pemerintahan",
):
    quarter_spent = tuple(s if q < quarter else None for q, s in enumerate(spent))
    filled = [s for s in quarter_spent if s is not None]
    return ActivityFigures(
        activity_id=abs(hash(code)) % 10_000,
        code=code,
        name="Penyelenggaraan urusan pemerintahan umum",
        level="sub_kegiatan",
        section_name=section,
        budget=budget,
        quarter_spent=quarter_spent,
        spent=quarter_spent[quarter - 1],
        year_spent=sum(filled) if filled else None,
        physical=Decimal("40"),
    )


def make_section(section_id, name, indicators, activities=()):
    mean = average(i.achievement.percent for i in indicators)
    return SectionFigures(
        section_id=section_id,
        name=name,
        indicators=list(indicators),
        activities=list(activities),
        average=mean,
        band=rating(mean),
    )


def make_figures(sections, *, quarter=2, signer=True):
    mean = average(i.achievement.percent for s in sections for i in s.indicators)
    return QuarterFigures(
        report_id=7,
        office_name="Kecamatan Sutera",
        regency="Kabupaten Pesisir Selatan",
        province="Sumatera Barat",
        address="Jl. Raya Surantih",
        head_title="Camat Sutera",
        year=2026,
        quarter=quarter,
        sections=list(sections),
        average=mean,
        band=rating(mean),
        signer=Signer(
            name="Budi Santoso, S.STP", nip=NIP, title="Camat Sutera", rank="Pembina (IV/a)"
        )
        if signer
        else None,
    )


def standard_figures(quarter=2, **indicator_overrides):
    """Two sections: a sum indicator linked to a sub kegiatan, a rate without one, and a
    section without indicators (left out of the table)."""
    pem = make_indicator(
        "PEM-01",
        quarter=quarter,
        driving="Koordinasi dengan wali nagari berjalan baik",
        follow_up="Menjadwalkan pelayanan keliling",
        **indicator_overrides,
    )
    kesos = make_indicator(
        "KES-01",
        quarter=quarter,
        name="Persentase bantuan sosial tepat sasaran",
        unit="%",
        targets=("90", "90", "90", "90"),
        values=("85.5", "80", "88", "91"),
        aggregation=Aggregation.LAST,
        renstra_target="95",
        renstra_before="70",
        section=(2, "Seksi Kesejahteraan Sosial"),
        activity=None,
        inhibiting="Data penerima belum mutakhir",
        follow_up="Menjadwalkan pelayanan keliling",
    )
    sections = [
        make_section(1, "Seksi Pemerintahan", [pem], [make_activity(quarter=quarter)]),
        make_section(2, "Seksi Kesejahteraan Sosial", [kesos]),
        make_section(3, "Seksi Trantibum", []),
    ]
    return make_figures(sections, quarter=quarter)


def open_workbook(figures, **kwargs):
    kwargs.setdefault("place", "Sutera")
    kwargs.setdefault("signed_on", SIGNED_ON)
    content = build_e81(figures, **kwargs)
    return load_workbook(BytesIO(content))


def find_row(ws, column, value):
    """The first row below the header whose cell in ``column`` holds ``value``."""
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws[f"{column}{row}"].value == value:
            return row
    raise AssertionError(f"{value!r} not in column {column}")


@pytest.fixture
def form():
    return open_workbook(standard_figures())["E.81"]


def test_title_and_period_lines(form):
    assert form["A1"].value == "EVALUASI TERHADAP HASIL RENJA PERANGKAT DAERAH"
    assert form["A2"].value == ("Renja Perangkat Daerah Kecamatan Sutera Kabupaten Pesisir Selatan")
    assert form["A3"].value == "Periode Pelaksanaan: Triwulan II Tahun 2026"
    merged = {str(r) for r in form.merged_cells.ranges}
    assert {"A1:Z1", "A2:Z2", "A3:Z3"} <= merged
    assert form["A1"].font.bold


def test_column_numbers_and_k_rp_subheaders(form):
    # Form column -> its sheet columns: (5)-(14) take a K and an Rp column each.
    letters = {1: "A", 2: "B", 3: "C", 4: "D", 15: "Y", 16: "Z"}
    pairs = dict(
        zip(range(5, 15), ["EF", "GH", "IJ", "KL", "MN", "OP", "QR", "ST", "UV", "WX"], strict=True)
    )
    merged = {str(r) for r in form.merged_cells.ranges}
    for number, letter in letters.items():
        assert form[f"{letter}8"].value == number
        assert f"{letter}5:{letter}7" in merged
    for number, (k, rp) in pairs.items():
        assert form[f"{k}8"].value == number
        assert f"{k}8:{rp}8" in merged
        assert (form[f"{k}7"].value, form[f"{rp}7"].value) == ("K", "Rp")
    for number in (5, 6, 7, 12, 13, 14):
        k, rp = pairs[number]
        assert f"{k}5:{rp}6" in merged
    # The quarters share one heading with I-IV below it, in two parts: one per printed page.
    assert {"K5:L5", "M5:R5"} <= merged
    assert form["K5"].value == form["M5"].value
    assert [form[c].value for c in ("K6", "M6", "O6", "Q6")] == ["I", "II", "III", "IV"]
    assert {"K6:L6", "M6:N6", "O6:P6", "Q6:R6"} <= merged
    assert form["B5"].value == "Sasaran"
    assert form["D5"].value.startswith("Indikator Kinerja Program (outcome)")
    header = form["E5"]
    assert header.font.bold
    assert header.alignment.horizontal == "center"
    assert header.alignment.wrap_text
    assert header.border.top.style == "thin"


def test_indicator_row_of_triwulan_ii(form):
    row = find_row(form, "D", "Jumlah dokumen kependudukan yang diterbitkan (dokumen)")
    # Its sub kegiatan comes first, on a row of its own that carries the money.
    activity = row - 1
    assert form[f"C{activity}"].value == (
        "5.01.01.2.01.0001 Penyelenggaraan urusan pemerintahan umum"
    )
    assert form[f"J{activity}"].value == 95_000_000  # (7) pagu
    assert (form[f"L{activity}"].value, form[f"N{activity}"].value) == (10_000_000, 25_000_000)
    assert form[f"T{activity}"].value == 35_000_000  # (12)
    assert all(form[f"{c}{activity}"].value is None for c in "EGIKMOQSUW")
    assert form[f"Z{activity}"].value == "Serapan (12) ÷ (7): 36,84 %"
    cells = {c: form[f"{c}{row}"].value for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    assert cells["A"] == 2
    assert cells["B"] == "Meningkatnya kualitas pelayanan publik"
    assert cells["C"] is None
    assert (cells["E"], cells["F"]) == (2000, None)  # (5) Renstra target
    assert (cells["G"], cells["H"]) == (800, None)  # (6) up to last year
    assert (cells["I"], cells["J"]) == (400, None)  # (7) Renja target; the pagu is above
    assert (cells["K"], cells["L"]) == (90, None)  # (8) Triwulan I
    assert (cells["M"], cells["N"]) == (120, None)  # (9) Triwulan II
    # Triwulan III and IV are after the reported quarter: blank in K and Rp.
    assert [cells[c] for c in "OPQR"] == [None, None, None, None]
    assert (cells["S"], cells["T"]) == (210, None)  # (12) this year
    assert cells["U"] == 1010  # (13)
    assert cells["W"] == 50.5  # (14)
    assert cells["Y"] == "Seksi Pemerintahan"
    assert cells["Z"] == "52,5 % · Rendah"  # (12) ÷ (7) = 210 ÷ 400
    for column in "EGIKMSU":
        assert form[f"{column}{row}"].data_type == "n"
    assert form[f"J{activity}"].number_format == "#,##0"
    assert form[f"E{row}"].number_format == "#,##0"
    assert form[f"W{row}"].number_format == "#,##0.00"


def test_renstra_columns_add_up(form):
    row = find_row(form, "D", "Jumlah dokumen kependudukan yang diterbitkan (dokumen)")
    target, before, year, renstra, percent = (
        form[f"{c}{row}"].value for c in ("E", "G", "S", "U", "W")
    )
    assert renstra == before + year  # (13) = (6) + (12) for a sum indicator
    assert percent == pytest.approx(round(renstra / target * 100, 2))  # (14) = 13 ÷ 5


def test_rate_without_activity_leaves_rupiah_blank_and_keeps_decimals(form):
    row = find_row(form, "D", "Persentase bantuan sosial tepat sasaran (%)")
    # An indicator of the sasaran without a Renja activity comes before the programmes.
    assert row == FIRST_DATA_ROW
    assert form[f"A{row}"].value == 1
    assert form[f"C{row}"].value is None
    assert all(form[f"{c}{row}"].value is None for c in "FHJLNPRTVX")
    assert form[f"K{row}"].value == 85.5
    assert form[f"K{row}"].number_format == "#,##0.0"
    assert form[f"M{row}"].number_format == "#,##0"
    # A level: the year's realisation is the last quarter, never a sum.
    assert form[f"S{row}"].value == 80
    assert form[f"U{row}"].value == 80
    assert form[f"Z{row}"].value == "88,89 % · Tinggi"  # 80 of 90


def test_jumlah_row_adds_up_the_money_once(form):
    row = find_row(form, "B", "Jumlah")
    assert form[f"J{row}"].value == 95_000_000
    assert form[f"T{row}"].value == 35_000_000
    assert all(form[f"{c}{row}"].value is None for c in "EGIKMOQSUW")
    indicator_rows = [r for r in range(FIRST_DATA_ROW, row) if form[f"A{r}"].value]
    assert indicator_rows
    for r in indicator_rows:
        assert all(form[f"{c}{r}"].value is None for c in "FHJLNPRTVX")


def test_triwulan_iv_fills_every_quarter():
    ws = open_workbook(standard_figures(quarter=4))["E.81"]
    assert ws["A3"].value == "Periode Pelaksanaan: Triwulan IV Tahun 2026"
    row = find_row(ws, "D", "Jumlah dokumen kependudukan yang diterbitkan (dokumen)")
    assert [ws[f"{c}{row - 1}"].value for c in "OPQR"] == [None, 30_000_000, None, 5_000_000]
    assert ws[f"T{row - 1}"].value == 70_000_000


def test_empty_realisation_is_belum_diisi():
    pem = make_indicator("PEM-01", values=(None, None, None, None))
    figures = make_figures([make_section(1, "Seksi Pemerintahan", [pem])])
    ws = open_workbook(figures)["E.81"]
    row = find_row(ws, "D", "Jumlah dokumen kependudukan yang diterbitkan (dokumen)")
    assert ws[f"Z{row}"].value == "belum diisi"
    label_row = find_row(ws, "A", "Rata-rata capaian kinerja (%)")
    assert ws[f"E{label_row}"].value == "tidak dapat dihitung"
    pem = make_indicator("PEM-01", values=("5", None, None, None))
    figures = make_figures([make_section(1, "Seksi Pemerintahan", [pem])])
    ws = open_workbook(figures)["E.81"]
    row = find_row(ws, "D", "Jumlah dokumen kependudukan yang diterbitkan (dokumen)")
    assert ws[f"M{row}"].value is None
    assert ws[f"Z{row}"].value == "1,25 % · Sangat Rendah"  # 5 of the year's 400


def test_footer(form):
    figures = standard_figures()
    rows = {
        label: form[f"E{find_row(form, 'A', label)}"]
        for label in (
            "Rata-rata capaian kinerja (%)",
            "Predikat kinerja",
            "Faktor pendorong keberhasilan pencapaian",
            "Faktor penghambat pencapaian kinerja",
            "Tindak lanjut yang diperlukan dalam triwulan berikutnya",
            "Tindak lanjut yang diperlukan dalam Renja Perangkat Daerah berikutnya",
        )
    }
    mean = rows["Rata-rata capaian kinerja (%)"]
    # The rows' (12) ÷ (7): 88,89 (KES-01) and 52,5 (PEM-01), not the quarter's capaian.
    assert mean.value == pytest.approx(70.70)
    assert float(figures.average) != pytest.approx(70.70)
    assert mean.data_type == "n"
    assert mean.number_format == "#,##0.00"
    assert rows["Predikat kinerja"].value == "Sedang"
    assert rows["Faktor pendorong keberhasilan pencapaian"].value == (
        "Koordinasi dengan wali nagari berjalan baik"
    )
    assert rows["Faktor penghambat pencapaian kinerja"].value == "Data penerima belum mutakhir"
    # The same follow-up from two indicators appears once.
    next_quarter = "Tindak lanjut yang diperlukan dalam triwulan berikutnya"
    assert rows[next_quarter].value == "Menjadwalkan pelayanan keliling"
    renja = "Tindak lanjut yang diperlukan dalam Renja Perangkat Daerah berikutnya"
    assert rows[renja].value == "Menjadwalkan pelayanan keliling"


def test_renja_follow_up_uses_the_analysis():
    ws = open_workbook(
        standard_figures(),
        analysis={2: "Memutakhirkan data DTKS", 1: "Menambah jadwal pelayanan", 99: ""},
    )["E.81"]
    row = find_row(ws, "A", "Tindak lanjut yang diperlukan dalam Renja Perangkat Daerah berikutnya")
    assert ws[f"E{row}"].value == (
        "Seksi Pemerintahan: Menambah jadwal pelayanan\n"
        "Seksi Kesejahteraan Sosial: Memutakhirkan data DTKS"
    )


def test_signature_block(form):
    row = find_row(form, "I", "Sutera, 5 Oktober 2026")
    assert form[f"I{row + 1}"].value == "Camat Sutera"
    name_row = find_row(form, "I", "Budi Santoso, S.STP")
    assert name_row > row + 2  # room to sign
    assert form[f"I{name_row}"].font.bold
    assert form[f"I{name_row}"].font.underline == "single"
    assert form[f"I{name_row + 1}"].value == "Pembina (IV/a)"
    assert form[f"I{name_row + 2}"].value == f"NIP. {NIP}"
    assert f"I{row}:L{row}" in {str(r) for r in form.merged_cells.ranges}
    assert row > find_row(form, "A", "Predikat kinerja")


def test_signature_without_a_camat_on_record():
    figures = standard_figures()
    figures = make_figures(figures.sections, signer=False)
    ws = open_workbook(figures)["E.81"]
    row = find_row(ws, "I", "Camat Sutera")
    assert ws[f"I{row + 4}"].value.startswith("(....")
    assert ws[f"I{row + 5}"].value.startswith("....")
    assert ws[f"I{row + 6}"].value.startswith("NIP. ....")


def test_formula_injection_is_stored_as_text():
    figures = standard_figures(name='=HYPERLINK("http://x")', goal="@SUM(A1)")
    sections = list(figures.sections)
    sections[1] = make_section(
        2,
        "-Seksi Kesejahteraan Sosial",
        [
            make_indicator(
                "KES-01",
                name="Persentase",
                unit="",
                activity=None,
                section=(2, "-Seksi Kesejahteraan Sosial"),
                inhibiting="+1+1",
            )
        ],
    )
    wb = open_workbook(make_figures(sections), analysis={1: "=1+2"})
    ws = wb["E.81"]
    name = ws[f"D{find_row(ws, 'A', 2)}"]
    # Text as typed, in a string cell marked so that editing it keeps it text: no visible
    # apostrophe, never a formula.
    assert name.value == '=HYPERLINK("http://x") (dokumen)'
    assert name.data_type == "s"
    assert name.quotePrefix
    goal = ws[f"B{find_row(ws, 'A', 2)}"]
    assert goal.value == "@SUM(A1)"
    assert goal.quotePrefix
    factor = ws[f"E{find_row(ws, 'A', 'Faktor penghambat pencapaian kinerja')}"]
    assert factor.value == "+1+1"
    assert factor.data_type == "s"
    assert "-Seksi Kesejahteraan Sosial" in [c.value for c in ws["Y"]]
    data = wb["Data"]
    names = [row[0] for row in data.iter_rows(min_col=4, max_col=4, values_only=True)]
    assert names[0] == "name"
    assert '=HYPERLINK("http://x")' in names
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "=1+1"),
        ("- Kurangnya personel", "- Kurangnya personel"),
        ("Pelayanan = baik", "Pelayanan = baik"),
        ("", ""),
        ("a\x00b\x1f", "ab"),
        ("\x01=1", "=1"),
    ],
)
def test_safe_text(text, expected):
    assert safe_text(text) == expected


def test_indonesian_date():
    assert indonesian_date(datetime.date(2026, 10, 5)) == "5 Oktober 2026"
    assert indonesian_date(datetime.date(2027, 1, 31)) == "31 Januari 2027"


def test_print_setup_and_frozen_header(form):
    assert form.page_setup.orientation == "landscape"
    assert int(form.page_setup.paperSize) == 9  # A4
    # A fixed scale, never shrunk to fit: 10 pt prints at 7,2 pt.
    assert form.page_setup.scale == 72
    assert not form.sheet_properties.pageSetUpPr.fitToPage
    assert form.freeze_panes == f"E{FIRST_DATA_ROW}"
    assert form.print_title_rows == "$5:$8"
    assert form.print_title_cols == "$A:$A"
    assert [b.id for b in form.col_breaks.brk] == [12]  # (1)-(8) | (9)-(16)
    assert form.print_area.endswith(f"$A$5:$Z${form.max_row}")
    assert form.column_dimensions["D"].width > form.column_dimensions["E"].width


def test_f4_paper_is_selectable():
    figures = dataclasses.replace(standard_figures(), paper_size="F4")
    form = open_workbook(figures)["E.81"]
    assert int(form.page_setup.paperSize) == 14  # Folio 8.5 x 13 in, the F4 sheet
    assert form.page_setup.orientation == "landscape"


def test_data_sheet():
    figures = standard_figures()
    wb = open_workbook(figures)
    assert wb.sheetnames == ["E.81", "Data"]
    data = wb["Data"]
    # Printing the workbook prints the form alone.
    assert data.sheet_state == "hidden"
    header = [cell.value for cell in data[1]]
    assert header[0] == "record"
    assert {"code", "renstra_target", "year_value", "budget", "year_spent"} <= set(header)
    assert "quarter_values" not in header and "achievement" not in header
    assert data.max_row == 1 + len(figures.indicators) + len(figures.activities)
    records = [dict(zip(header, (c.value for c in row), strict=True)) for row in data.iter_rows(2)]
    assert [r["record"] for r in records] == ["indicator", "indicator", "activity"]
    assert records[0]["code"] == "PEM-01"
    assert records[0]["year_value"] == 210
    assert records[0]["is_iku"] is False
    assert records[2]["budget"] == 95_000_000
    assert records[2]["quarter_spent_2"] == 25_000_000


def test_office_without_indicators_still_builds():
    wb = open_workbook(make_figures([make_section(3, "Seksi Trantibum", [])], quarter=1))
    ws = wb["E.81"]
    assert ws["A3"].value == "Periode Pelaksanaan: Triwulan I Tahun 2026"
    row = find_row(ws, "A", "Rata-rata capaian kinerja (%)")
    assert row == FIRST_DATA_ROW + 1  # the footer follows the header after one blank row
    assert ws[f"E{row}"].value == "tidak dapat dihitung"
    assert ws[f"E{row + 1}"].value == "-"
    assert wb["Data"].max_row == 1
