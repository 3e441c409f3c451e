"""Isi Data Triwulan through Excel, end to end through the views: download the section's
workbook, fill it in as an officer would in a spreadsheet program (here openpyxl), upload it.

The input cells are found the way the reader finds them: by the hidden row of column keys
that monev/sheets.py writes above the visible header, so the tests do not depend on columns
keeping their positions."""

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from monev.models import (
    ActivityRealisation,
    Realisation,
    RealisationChange,
    SectionSheet,
    SectionSubmission,
)

from .conftest import SectionDataForm, make_report, section_url

SECTION = "pemerintahan"
CODES = ["IKU-03", "PEM-01", "PEM-02", "PEM-03", "PEM-04"]
ACTIVITY = "7.01.02.2.01.0001"  # pagu 2025: Rp 95.000.000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_SAVED = "Berkas tidak disimpan sama sekali. Perbaiki lalu unggah lagi."
SAVED = "Isi berkas Excel tersimpan sebagai draf."
# Realisation (a number, or text typed the Indonesian way) and explanations per indicator.
FILLED = {
    "IKU-03": {"value": 70.5, "driving": "Pendampingan rutin ke setiap nagari."},
    "PEM-01": {"value": 6, "driving": "Jadwal pembinaan dipatuhi."},
    "PEM-02": {
        "value": "87,5",
        "inhibiting": "Dua nagari terlambat menyerahkan APB Nagari.",
        "follow_up": "Surat teguran dan pendampingan penyusunan APB.",
    },
    "PEM-03": {"value": 3, "driving": "Forkopimcam hadir lengkap."},
    "PEM-04": {"value": "20", "driving": "Mediasi batas berjalan lancar."},
}
FILLED_ACTIVITY = {ACTIVITY: {"spent": 23_750_000, "physical": 25}}
SAVED_VALUES = {
    "IKU-03": Decimal("70.5"),
    "PEM-01": Decimal("6"),
    "PEM-02": Decimal("87.5"),
    "PEM-03": Decimal("3"),
    "PEM-04": Decimal("20"),
}


@pytest.fixture
def report(demo_indicators, users):
    """Triwulan I 2025 at step 2, no section has sent its data yet."""
    return make_report(demo_indicators, step=2)


@pytest.fixture
def kasi(client_for) -> Client:
    return client_for("kasi_pemerintahan")


def download(client: Client, report, code: str = SECTION) -> bytes:
    response = client.get(section_url(report, code, "monev:section_sheet_download"))
    assert response.status_code == 200
    return response.content


def upload(client: Client, report, content: bytes, name: str = "data-pemerintahan.xlsx"):
    return client.post(
        section_url(report, SECTION, "monev:section_sheet_upload"),
        {"workbook": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def columns(ws, id_key: str) -> tuple[int, dict[str, int]]:
    """The hidden key row of a sheet and the column of every key in it."""
    for row in ws.iter_rows():
        keys = {cell.value: cell.column for cell in row if isinstance(cell.value, str)}
        if id_key in keys:
            return row[0].row, keys
    raise AssertionError(f"no key row with {id_key!r} in sheet {ws.title}")


def rows_by_code(ws, id_key: str) -> dict[str, int]:
    """Excel row number of every data row, by the indicator's or activity's code."""
    key_row, keys = columns(ws, id_key)
    return {
        ws.cell(row, keys["code"]).value: row
        for row in range(key_row + 1, ws.max_row + 1)
        if isinstance(ws.cell(row, keys[id_key]).value, int)
    }


def fill(content: bytes, indicators=None, activities=None) -> bytes:
    """The downloaded workbook with the given cells typed in, saved again as .xlsx."""
    wb = load_workbook(io.BytesIO(content))
    for sheet, id_key, values in (
        ("Indikator", "indicator_id", indicators or {}),
        ("Kegiatan", "activity_id", activities or {}),
    ):
        ws = wb[sheet]
        _, keys = columns(ws, id_key)
        rows = rows_by_code(ws, id_key)
        for code, cells in values.items():
            for key, value in cells.items():
                ws.cell(rows[code], keys[key]).value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def excel_row(content: bytes, code: str, sheet: str = "Indikator") -> int:
    wb = load_workbook(io.BytesIO(content))
    return rows_by_code(wb[sheet], "indicator_id" if sheet == "Indikator" else "activity_id")[code]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def snapshot(report) -> tuple:
    """Everything an upload could change, to prove that one did not."""
    return (
        list(
            Realisation.objects.filter(report=report)
            .order_by("indicator__code")
            .values_list(
                "indicator__code", "value", "driving_factors", "inhibiting_factors", "follow_up"
            )
        ),
        list(
            ActivityRealisation.objects.filter(report=report).values_list(
                "activity__code", "spent", "physical_progress"
            )
        ),
        list(
            RealisationChange.objects.filter(realisation__report=report)
            .order_by("id")
            .values_list("realisation__indicator__code", "old_value", "new_value", "source")
        ),
        list(SectionSheet.objects.filter(report=report).values_list("section__code", "revision")),
        list(SectionSubmission.objects.filter(report=report).values_list("section__code")),
    )


NOTHING = ([], [], [], [], [])


def filled_values(report) -> dict:
    return {
        code: value
        for code, value in Realisation.objects.filter(report=report).values_list(
            "indicator__code", "value"
        )
        if value is not None
    }


# --- Download -----------------------------------------------------------------------------


def test_download_is_an_xlsx_of_the_sections_rows(report, kasi):
    response = kasi.get(section_url(report, SECTION, "monev:section_sheet_download"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="data-pemerintahan-2025-tw1.xlsx"'
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert list(rows_by_code(wb["Indikator"], "indicator_id")) == CODES
    assert list(rows_by_code(wb["Kegiatan"], "activity_id")) == [ACTIVITY]


def test_download_carries_the_values_already_saved(report, kasi):
    url = section_url(report, SECTION)
    form = SectionDataForm(kasi.get(url))
    form.indicator("PEM-01", value="4,5", inhibiting="Hujan deras.", follow_up="Jadwal ulang.")
    assert form.post(kasi, url).status_code == 302

    wb = load_workbook(io.BytesIO(download(kasi, report)))

    ws = wb["Indikator"]
    _, keys = columns(ws, "indicator_id")
    row = rows_by_code(ws, "indicator_id")["PEM-01"]
    assert Decimal(str(ws.cell(row, keys["value"]).value)) == Decimal("4.5")
    assert ws.cell(row, keys["inhibiting"]).value == "Hujan deras."


def test_download_shows_the_targets_and_earlier_quarters_like_the_web_form(
    demo_indicators, users, kasi
):
    first = make_report(demo_indicators, quarter=1, step=3)
    Realisation.objects.create(
        report=first,
        indicator=demo_indicators.indicators.get(code="PEM-01"),
        value=Decimal("2"),
    )
    second = make_report(demo_indicators, quarter=2, step=2)
    page = kasi.get(section_url(second, SECTION)).content.decode()

    ws = load_workbook(io.BytesIO(download(kasi, second)))["Indikator"]

    key_row, keys = columns(ws, "indicator_id")
    headers = {key: ws.cell(key_row + 1, column).value for key, column in keys.items()}
    assert headers["target"] == "Target Triwulan II"
    row = rows_by_code(ws, "indicator_id")["PEM-01"]
    reference = ws.cell(row, keys["reference"])
    lines = reference.value.split("\n")
    assert lines[0].startswith("Target tahunan ") and lines[1] == "Realisasi TW I: 2"
    assert reference.protection.locked
    for words in ("Target Triwulan II", lines[0], "Realisasi TW I: 2"):
        assert words in page  # the same words as the web form


@pytest.mark.parametrize("name", ["camat", "sekretaris", "kasubag", "admin"])
def test_download_is_open_to_every_role_of_the_office(report, client_for, name):
    assert download(client_for(name), report)


@pytest.mark.parametrize("name", ["kasi_trantibum", "other_office"])
def test_download_is_forbidden_to_another_section_and_another_office(report, client_as, name):
    response = client_as(name).get(section_url(report, SECTION, "monev:section_sheet_download"))

    assert response.status_code == 403


# --- Upload -------------------------------------------------------------------------------


def test_filled_workbook_saves_every_value_with_source_xlsx(report, kasi, users):
    content = fill(download(kasi, report), FILLED, FILLED_ACTIVITY)

    response = upload(kasi, report, content)

    assert response.status_code == 302
    assert messages_of(response) == [SAVED]
    assert filled_values(report) == SAVED_VALUES
    pem_02 = Realisation.objects.get(report=report, indicator__code="PEM-02")
    assert (pem_02.inhibiting_factors, pem_02.follow_up) == (
        "Dua nagari terlambat menyerahkan APB Nagari.",
        "Surat teguran dan pendampingan penyusunan APB.",
    )
    activity = ActivityRealisation.objects.get(report=report)
    assert (activity.spent, activity.physical_progress) == (23_750_000, Decimal("25"))
    changes = RealisationChange.objects.filter(realisation__report=report)
    assert changes.count() == 5
    assert {(c.source, c.changed_by, c.old_value) for c in changes} == {
        ("xlsx", users["kasi_pemerintahan"], None)
    }
    assert not SectionSubmission.objects.filter(report=report).exists()


def test_history_on_the_page_marks_values_that_came_from_excel(report, kasi):
    upload(kasi, report, fill(download(kasi, report), FILLED, FILLED_ACTIVITY))

    content = kasi.get(section_url(report, SECTION)).content.decode()

    assert content.count("(dari Excel)") == 5


def test_same_workbook_uploaded_twice_changes_nothing_the_second_time(report, kasi):
    content = fill(download(kasi, report), FILLED, FILLED_ACTIVITY)
    upload(kasi, report, content)
    before = snapshot(report)
    saved_at = list(Realisation.objects.filter(report=report).values_list("updated_at", "revision"))

    response = upload(kasi, report, content)

    assert response.status_code == 302
    assert snapshot(report) == before
    assert (
        list(Realisation.objects.filter(report=report).values_list("updated_at", "revision"))
        == saved_at
    )


def test_workbook_with_one_unreadable_number_saves_nothing_and_names_its_row(report, kasi):
    content = fill(download(kasi, report), FILLED | {"PEM-02": FILLED["PEM-02"] | {"value": "12x"}})
    row = excel_row(content, "PEM-02")

    response = upload(kasi, report, content)

    assert response.status_code == 200
    assert messages_of(response) == [NOT_SAVED]
    errors = response.context["upload_errors"]
    assert len(errors) == 1
    assert errors[0].startswith(f"Baris {row}: lembar Indikator, kolom Realisasi")
    assert "“12x” bukan angka yang dapat dibaca." in errors[0]
    assert f"Baris {row}: " in response.content.decode()
    assert snapshot(report) == NOTHING


def test_workbook_row_missing_its_explanations_is_kept_as_a_draft(report, kasi):
    # PEM-02 at 80 % needs a faktor penghambat and a tindak lanjut, asked for when the data
    # is sent; a draft keeps the number meanwhile, as on the web form.
    content = fill(download(kasi, report), FILLED | {"PEM-02": {"value": 80}})

    response = upload(kasi, report, content)

    assert response.status_code == 302
    value = Realisation.objects.get(report=report, indicator__code="PEM-02").value
    assert value == 80
    assert not SectionSubmission.objects.filter(report=report).exists()


def test_every_bad_row_is_listed(report, kasi):
    content = fill(
        download(kasi, report),
        FILLED | {"PEM-01": {"value": "banyak"}, "PEM-04": {"value": "1.234"}},
        {ACTIVITY: {"spent": "Rp 1.000,50", "physical": 25}},
    )
    rows = [excel_row(content, "PEM-01"), excel_row(content, "PEM-04")]
    activity_row = excel_row(content, ACTIVITY, "Kegiatan")

    response = upload(kasi, report, content)

    errors = response.context["upload_errors"]
    assert [error.split(":")[0] for error in errors] == [
        f"Baris {rows[0]}",
        f"Baris {rows[1]}",
        f"Baris {activity_row}",
    ]
    assert "lembar Kegiatan" in errors[2]
    assert snapshot(report) == NOTHING


def test_activity_spending_over_the_pagu_saves_nothing_and_names_its_row(report, kasi):
    content = fill(download(kasi, report), FILLED, {ACTIVITY: {"spent": 95_000_001}})
    row = excel_row(content, ACTIVITY, "Kegiatan")

    response = upload(kasi, report, content)

    assert response.context["upload_errors"] == [
        f"Baris {row} (Kegiatan): Realisasi anggaran melebihi pagu."
    ]
    assert snapshot(report) == NOTHING


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"No;Realisasi\n1;85,5\n", "Berkas bukan file Excel .xlsx yang valid."),
        (png(), "Berkas bukan file Excel .xlsx yang valid."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "Berkas ini berformat Excel lama"),
    ],
    ids=["csv-renamed", "png-renamed", "old-xls"],
)
def test_file_that_is_not_an_xlsx_gets_a_clear_message(report, kasi, content, message):
    response = upload(kasi, report, content, name="data.xlsx")

    assert response.status_code == 200
    assert messages_of(response) == [NOT_SAVED]
    [error] = response.context["upload_errors"]
    assert error.startswith(message)
    assert snapshot(report) == NOTHING


def test_workbook_of_another_section_is_refused(report, kasi, client_for):
    content = download(client_for("kasi_trantibum"), report, "trantibum")

    response = upload(kasi, report, content)

    [error] = response.context["upload_errors"]
    assert error.startswith("Berkas ini untuk seksi/laporan lain")
    assert "Ketenteraman dan Ketertiban Umum" in error
    assert snapshot(report) == NOTHING


def test_upload_without_a_file_asks_for_one(report, kasi):
    response = kasi.post(section_url(report, SECTION, "monev:section_sheet_upload"), {})

    assert response.status_code == 302
    assert messages_of(response) == ["Pilih berkas Excel yang akan diunggah."]
    assert snapshot(report) == NOTHING


@pytest.mark.parametrize(
    "name", ["camat", "sekretaris", "kasubag", "admin", "kasi_trantibum", "other_office"]
)
def test_only_the_sections_kasi_may_upload(report, kasi, client_as, name):
    content = fill(download(kasi, report), FILLED, FILLED_ACTIVITY)

    response = upload(client_as(name), report, content)

    assert response.status_code == 403
    assert snapshot(report) == NOTHING


def test_upload_after_the_section_submitted_is_refused(report, kasi):
    content = fill(download(kasi, report), FILLED, FILLED_ACTIVITY)
    upload(kasi, report, content)
    url = section_url(report, SECTION)
    SectionDataForm(kasi.get(url)).post(kasi, url, button="submit", follow=True)
    before = snapshot(report)

    response = upload(kasi, report, fill(content, {"PEM-01": {"value": 7}}))

    assert response.status_code == 200
    assert response.context["upload_errors"] == [
        "Data seksi ini sudah dikirim dan dikunci. Minta Kasubag PKP membukanya kembali."
    ]
    assert snapshot(report) == before


def test_amounts_from_a_workbook_read_with_thousands_dots_on_the_page(report, kasi):
    upload(kasi, report, fill(download(kasi, report), FILLED, FILLED_ACTIVITY))

    page = kasi.get(section_url(report, SECTION)).content.decode()

    assert 'value="23.750.000"' in page and "23750000" not in page
    # ... and saving the page as it is keeps the amount.
    form = SectionDataForm(kasi.get(section_url(report, SECTION)))
    form.post(kasi, section_url(report, SECTION))
    assert ActivityRealisation.objects.get(report=report).spent == 23_750_000
