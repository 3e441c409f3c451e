"""The documents of the demo office as a reviewer gets them: the archived E.81 workbooks read
back cell by cell, every document and page rendered in Indonesian with no msgid taken over by
Django's or a third-party catalogue, every workbook printed by LibreOffice, and the archived
PDF/A checked with qpdf and pypdf."""

import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from monev import clock
from monev.exports.e81 import FIRST_DATA_ROW, build_e81, sheet_column
from monev.models import ActivityBudget, ArchivedFile, ArchiveKind, Report, Sop
from monev.performance import achievement
from monev.selectors.office_data import quarter_figures
from monev.worktime import JAKARTA

NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=JAKARTA)
LOWER_MARK = "[semakin rendah semakin baik]"


@pytest.fixture
def demo(db, settings, tmp_path, django_capture_on_commit_callbacks):
    """The demo office as `make run` loads it, its archive files on disk."""
    settings.MEDIA_ROOT = tmp_path
    with clock.frozen_at(NOW), django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    return Report.objects.filter(archived_at__isnull=False).select_related("office")


def _archived(report, kind) -> bytes:
    record = ArchivedFile.objects.get(report=report, kind=kind)
    with default_storage.open(record.file.name, "rb") as handle:
        return handle.read()


def _number(value) -> Decimal:
    return Decimal(str(value))


# --- Formulir E.81 ----------------------------------------------------------------------------


def test_the_archived_e81_adds_up_from_its_own_columns(demo):
    assert demo.count() >= 4
    k = {n: sheet_column(n) for n in (7, 12)}
    rp = {n: sheet_column(n, rp=True) for n in range(5, 15)}
    for report in demo:
        ws = load_workbook(io.BytesIO(_archived(report, ArchiveKind.XLSX)))["E.81"]
        assert ws["A5"].value == "No"
        total_row = next(
            row for row in range(FIRST_DATA_ROW, ws.max_row + 1) if ws[f"B{row}"].value == "Jumlah"
        )
        pagu = ActivityBudget.objects.filter(
            activity__office=report.office, year=report.year
        ).aggregate(total=Sum("budget"))["total"]
        assert pagu and ws.cell(total_row, rp[7]).value == pagu
        # (5), (6) and (13) Rp have their halves now that the Renstra budget is recorded.
        assert all(ws.cell(total_row, rp[n]).value for n in (5, 6, 13))
        percents = []
        indicator_rows = 0
        for row in range(FIRST_DATA_ROW, total_row):
            if not isinstance(ws[f"A{row}"].value, int):
                continue  # a programme, kegiatan or sub-kegiatan row
            indicator_rows += 1
            assert all(ws.cell(row, column).value is None for column in rp.values()), row
            target, value = ws.cell(row, k[7]).value, ws.cell(row, k[12]).value
            if value is None or not target:
                continue
            lower = LOWER_MARK in ws[f"D{row}"].value
            target = _number(target)
            if lower and "(kejadian)" in ws[f"D{row}"].value:
                target = target * report.quarter / 4  # as the note under the table says
            result = achievement(target, _number(value), "lower" if lower else "higher")
            percents.append(result.percent)
        assert indicator_rows == len(quarter_figures(report).indicators)
        footer = next(
            row
            for row in range(total_row, ws.max_row + 1)
            if ws[f"A{row}"].value == "Rata-rata capaian kinerja (%)"
        )
        mean = (sum(percents) / len(percents)).quantize(Decimal("0.01"))
        assert _number(ws[f"E{footer}"].value) == mean
        notes = [ws[f"A{row}"].value or "" for row in range(footer, ws.max_row + 1)]
        assert any("(12) ÷ (7)" in note and "(2 − (12) ÷ (7))" in note for note in notes)


# --- Translation collisions -------------------------------------------------------------------


def _project_source() -> str:
    base = Path(django_settings.BASE_DIR)
    files = [*base.glob("monev/**/*.py"), *base.glob("templates/**/*.html")]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


@pytest.fixture
def lookups(monkeypatch):
    """Every (context, msgid, result) looked up through Django's translation functions."""
    seen: list[tuple[str | None, str, str]] = []
    trans = translation._trans
    real = {name: getattr(trans, name) for name in ("gettext", "pgettext", "ngettext")}

    def gettext(message):
        result = real["gettext"](message)
        seen.append((None, str(message), str(result)))
        return result

    def pgettext(context, message):
        result = real["pgettext"](context, message)
        seen.append((context, str(message), str(result)))
        return result

    def ngettext(singular, plural, number):
        result = real["ngettext"](singular, plural, number)
        seen.append((None, str(singular if number == 1 else plural), str(result)))
        return result

    monkeypatch.setattr(trans, "gettext", gettext)
    monkeypatch.setattr(trans, "pgettext", pgettext)
    monkeypatch.setattr(trans, "ngettext", ngettext)
    return seen


def _pages(report) -> dict[str, list[str]]:
    current = Report.objects.filter(archived_at__isnull=True).order_by("-year", "-quarter").first()
    sop = Sop.objects.filter(office=report.office, is_active=True).first()
    return {
        "camat": [
            reverse("monev:dashboard"),
            reverse("monev:inbox"),
            reverse("monev:report_list"),
            reverse("monev:report_detail", args=[report.pk]),
            reverse("monev:report_detail", args=[current.pk]),
            reverse("monev:archive_list"),
            reverse("monev:sop_current"),
            reverse("monev:sop_detail", args=[sop.pk]),
            reverse("monev:sop_timing"),
            reverse("monev:sop_timing_xlsx"),
            reverse("monev:notification_list"),
        ],
        "kasubag": [reverse("monev:inbox"), reverse("monev:report_detail", args=[current.pk])],
        "kasi_pemerintahan": [reverse("monev:inbox")],
    }


def test_no_msgid_is_translated_by_another_catalogue(demo, lookups, client):
    """Our msgids are Indonesian already: a lookup that comes back different was caught by
    Django's or a third-party catalogue ("No" came back "Tidak" in the E.81 and on the SOP
    page)."""
    from monev.exports.pdf import render_report_html
    from monev.exports.sop_pdf import render_sop_html
    from monev.services.documents import analysis_texts

    report = demo.order_by("-year", "-quarter").first()
    with translation.override("id"):
        figures = quarter_figures(report)
        build_e81(figures, place="Surantih", signed_on=datetime.date(2026, 10, 5))
        for draft in (True, False):
            render_report_html(
                figures,
                draft=draft,
                version=2 if draft else None,
                place="Surantih",
                signed_on=datetime.date(2026, 10, 5),
                analysis=analysis_texts(report),
            )
        render_sop_html(Sop.objects.filter(office=report.office, is_active=True).first())
    users = get_user_model().objects
    with clock.frozen_at(NOW):
        for username, urls in _pages(report).items():
            client.force_login(users.get(username=username))
            for url in urls:
                assert client.get(url).status_code == 200, url
    source = _project_source()
    ours = [
        (context, msgid, result)
        for context, msgid, result in lookups
        if f'"{msgid}"' in source or f"'{msgid}'" in source
    ]
    assert len(ours) > 100  # the documents and pages were really rendered
    assert ("nomor urut kolom", "No", "No") in ours
    collisions = sorted({(c, m, r) for c, m, r in ours if r != m})
    assert collisions == []


# --- Printing the workbooks -------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (libreoffice-calc-nogui) or poppler-utils not installed",
)


def _print_pdf(folder: Path, name: str, content: bytes) -> Path:
    """The workbook as LibreOffice prints it (headless, to PDF)."""
    source = folder / name
    source.write_bytes(content)
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'lo').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return source.with_suffix(".pdf")


def _word_heights(pdf: Path, page: int) -> list[float]:
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">[^<]', html)
    return [float(y_max) - float(y_min) for y_min, y_max in boxes]


def _seven_point_height(folder: Path, font: str) -> float:
    """The height pdftotext gives a word of 7 pt in ``font`` printed at 100 %."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.active["A1"] = "Kalibrasi"
    wb.active["A1"].font = Font(name=font, size=7)
    buffer = io.BytesIO()
    wb.save(buffer)
    return min(_word_heights(_print_pdf(folder, f"kalibrasi-{font}.xlsx", buffer.getvalue()), 1))


@needs_libreoffice
def test_libreoffice_prints_every_workbook_legibly(demo, client, tmp_path):
    report = demo.order_by("-year", "-quarter").first()
    folder = tmp_path / "cetak"
    folder.mkdir()
    seven = _seven_point_height(folder, "Arial")
    workbook = _archived(report, ArchiveKind.XLSX)
    form_only = load_workbook(io.BytesIO(workbook))
    del form_only["Data"]
    buffer = io.BytesIO()
    form_only.save(buffer)

    e81 = _print_pdf(folder, "e81.xlsx", workbook)
    pages = len(PdfReader(e81).pages)
    # The hidden Data sheet does not print: the same pages as the form alone.
    assert pages == len(PdfReader(_print_pdf(folder, "form.xlsx", buffer.getvalue())).pages)
    assert 2 <= pages <= 14
    first = PdfReader(e81).pages[0]
    assert round(float(first.mediabox.width)) == 842  # A4 landscape
    heights = _word_heights(e81, 1)
    assert len(heights) > 100
    assert min(heights) >= seven - 0.05

    users = get_user_model().objects
    client.force_login(users.get(username="camat"))
    with clock.frozen_at(NOW):
        timing = client.get(reverse("monev:sop_timing_xlsx"), {"year": NOW.year})
    assert timing.status_code == 200
    printed = _print_pdf(folder, "waktu.xlsx", timing.content)
    reader = PdfReader(printed)
    # Three sheets, each landscape and one page wide: a handful of pages, not 13 portrait ones.
    assert 3 <= len(reader.pages) <= 6
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)
    for number in range(1, len(reader.pages) + 1):
        assert min(_word_heights(printed, number)) >= seven - 0.05

    current = Report.objects.filter(archived_at__isnull=True).order_by("-year", "-quarter").first()
    kasi = users.get(username="kasi_pemerintahan")
    client.force_login(kasi)
    with clock.frozen_at(NOW):
        sheet = client.get(
            reverse("monev:section_sheet_download", args=[current.pk, kasi.staff.section_id])
        )
    assert sheet.status_code == 200
    printed = _print_pdf(folder, "lembar.xlsx", sheet.content)
    assert len(PdfReader(printed).pages) >= 1
    # The offline data sheet keeps the spreadsheet's default font, Calibri.
    assert min(_word_heights(printed, 1)) >= _seven_point_height(folder, "Calibri") - 0.05


# --- The archived PDF/A -----------------------------------------------------------------------


def test_the_archived_pdf_is_pdf_a_3b_with_author_date_and_one_attachment(demo, tmp_path):
    report = demo.order_by("-year", "-quarter").first()
    path = tmp_path / "arsip.pdf"
    path.write_bytes(_archived(report, ArchiveKind.PDF))
    if shutil.which("qpdf"):
        checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    reader = PdfReader(path)
    info = reader.metadata
    assert info["/Author"] == "Kecamatan Sutera Kabupaten Pesisir Selatan"
    assert info["/Title"].startswith("Laporan Monitoring dan Evaluasi Kinerja Triwulan")
    assert info["/Subject"].endswith("· Kecamatan Sutera")
    assert re.fullmatch(r"D:\d{14}\+07'00'?", info["/CreationDate"])
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "Kecamatan Sutera Kabupaten Pesisir Selatan" in xmp  # dc:creator
    assert re.search(r"<xmp:CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00</xmp:CreateDate>", xmp)
    # The workbook is listed once, dated in WIB and labelled so.
    root = reader.trailer["/Root"]
    assert len(root["/AF"]) == 1
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert len(names) == 2 and names[0].endswith("-e81.xlsx")
    params = names[1].get_object()["/EF"]["/F"].get_object()["/Params"]
    assert params["/CreationDate"].endswith("+07'00'")
    assert params["/CreationDate"] == info["/CreationDate"].rstrip("'") + "'"


def _pdf_text(content: bytes, folder: Path, name: str) -> str:
    """The text as poppler reads it, whitespace collapsed (lines wrap where the page ends)."""
    path = folder / name
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_letterhead_and_signatures_carry_what_offices_print(demo, client, tmp_path):
    report = demo.order_by("-year", "-quarter").first()
    text = _pdf_text(_archived(report, ArchiveKind.PDF), tmp_path, "arsip.pdf")
    for expected in (
        "Kode Pos 25662",
        "Telepon (0756) 7461234",
        "Pos-el kecamatan.sutera@pesisirselatankab.example",
        "Laman sutera.pesisirselatankab.example",
        "Pembina Tingkat I (IV/b)",
        "NIP. 198003152000121001",
    ):
        assert expected in text, expected
    first = PdfReader(io.BytesIO(_archived(report, ArchiveKind.PDF))).pages[0]
    assert list(first.images), "the office logo is on the letterhead"
    client.force_login(get_user_model().objects.get(username="camat"))
    with clock.frozen_at(NOW):
        response = client.get(reverse("monev:sop_current_pdf"))
    assert response.status_code == 200
    stored = response.getvalue()  # the stored file, streamed (reading it whole closes it)
    sop = PdfReader(io.BytesIO(stored))
    sop_text = _pdf_text(stored, tmp_path, "sop.pdf")
    for expected in ("Surantih, 14 Maret 2025", "Camat Sutera", "Pembina Tingkat I (IV/b)",
                     "NIP. 198003152000121001", "Kode Pos 25662"):  # fmt: skip
        assert expected in sop_text, expected
    assert list(sop.pages[0].images)
    workbook = load_workbook(io.BytesIO(_archived(report, ArchiveKind.XLSX)))["E.81"]
    signature = [workbook.cell(row, 9).value for row in range(FIRST_DATA_ROW, workbook.max_row + 1)]
    assert "Pembina Tingkat I (IV/b)" in signature


@needs_libreoffice
def test_text_prints_as_typed_without_an_apostrophe(tmp_path):
    from .test_e81 import make_figures, make_indicator, make_section

    typed = "- Kurangnya personel di lapangan"
    indicator = make_indicator("PEM-01", inhibiting=typed, follow_up="=SUM(1;2)")
    content = build_e81(
        make_figures([make_section(1, "Seksi Pemerintahan", [indicator])]),
        place="Surantih",
        signed_on=datetime.date(2026, 10, 5),
    )
    printed = _print_pdf(tmp_path, "e81.xlsx", content)
    text = subprocess.run(
        ["pdftotext", str(printed), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert typed in text
    assert "'-" not in text
    assert "=SUM(1;2)" in text  # shown, never evaluated to 3
