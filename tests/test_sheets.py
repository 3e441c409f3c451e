"""The offline section sheet: build, fill as a user would, read back, refuse bad files."""

import datetime
import random
import zipfile
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from monev.sheets import (
    MAX_UPLOAD_BYTES,
    ActivityInput,
    ActivityRow,
    IndicatorInput,
    IndicatorRow,
    SheetError,
    SheetMeta,
    build_section_workbook,
    read_section_workbook,
)

META = SheetMeta(
    report_id=11,
    section_id=3,
    office_name="Kecamatan Sutera",
    section_name="Pemerintahan",
    year=2026,
    quarter=2,
)
INDICATORS = [
    IndicatorRow(
        indicator_id=101,
        code="IKU-01",
        name="Persentase nagari yang menyampaikan laporan tepat waktu",
        unit="%",
        target=Decimal("90"),
        direction_label="Semakin tinggi semakin baik",
        value=None,
        driving="",
        inhibiting="",
        follow_up="",
    ),
    IndicatorRow(
        indicator_id=102,
        code="IKU-02",
        name="Jumlah dokumen perencanaan",
        unit="dokumen",
        target=Decimal("12.25"),
        direction_label="Semakin tinggi semakin baik",
        value=Decimal("3.1234"),
        driving="Dukungan wali nagari",
        inhibiting="=bukan rumus",
        follow_up="",
        annual=Decimal("49"),
        earlier=((1, Decimal("2.5")),),
    ),
    IndicatorRow(
        indicator_id=103,
        code="IKU-03",
        name="Rata-rata waktu pelayanan",
        unit="hari",
        target=Decimal("2"),
        direction_label="Semakin rendah semakin baik",
        value=None,
        driving="",
        inhibiting="",
        follow_up="",
    ),
]
ACTIVITIES = [
    ActivityRow(201, "1.01.01", "Koordinasi penyelenggaraan pemerintahan", 150_000_000, None, None),
    ActivityRow(202, "1.01.02", "Pembinaan nagari", 80_000_000, 20_000_000, Decimal("12.5")),
]
INDICATOR_IDS = {101, 102, 103}
ACTIVITY_IDS = {201, 202}


@pytest.fixture(scope="module")
def blank() -> bytes:
    return build_section_workbook(META, INDICATORS, ACTIVITIES)


def fill(data: bytes, indikator=None, kegiatan=None) -> bytes:
    """Edit cells as a user would in Excel, by coordinate, and save."""
    wb = load_workbook(BytesIO(data))
    for sheet, edits in (("Indikator", indikator or {}), ("Kegiatan", kegiatan or {})):
        for coordinate, value in edits.items():
            wb[sheet][coordinate] = value
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read(data: bytes, meta=META, indicator_ids=INDICATOR_IDS, activity_ids=ACTIVITY_IDS):
    return read_section_workbook(data, meta, indicator_ids, activity_ids)


def errors_of(data: bytes, **kwargs) -> list[str]:
    with pytest.raises(SheetError) as caught:
        read(data, **kwargs)
    assert caught.value.errors
    return caught.value.errors


# Rows 7, 8, 9 hold the indicators / activities in the order given above.
# Indikator: F target triwulan, G target tahunan dan realisasi sebelumnya, H Realisasi,
# I pendorong, J penghambat, K tindak lanjut. Kegiatan: E Rp, F fisik.


def test_round_trip_reads_exact_values(blank):
    data = fill(
        blank,
        indikator={
            "H7": "85,5",
            "I7": "  Partisipasi tinggi  ",
            "H8": 72.25,
            "K8": "Rapat koordinasi\nbulan depan",
            "H9": 40,
            "J9": "Petugas kurang",
        },
        kegiatan={"E7": 1_250_000, "F7": "62,5", "E8": "Rp 21.500.000", "F8": 100},
    )
    parsed = read(data)
    assert parsed.indicators == [
        IndicatorInput(7, 101, Decimal("85.5"), "Partisipasi tinggi", "", ""),
        IndicatorInput(
            8,
            102,
            Decimal("72.25"),
            "Dukungan wali nagari",
            "=bukan rumus",
            "Rapat koordinasi\nbulan depan",
        ),
        IndicatorInput(9, 103, Decimal("40"), "", "Petugas kurang", ""),
    ]
    assert parsed.activities == [
        ActivityInput(7, 201, 1_250_000, Decimal("62.5")),
        ActivityInput(8, 202, 21_500_000, Decimal("100")),
    ]


def test_untouched_download_reads_back_prefilled_values_and_blanks_as_none(blank):
    parsed = read(blank)
    assert [row.value for row in parsed.indicators] == [None, Decimal("3.1234"), None]
    assert parsed.indicators[1].inhibiting == "=bukan rumus"  # stored text is not a formula
    assert parsed.activities == [
        ActivityInput(7, 201, None, None),
        ActivityInput(8, 202, 20_000_000, Decimal("12.5")),
    ]


def test_layout_titles_and_identifiers(blank):
    wb = load_workbook(BytesIO(blank))
    assert wb.sheetnames[:2] == ["Indikator", "Kegiatan"]
    ws = wb["Indikator"]
    titles = [ws.cell(row, 2).value for row in (1, 2, 3)]
    assert titles == [
        "Kecamatan Sutera",
        "Seksi: Pemerintahan",
        "Realisasi kinerja Triwulan II 2026",
    ]
    assert "koma" in ws["B4"].value
    assert [c.value for c in ws[6]][1:] == [
        "Kode",
        "Indikator",
        "Satuan",
        "Arah",
        "Target Triwulan II",
        "Target tahunan dan realisasi sebelumnya",
        "Realisasi",
        "Faktor pendorong",
        "Faktor penghambat",
        "Tindak lanjut",
    ]
    assert ws.column_dimensions["A"].hidden and ws["A7"].value == 101
    assert ws.freeze_panes == "D7"
    assert wb["Kegiatan"]["D7"].number_format == "#,##0"
    assert wb["sutera_meta"].sheet_state == "veryHidden"


def test_the_targets_and_earlier_quarters_stand_beside_the_input_read_only(blank):
    ws = load_workbook(BytesIO(blank))["Indikator"]
    header = [c.value for c in ws[6]]
    row = dict(zip(header, list(ws[8]), strict=True))
    reference = row["Target tahunan dan realisasi sebelumnya"]
    assert header.index("Realisasi") == header.index("Target tahunan dan realisasi sebelumnya") + 1
    assert row["Target Triwulan II"].value == Decimal("12.25")
    assert reference.value == "Target tahunan 49\nRealisasi TW I: 2,5"
    assert reference.protection.locked is True
    assert row["Target Triwulan II"].protection.locked is True
    # The first quarter has no earlier quarter to show.
    first = build_section_workbook(
        SheetMeta(11, 3, "Kecamatan Sutera", "Pemerintahan", 2026, 1), INDICATORS, ACTIVITIES
    )
    ws = load_workbook(BytesIO(first))["Indikator"]
    assert ws["F6"].value == "Target Triwulan I"
    assert ws["G8"].value == "Target tahunan 49"


def test_input_cells_unlocked_and_shaded_everything_else_locked(blank):
    wb = load_workbook(BytesIO(blank))
    ws = wb["Indikator"]
    assert ws.protection.sheet and ws.protection.password
    for coordinate in ("H7", "I7", "J7", "K9"):
        assert ws[coordinate].protection.locked is False
        assert ws[coordinate].fill.fgColor.rgb.endswith("FFF2CC")
    for coordinate in ("A7", "B7", "C7", "F7", "G6", "B1"):
        assert ws[coordinate].protection.locked is True
    activities = wb["Kegiatan"]
    assert activities.protection.sheet
    assert activities["E7"].protection.locked is False
    assert activities["D7"].protection.locked is True
    assert wb.security.lockStructure


def test_same_file_read_twice_gives_identical_results(blank):
    data = fill(blank, indikator={"H7": "85,5", "H8": 72.25})
    assert read(data) == read(data)


def test_rows_found_by_hidden_id_after_moving_rows_and_columns(blank):
    wb = load_workbook(BytesIO(blank))
    ws = wb["Indikator"]
    ws.insert_rows(1)  # an extra line above the table
    ws.insert_cols(3)  # and an extra column before the indicator name
    # Swap the first and last indicator rows (now rows 8 and 10), hidden ids included.
    for column in range(1, ws.max_column + 1):
        first, last = ws.cell(8, column), ws.cell(10, column)
        first.value, last.value = last.value, first.value
    ws["I10"] = "85,5"  # Realisasi moved to I; indicator 101 now sits on row 10
    buffer = BytesIO()
    wb.save(buffer)
    parsed = read(buffer.getvalue())
    assert [(r.row, r.indicator_id, r.value) for r in parsed.indicators] == [
        (8, 103, None),
        (9, 102, Decimal("3.1234")),
        (10, 101, Decimal("85.5")),
    ]


def test_percent_typed_in_excel_is_read_as_percent(blank):
    wb = load_workbook(BytesIO(blank))
    # Typing "62,5%" makes Excel store 0.625 in a percent-formatted cell.
    for sheet, coordinate in (("Indikator", "H7"), ("Kegiatan", "F7")):
        wb[sheet][coordinate] = 0.625
        wb[sheet][coordinate].number_format = "0.0%"
    buffer = BytesIO()
    wb.save(buffer)
    parsed = read(buffer.getvalue())
    assert parsed.indicators[0].value == Decimal("62.5")
    assert parsed.activities[0].physical == Decimal("62.5")


def test_one_bad_row_among_good_ones_reports_that_row_only(blank):
    data = fill(blank, indikator={"H7": "85,5", "H8": "banyak", "H9": 40})
    errors = errors_of(data)
    assert len(errors) == 1
    assert errors[0].startswith("Baris 8: ")
    assert "Realisasi" in errors[0] and "banyak" in errors[0]


def test_all_errors_are_collected(blank):
    data = fill(
        blank,
        indikator={"H7": -1, "H8": "1.234", "H9": 2_000_000_000, "K7": "x" * 2001},
        kegiatan={"F7": 101, "F8": -0.5},
    )
    errors = errors_of(data)
    assert len(errors) == 6
    text = "\n".join(errors)
    assert "Baris 7: lembar Indikator, kolom Realisasi — tidak boleh negatif." in text
    assert "Baris 8: lembar Indikator" in text and "meragukan" in text
    assert "Baris 9: lembar Indikator" in text and "terlalu besar" in text
    assert "Baris 7: lembar Indikator, kolom Tindak lanjut — teks terlalu panjang" in text
    assert "Baris 7: lembar Kegiatan" in text and "antara 0 dan 100" in text
    assert "Baris 8: lembar Kegiatan" in text and "tertulis -0,5" in text


def test_text_of_exactly_the_limit_is_accepted(blank):
    data = fill(blank, indikator={"I7": "y" * 2000})
    assert read(data).indicators[0].driving == "y" * 2000


def test_formula_in_input_cell_is_refused(blank):
    data = fill(blank, indikator={"H7": "=F7*0.9", "I8": "=B8"}, kegiatan={"E7": "=D7/2"})
    errors = errors_of(data)
    assert "Baris 7: lembar Indikator, kolom Realisasi — berisi rumus; isi dengan angka." in errors
    assert any(e.startswith("Baris 8: ") and "Faktor pendorong" in e for e in errors)
    assert any(e.startswith("Baris 7: lembar Kegiatan") and "rumus" in e for e in errors)


def test_too_many_decimal_places(blank):
    errors = errors_of(fill(blank, indikator={"H7": "1,23456"}, kegiatan={"F7": "12,3456"}))
    assert len(errors) == 2
    assert all("angka di belakang koma" in e for e in errors)


def test_rupiah_with_fractions_is_refused(blank):
    errors = errors_of(fill(blank, kegiatan={"E7": 1_500_000.5, "E8": "1.500.000,75"}))
    assert len(errors) == 2
    assert errors[0].startswith(
        "Baris 7: lembar Kegiatan, kolom Realisasi anggaran triwulan ini (Rp)"
    )
    assert all("bilangan bulat" in e for e in errors)


def test_negative_spending_is_refused(blank):
    errors = errors_of(fill(blank, kegiatan={"E7": -5}))
    assert errors[0].startswith("Baris 7: ") and "negatif" in errors[0]


def test_date_in_number_cell_is_explained(blank):
    errors = errors_of(fill(blank, indikator={"H7": datetime.date(2026, 5, 8)}))
    assert errors[0].startswith("Baris 7: ") and "tanggal" in errors[0]


def test_wrong_report_or_section_is_refused(blank):
    for meta in (
        SheetMeta(12, 3, "Kecamatan Sutera", "Pemerintahan", 2026, 3),
        SheetMeta(11, 4, "Kecamatan Sutera", "Trantibum", 2026, 2),
    ):
        errors = errors_of(blank, meta=meta)
        assert len(errors) == 1
        assert errors[0].startswith("Berkas ini untuk seksi/laporan lain")
        assert "Pemerintahan, Triwulan II 2026" in errors[0]


def test_workbook_not_made_by_the_app_is_refused():
    wb = Workbook()
    wb.active["A1"] = "halo"
    buffer = BytesIO()
    wb.save(buffer)
    assert "bukan lembar isian" in errors_of(buffer.getvalue())[0]


def test_unknown_duplicated_and_missing_ids(blank):
    wb = load_workbook(BytesIO(blank))
    ws = wb["Indikator"]
    ws["A8"] = 999  # unknown: 102 is now missing
    for column in "ABCDEFG":  # row 10 copies row 7
        ws[f"{column}10"] = ws[f"{column}7"].value
    ws["C11"] = "baris tambahan tanpa ID"
    for row in range(12, 40):  # blank rows after the table are ignored
        ws[f"H{row}"] = "   "
    buffer = BytesIO()
    wb.save(buffer)
    errors = errors_of(buffer.getvalue())
    assert len(errors) == 4
    assert errors[0].startswith("Baris 8: ") and "ID 999" in errors[0]
    assert errors[1].startswith("Baris 10: ") and "baris 7" in errors[1]
    assert errors[2].startswith("Baris 11: ") and "ID tersembunyi" in errors[2]
    assert errors[3].startswith("Lembar Indikator: 1 baris hilang") and "102" in errors[3]


def test_new_indicator_since_download_is_reported_missing(blank):
    errors = errors_of(blank, indicator_ids=INDICATOR_IDS | {104})
    assert errors == [errors[0]] and "104" in errors[0]


def test_section_without_activities(blank):
    data = build_section_workbook(META, INDICATORS, [])
    assert read(data, activity_ids=set()).activities == []
    assert "tidak memiliki sub kegiatan" in load_workbook(BytesIO(data))["Kegiatan"]["B4"].value


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"ini bukan excel sama sekali",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    ],
    ids=["empty", "text", "pdf"],
)
def test_non_xlsx_bytes_are_refused(data):
    errors = errors_of(data)
    assert len(errors) == 1
    assert errors[0].startswith("Berkas bukan file Excel .xlsx yang valid.")


def test_truncated_xlsx_is_refused(blank):
    errors = errors_of(blank[: len(blank) // 2])
    assert len(errors) == 1 and "Berkas" in errors[0]


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(BytesIO(data))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(
                member.filename, content if member.filename == name else source.read(member)
            )
    return buffer.getvalue()


def test_damaged_xml_inside_zip_is_refused(blank):
    workbook_xml = zipfile.ZipFile(BytesIO(blank)).read("xl/workbook.xml")
    errors = errors_of(replace_member(blank, "xl/workbook.xml", workbook_xml[:100]))
    assert len(errors) == 1 and "tidak dapat dibaca" in errors[0]


def test_xml_entity_declarations_are_refused(blank):
    sheet_xml = zipfile.ZipFile(BytesIO(blank)).read("xl/worksheets/sheet1.xml")
    body = sheet_xml.split(b"?>", 1)[-1]
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' + body
    )
    errors = errors_of(replace_member(blank, "xl/worksheets/sheet1.xml", bomb))
    assert len(errors) == 1 and "tidak dapat dibaca" in errors[0]


def test_randomly_damaged_files_never_raise_anything_but_sheet_error(blank):
    generator = random.Random(20260401)
    for _ in range(40):
        damaged = bytearray(blank)
        for _ in range(3):
            damaged[generator.randrange(len(damaged))] = generator.randrange(256)
        try:
            read(bytes(damaged))
        except SheetError as error:
            assert error.errors


def test_old_xls_or_encrypted_file_is_explained():
    errors = errors_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert ".xls" in errors[0] and "kata sandi" in errors[0]


def test_file_over_the_size_limit_is_refused():
    assert "terlalu besar" in errors_of(b"\0" * (MAX_UPLOAD_BYTES + 1))[0]


def zipped(members: dict[str, int]) -> bytes:
    """A zip whose members hold the given number of zero bytes, written in chunks."""
    buffer = BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, size in members.items():
            with archive.open(name, "w") as member:
                for start in range(0, size, len(chunk)):
                    member.write(chunk[: size - start])
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_unpacking():
    data = zipped({"xl/worksheets/sheet1.xml": 60 * 1024 * 1024})
    assert len(data) < MAX_UPLOAD_BYTES
    errors = errors_of(data)
    assert len(errors) == 1 and "terlalu besar" in errors[0]


def test_highly_compressed_member_is_refused():
    errors = errors_of(zipped({"xl/sharedStrings.xml": 4 * 1024 * 1024}))
    assert "rasio kompresi" in errors[0]


def test_too_many_members_are_refused():
    errors = errors_of(zipped({f"xl/media/image{i}.png": 10 for i in range(101)}))
    assert "terlalu banyak bagian" in errors[0]
