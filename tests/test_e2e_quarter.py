"""A whole quarter in real Chromium, every step done by the demo user whose job it is.

The Sekretaris opens Triwulan II 2026, the five Kepala Seksi fill in their quarterly data (one
with a typo, one forgetting a required explanation) and their blangko monev, the Kasubag PKP
processes, analyses and drafts, the Sekretaris discusses, returns once and verifies, the Camat
reads the latest draft and approves with the passphrase of their electronic certificate (the
final PDF is signed), the Kasubag archives, the admin downloads the frozen PDF from the Arsip,
and a visitor who is not logged in opens the verification page the PDF's QR code points at.
Everything goes through the pages: links, labels and buttons, never a direct POST. One browser,
one context per person. On failure every open page is saved in test-artifacts/ (screenshot and
HTML).
"""

import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from monev import clock
from monev.management.commands.seed_demo import DEMO_SIGNING_PASSPHRASE, demo_certificates
from monev.models import (
    ActivityRealisation,
    ArchivedFile,
    Comment,
    DocumentSignature,
    LogAction,
    MonevEntry,
    Office,
    Realisation,
    Report,
    SectionAnalysis,
    SectionSubmission,
    StepLog,
)

from . import browser_helpers
from .browser_helpers import DEMO_FIXTURES

pytestmark = pytest.mark.browser
# The shared fixtures: one Chromium for this module, and the people signing in.
browser = browser_helpers.browser
people = browser_helpers.people

REPORT_TITLE = "Laporan Triwulan II 2026"
PDF_NAME = "monev-sutera-2026-tw2.pdf"
KASI = ["kasi_pemerintahan", "kasi_trantibum", "kasi_pmn", "kasi_kesos", "kasi_pelayanan"]
SECTION_OF = {
    "kasi_pemerintahan": "Pemerintahan",
    "kasi_trantibum": "Ketenteraman dan Ketertiban Umum",
    "kasi_pmn": "Pemberdayaan Masyarakat dan Nagari",
    "kasi_kesos": "Kesejahteraan Sosial",
    "kasi_pelayanan": "Pelayanan Umum",
}
COMMENT = "Analisis Seksi Trantibum mohon dilengkapi dengan data kejadian per nagari."
RETURN_NOTE = "Faktor penghambat Seksi Kesos perlu dirinci per nagari sebelum diajukan ke Camat."


class Line(NamedTuple):
    """One indicator as the Kepala Seksi fills it in (targets: demo_indicators.json, 2026 TW II)."""

    code: str
    value: str
    capaian: str  # what the page shows while typing, worked out by hand
    driving: str = ""
    inhibiting: str = ""
    follow_up: str = ""


class Spending(NamedTuple):
    code: str
    spent: str
    physical: str


UP = "Koordinasi rutin dengan wali nagari berjalan baik."
DOWN = "Sebagian data nagari terlambat masuk."
NEXT = "Rapat koordinasi bulanan dengan nagari pada awal triwulan III."

# Capaian >= 100 % needs the faktor pendorong; below 100 % the penghambat and the tindak lanjut.
DATA = {
    "kasi_pemerintahan": (
        [
            Line("IKU-03", "75", "104,17 %", driving=UP),  # target 72 %
            Line("PEM-01", "7", "100 %", driving="Jadwal pembinaan nagari dipatuhi."),
            Line("PEM-02", "87,5", "87,5 %", inhibiting=DOWN, follow_up=NEXT),  # target 100 %
            Line("PEM-03", "3", "100 %", driving="Forkopimcam hadir lengkap."),
            Line("PEM-04", "45", "112,5 %", driving="Mediasi batas nagari lancar."),
        ],
        [Spending("7.01.02.2.01.0001", "24.500.000", "45")],
    ),
    "kasi_trantibum": (
        [
            Line("IKU-04", "100", "100 %", driving="Satlinmas nagari sigap."),
            # Typed first as "9O" (letter O), corrected to 9 against a target of 10.
            Line("TRA-01", "9", "90 %", inhibiting="Personel Pol PP terbatas.", follow_up=NEXT),
            Line(
                "TRA-02", "4", "120 %", driving="Patroli malam rutin."
            ),  # lower is better, target 5
            Line("TRA-03", "14", "116,67 %", driving="Jadwal patroli ditambah."),
            Line("TRA-04", "5,5", "108,33 %", driving="Posko pengaduan aktif."),  # lower is better
        ],
        [Spending("7.01.04.2.01.0001", "21.000.000", "48")],
    ),
    "kasi_pmn": (
        [
            Line("PMN-01", "100", "100 %", driving="Fasilitasi musrenbang tepat jadwal."),
            Line("PMN-02", "12", "120 %", driving="Pelatihan UMKM diminati."),
            Line("PMN-03", "50", "100 %", driving="Monitoring Dana Nagari terjadwal."),
            Line("PMN-04", "5", "83,33 %", inhibiting="Cuaca buruk di dua nagari.", follow_up=NEXT),
        ],
        [
            Spending("7.01.03.2.01.0001", "17.000.000", "50"),
            Spending("7.01.03.2.01.0002", "14.250.000", "47,5"),
        ],
    ),
    "kasi_kesos": (
        [
            Line("KES-01", "72,5", "103,57 %", driving="Pendataan PPKS diperbarui."),
            # Lower is better: 16,1 against 15,5 is 96,13 %; the explanations are forgotten
            # at first and the server asks for them.
            Line(
                "KES-02", "16,1", "96,13 %", inhibiting="Kasus baru di dua nagari.", follow_up=NEXT
            ),
            Line("KES-03", "4", "100 %", driving="Dukungan tokoh agama."),
            Line("KES-04", "55", "110 %", driving="Operator SIKS-NG bertambah."),
        ],
        [
            Spending("7.01.05.2.01.0001", "19.000.000", "50"),
            Spending("7.01.05.2.01.0002", "12.000.000", "45"),
        ],
    ),
    "kasi_pelayanan": (
        [
            Line("IKU-01", "82,4", "101,73 %", driving="Pelayanan PATEN ramah dan cepat."),
            Line("IKU-02", "93,5", "101,63 %", driving="Standar waktu layanan dipajang."),
            Line("PEL-01", "615", "102,5 %", driving="Layanan keliling nagari."),
            Line("PEL-02", "2,2", "90 %", inhibiting="Antrean legalisir menumpuk.", follow_up=NEXT),
            Line("PEL-03", "96", "96 %", inhibiting=DOWN, follow_up=NEXT),
        ],
        [
            Spending("7.01.02.2.02.0001", "30.000.000", "50"),
            Spending("7.01.02.2.02.0002", "6.500.000", "40"),
        ],
    ),
}
ANALYSIS = {
    "Pemerintahan": "Capaian seksi di atas target kecuali evaluasi APB Nagari.",
    "Ketenteraman dan Ketertiban Umum": "Gangguan trantibum turun; penindakan Perda sedikit "
    "di bawah target karena personel terbatas.",
    "Pemberdayaan Masyarakat dan Nagari": "Pembinaan kelompok melampaui target.",
    "Kesejahteraan Sosial": "Prevalensi stunting belum turun sesuai target triwulan.",
    "Pelayanan Umum": "IKM naik; waktu penyelesaian layanan masih di atas standar.",
}


# --- Finding things on the pages -------------------------------------------------------------


def nav_to(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="Navigasi utama").get_by_role(
        "link", name=link, exact=True
    ).click()


def inbox_row(page: Page):
    """The row of this quarter's report on Tugas Saya, reached through the menu."""
    nav_to(page, "Tugas Saya")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tugas Saya")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=REPORT_TITLE))
    expect(row).to_have_count(1)
    return row


def open_from_inbox(page: Page, step_text: str) -> None:
    row = inbox_row(page)
    expect(row.get_by_role("cell").nth(1)).to_contain_text(step_text)
    row.get_by_role("link", name=REPORT_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REPORT_TITLE)


def current_step_number(page: Page):
    return page.locator("ol.timeline > li[aria-current='step'] .step-no")


def status(page: Page):
    return page.get_by_role("status")


def complete(page: Page, button: str, step: int, *, timeout: float | None = None) -> None:
    """Press the step's button on the report page; the report moves to the next step."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(status(page)).to_have_text(f"Langkah {step} selesai.", timeout=timeout)
    if step < 13:
        expect(current_step_number(page)).to_have_text(f"{step + 1}.")


def back_to_report(page: Page) -> None:
    """Follow the breadcrumb back to the report page."""
    page.get_by_role("navigation", name="Jejak").get_by_role("link", name=REPORT_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REPORT_TITLE)


def indicator_card(page: Page, code: str):
    """An indicator's card on the data or blangko page, named by its code and name."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(code)} "))


def report_step() -> int:
    return Report.objects.get(year=2026, quarter=2).current_step


# --- What each person does -------------------------------------------------------------------


def type_realisation(page: Page, card, value: str, capaian: str) -> None:
    """Type a realisation and wait until the capaian area shows ``capaian``.

    Typing asks the server for the capaian (htmx, 400 ms after the last key). A person reads
    it before going on; the test does too, waiting for that very response, which also keeps
    the browser from sending the next request while one is still running: under pytest-django
    the live server shares the test's one in-memory SQLite connection among its threads.
    """
    with page.expect_response(lambda response: "/capaian/" in response.url):
        card.get_by_label("Realisasi", exact=True).fill(value)
    expect(card.locator("[aria-live=polite]")).to_contain_text(capaian)
    expect(card.locator(".htmx-request")).to_have_count(0)


def fill_section_data(page: Page, lines, spending, *, skip_explanations=()) -> None:
    for line in lines:
        card = indicator_card(page, line.code)
        if line.code not in skip_explanations:
            for label, text in (
                ("Faktor pendorong", line.driving),
                ("Faktor penghambat", line.inhibiting),
                ("Tindak lanjut", line.follow_up),
            ):
                if text:
                    card.get_by_label(label, exact=True).fill(text)
        type_realisation(page, card, line.value, line.capaian)
    for item in spending:
        row = page.get_by_role("row").filter(has_text=item.code)
        row.get_by_label("Realisasi anggaran triwulan ini (Rp)").fill(item.spent)
        row.get_by_label("Realisasi fisik s.d. triwulan ini (%)").fill(item.physical)


def send_section_data(page: Page) -> None:
    page.get_by_role("button", name="Simpan dan kirim (data dikunci)").click()


def kasi_opens_data_form(page: Page, username: str) -> None:
    row = inbox_row(page)
    expect(row.get_by_role("cell").nth(1)).to_contain_text(
        "2. Melakukan pengumpulan data kinerja bidang per triwulan"
    )
    row.get_by_role("link", name="Isi Data Triwulan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Isi Data Triwulan — {SECTION_OF[username]}"
    )
    expect(page.get_by_text("Draf · dapat diubah")).to_be_visible()
    lines, _spending = DATA[username]
    expect(page.get_by_role("region", name=re.compile(r"^[A-Z]+-\d+ "))).to_have_count(len(lines))


def data_sent(page: Page, username: str) -> None:
    expect(status(page)).to_have_text("Data seksi terkirim dan dikunci.")
    expect(page.get_by_role("heading", level=1)).to_have_text(REPORT_TITLE)
    step = page.locator("ol.timeline > li").nth(1)
    expect(step.get_by_text(f"✓ {SECTION_OF[username]}", exact=True)).to_be_visible()


def kasi_sends_data(people, username: str) -> None:
    page = people.sign_in(username)
    kasi_opens_data_form(page, username)
    fill_section_data(page, *DATA[username])
    send_section_data(page)
    data_sent(page, username)


def kasi_with_a_typo(people) -> None:
    """The Kasi Trantibum types "9O" (a letter O): the app says so, nothing is saved."""
    username = "kasi_trantibum"
    page = people.sign_in(username)
    kasi_opens_data_form(page, username)
    fill_section_data(page, *DATA[username])
    card = indicator_card(page, "TRA-01")
    # The capaian area answers while typing ...
    type_realisation(page, card, "9O", "“9O” bukan angka yang dapat dibaca.")
    send_section_data(page)
    # ... and the server refuses the whole form, keeping every typed value.
    expect(page.get_by_role("alert")).to_have_text(
        "Periksa isian yang ditandai merah; belum ada yang disimpan."
    )
    card = indicator_card(page, "TRA-01")
    value = card.get_by_label("Realisasi", exact=True)
    expect(value).to_have_value("9O")
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(card.locator(".invalid-feedback")).to_contain_text("“9O” bukan angka yang dapat dibaca.")
    expect(indicator_card(page, "TRA-03").get_by_label("Realisasi", exact=True)).to_have_value("14")
    assert not Realisation.objects.filter(indicator__section__code="trantibum").exists()

    type_realisation(page, card, "9", "90 %")
    expect(card.locator("[aria-live=polite]")).to_have_text(re.compile(r"^90 %\s+Tinggi\s*$"))
    send_section_data(page)
    data_sent(page, username)


def kasi_forgets_an_explanation(people) -> None:
    """KES-02 is below target: the Kasi Kesos must say why and what comes next."""
    username = "kasi_kesos"
    page = people.sign_in(username)
    kasi_opens_data_form(page, username)
    fill_section_data(page, *DATA[username], skip_explanations={"KES-02"})
    card = indicator_card(page, "KES-02")
    expect(card.locator("[aria-live=polite]")).to_have_text(
        re.compile(r"^96,13 %\s+Sangat Tinggi\s*$")
    )
    send_section_data(page)
    # The draft is kept; the explanations are what still stands between it and sending.
    expect(page.get_by_role("status").filter(has_text="Draf tersimpan")).to_have_text(
        "Draf tersimpan, tetapi belum dapat dikirim: 1 baris belum lengkap (ditandai merah); "
        "lengkapi lalu kirim lagi."
    )
    card = indicator_card(page, "KES-02")
    required = "Wajib diisi karena capaian 96,13 %, di bawah 100 %."
    for label in ("Faktor penghambat", "Tindak lanjut"):
        expect(card.get_by_label(label, exact=True)).to_have_attribute("aria-invalid", "true")
    expect(card.locator(".invalid-feedback")).to_have_text([required, required])
    assert Realisation.objects.filter(indicator__section__code="kesos").exists()
    assert not SectionSubmission.objects.filter(section__code="kesos").exists()

    line = next(line for line in DATA[username][0] if line.code == "KES-02")
    card.get_by_label("Faktor penghambat", exact=True).fill(line.inhibiting)
    card.get_by_label("Tindak lanjut", exact=True).fill(line.follow_up)
    send_section_data(page)
    data_sent(page, username)


def kasi_sends_blangko(page: Page, username: str) -> None:
    row = inbox_row(page)
    expect(row.get_by_role("cell").nth(1)).to_contain_text(
        "5. Melaksanakan monitoring evaluasi kinerja"
    )
    row.get_by_role("link", name="Isi Blangko Monev").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Blangko Monev — {SECTION_OF[username]}"
    )
    for line in DATA[username][0]:
        card = indicator_card(page, line.code)
        card.get_by_label("Hasil monitoring").fill(
            f"Realisasi {line.code} diperiksa di lapangan; data dukung lengkap."
        )
        card.get_by_label("Permasalahan/kendala").fill(
            line.inhibiting or "Tidak ada kendala berarti."
        )
        card.get_by_label("Rekomendasi").fill(line.follow_up or "Pertahankan pola kerja.")
    page.get_by_role("button", name="Simpan dan kirim (blangko dikunci)").click()
    expect(status(page)).to_have_text("Blangko monev terkirim dan dikunci.")
    expect(page.get_by_role("heading", level=1)).to_have_text(REPORT_TITLE)


def open_analysis(page: Page) -> None:
    page.get_by_role("link", name="Data, analisis dan pembuatan draf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Data dan Analisis Kecamatan — {REPORT_TITLE}"
    )


def save_analysis(page: Page, texts: dict[str, str]) -> None:
    for section, text in texts.items():
        page.get_by_label(f"Analisis Seksi {section}", exact=True).fill(text)
    page.get_by_role("button", name="Simpan analisis").click()
    expect(status(page)).to_have_text("Analisis tersimpan.")


def make_draft(page: Page, number: int) -> None:
    """On "Data dan analisis": freeze the figures and analysis as the next numbered draft."""
    page.get_by_role("button", name="Buat draf laporan (versi baru)").click()
    expect(status(page)).to_have_text(f"Draf versi {number} dibuat.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Draf laporan versi {number}")


def draft_and_complete(page: Page, number: int, step: int) -> None:
    """At a drafting step the primary button freezes draft version ``number`` and completes
    the step."""
    page.get_by_role("button", name=f"Buat draf versi {number} dan selesaikan langkah").click()
    expect(status(page)).to_have_text(f"Draf versi {number} dibuat dan langkah {step} selesai.")
    expect(current_step_number(page)).to_have_text(f"{step + 1}.")


def kasubag_revises(page: Page, number: int, texts: dict[str, str]) -> None:
    """Step 10: revise the analysis, make draft version ``number`` and send it for checking
    (the version from "Data dan analisis", then the step's button completes with it)."""
    open_from_inbox(page, "10. Melakukan perbaikan/koreksi draft laporan hasil monitoring")
    open_analysis(page)
    save_analysis(page, texts)
    make_draft(page, number)
    expect(page.get_by_text(f"dibanding versi {number - 1}, ditandai kuning.")).to_be_visible()
    back_to_report(page)
    complete(page, "Perbaikan selesai, ajukan verifikasi", 10)


def kasubag_revises_with_the_primary_button(page: Page, number: int, texts) -> None:
    """Step 10 from the report page alone: save the analysis, then one button."""
    open_from_inbox(page, "10. Melakukan perbaikan/koreksi draft laporan hasil monitoring")
    open_analysis(page)
    save_analysis(page, texts)
    back_to_report(page)
    draft_and_complete(page, number, 10)


def read_latest_draft(page: Page, number: int) -> None:
    page.get_by_role("link", name=f"Baca draf terbaru (versi {number})").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Draf laporan versi {number}")
    expect(page.get_by_text("versi lama")).to_have_count(0)
    expect(page.get_by_role("cell", name="TRA-01", exact=True)).to_be_visible()


# --- The quarter -----------------------------------------------------------------------------


def camat_approves_and_signs(camat: Page) -> None:
    """Step 12: a wrong passphrase is refused and changes nothing; the right one signs."""
    button = camat.get_by_role("button", name="Setujui dan tandatangani", exact=True)
    passphrase = camat.get_by_label("Passphrase sertifikat elektronik")
    expect(passphrase).to_have_attribute("type", "password")
    passphrase.fill("bukan-passphrase-saya")
    button.click()
    expect(camat.get_by_role("alert")).to_contain_text("Passphrase salah", timeout=30_000)
    expect(current_step_number(camat)).to_have_text("12.")
    camat.get_by_label("Passphrase sertifikat elektronik").fill(DEMO_SIGNING_PASSPHRASE)
    button.click()
    # Signing renders the final PDF/A and the E.81 workbook first: allow it more time.
    expect(status(camat)).to_have_text(
        "Dokumen disetujui dan ditandatangani secara elektronik.", timeout=30_000
    )
    expect(current_step_number(camat)).to_have_text("13.")


def visitor_verifies(people, url: str, pdf_path: str, signature) -> None:
    """Someone who received the PDF opens its QR link, logged out, and checks their copy."""
    visitor = people.new_page("tamu")
    visitor.goto(url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Verifikasi dokumen bertanda tangan elektronik"
    )
    expect(visitor.get_by_text("Dokumen asli")).to_be_visible()
    fields = visitor.locator(".verification-fields")
    for text in (
        "Kecamatan Sutera",
        "Triwulan II 2026",
        "Hendri Yusman",
        "Camat Sutera",
        signature.archived_file.sha256,
    ):
        expect(fields).to_contain_text(text)
    expect(visitor.get_by_role("button", name="Keluar")).to_have_count(0)
    visitor.get_by_label("Berkas PDF yang ingin diperiksa").set_input_files(pdf_path)
    visitor.get_by_role("button", name="Periksa berkas").click()
    result = visitor.get_by_role("status")
    expect(result).to_contain_text("identik byte demi byte", timeout=30_000)
    expect(result).to_contain_text("Tanda tangan elektronik sah")
    for width in (390, 1366):
        visitor.set_viewport_size({"width": width, "height": 900})
        people.artifacts.mkdir(parents=True, exist_ok=True)
        visitor.screenshot(path=people.artifacts / f"verifikasi-{width}.png", full_page=True)


def test_a_whole_quarter_from_opening_to_the_archived_pdf(
    transactional_db, settings, tmp_path, people
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddata", *DEMO_FIXTURES, verbosity=0)
    demo_certificates(Office.objects.get(code="sutera"), clock.now())

    with people.screenshots_on_failure():
        # 1. The Sekretaris opens the cycle and sends the format to the sections.
        sekretaris = people.sign_in("sekretaris")
        nav_to(sekretaris, "Laporan Triwulan")
        cycle = sekretaris.get_by_role("region", name="Buka siklus triwulan baru (langkah 1)")
        cycle.get_by_label("Tahun").select_option("2026")
        cycle.get_by_label("Triwulan").select_option(label="Triwulan II")
        cycle.get_by_role("button", name="Buka siklus triwulan").click()
        expect(status(sekretaris)).to_have_text(f"Siklus {REPORT_TITLE} dibuka.")
        expect(sekretaris.get_by_role("heading", level=1)).to_have_text(REPORT_TITLE)
        report = Report.objects.get()
        assert (report.year, report.quarter, report.current_step) == (2026, 2, 1)
        assert report.opened_by.username == "sekretaris"
        complete(sekretaris, "Format isian selesai, kirim disposisi", 1)

        # 2. Every Kepala Seksi fills in and sends the section's quarterly data.
        kasi_sends_data(people, "kasi_pemerintahan")
        kasi_with_a_typo(people)
        kasi_sends_data(people, "kasi_pmn")
        kasi_forgets_an_explanation(people)
        assert report_step() == 2
        kasi_sends_data(people, "kasi_pelayanan")
        expect(current_step_number(people.page("kasi_pelayanan"))).to_have_text("3.")

        assert report_step() == 3
        assert SectionSubmission.objects.filter(report=report, step_number=2).count() == 5
        saved = dict(
            Realisation.objects.filter(report=report).values_list("indicator__code", "value")
        )
        assert saved == {
            line.code: Decimal(line.value.replace(",", "."))
            for lines, _spending in DATA.values()
            for line in lines
        }
        kes_02 = Realisation.objects.get(report=report, indicator__code="KES-02")
        assert (kes_02.inhibiting_factors, kes_02.follow_up) == (
            "Kasus baru di dua nagari.",
            NEXT,
        )
        spent = dict(
            ActivityRealisation.objects.filter(report=report).values_list("activity__code", "spent")
        )
        assert spent == {
            item.code: int(item.spent.replace(".", ""))
            for _lines, spending in DATA.values()
            for item in spending
        }
        # The report left the Kepala Seksi's Tugas Saya.
        nav_to(people.page("kasi_pmn"), "Tugas Saya")
        expect(
            people.page("kasi_pmn").get_by_text("Tidak ada laporan yang menunggu Anda saat ini.")
        ).to_be_visible()

        # 3-4. The Kasubag PKP processes the data and plans the monitoring.
        kasubag = people.sign_in("kasubag")
        open_from_inbox(kasubag, "3. Mengolah data kinerja kecamatan")
        complete(kasubag, "Pengolahan data selesai", 3)
        complete(kasubag, "Rencana monev selesai", 4)
        assert report_step() == 5

        # 5. Every Kepala Seksi fills in and sends the blangko monev.
        for username in KASI:
            kasi_sends_blangko(people.page(username), username)
        assert report_step() == 6
        assert MonevEntry.objects.filter(report=report).exclude(findings="").count() == 23

        # 6-8. The Kasubag gathers, analyses and drafts.
        open_from_inbox(kasubag, "6. Mengumpulkan data dan informasi hasil monitoring evaluasi")
        complete(kasubag, "Pengumpulan hasil monev selesai", 6)
        open_analysis(kasubag)
        save_analysis(kasubag, ANALYSIS)
        assert SectionAnalysis.objects.filter(report=report).count() == 5
        back_to_report(kasubag)
        complete(kasubag, "Analisis selesai", 7)
        # Step 8: the primary button makes draft version 1 and completes the step at once.
        draft_and_complete(kasubag, 1, 8)
        assert people.confirmations[-1].startswith("Langkah 8 – ")

        # 9. The Sekretaris discusses the draft.
        open_from_inbox(sekretaris, "9. Membahas draft laporan hasil monitoring")
        read_latest_draft(sekretaris, 1)
        sekretaris.get_by_label("Komentar").fill(COMMENT)
        sekretaris.get_by_role("button", name="Kirim komentar").click()
        expect(status(sekretaris)).to_have_text("Komentar terkirim.")
        discussion = sekretaris.get_by_role("region", name="Diskusi versi ini")
        expect(discussion).to_contain_text(COMMENT)
        back_to_report(sekretaris)
        complete(sekretaris, "Pembahasan selesai", 9)
        comment = Comment.objects.get()
        assert (comment.version.number, comment.author.username) == (1, "sekretaris")

        # 10. The Kasubag answers the discussion with version 2.
        trantibum = "Ketenteraman dan Ketertiban Umum"
        kasubag_revises(
            kasubag, 2, {trantibum: ANALYSIS[trantibum] + " Kejadian per nagari terlampir."}
        )

        # 11. The Sekretaris returns the draft once, with a note.
        open_from_inbox(sekretaris, "11. Melakukan verifikasi draft laporan hasil monitoring")
        sekretaris.get_by_label("Catatan pengembalian").fill(RETURN_NOTE)
        sekretaris.get_by_role("button", name="Kembalikan ke langkah 10").click()
        expect(status(sekretaris)).to_have_text("Draf dikembalikan ke langkah perbaikan.")
        expect(current_step_number(sekretaris)).to_have_text("10.")
        returned = StepLog.objects.get(report=report, action=LogAction.RETURN)
        assert (returned.step_number, returned.note, returned.actor.username) == (
            11,
            RETURN_NOTE,
            "sekretaris",
        )

        # 10 again: version 3, then the Sekretaris verifies it.
        kesos = "Kesejahteraan Sosial"
        kasubag_revises_with_the_primary_button(
            kasubag,
            3,
            {kesos: ANALYSIS[kesos] + " Penghambat: kasus baru di Nagari Ampiang Parak."},
        )
        open_from_inbox(sekretaris, "11. Melakukan verifikasi draft laporan hasil monitoring")
        expect(sekretaris.get_by_role("list", name="Langkah SOP laporan ini")).to_contain_text(
            RETURN_NOTE
        )
        complete(sekretaris, "Terverifikasi, ajukan ke Camat", 11)

        # 12. The Camat reads the latest draft and approves.
        camat = people.sign_in("camat")
        open_from_inbox(camat, "12. Menyusun dokumen monitoring evaluasi kinerja kecamatan")
        read_latest_draft(camat, 3)
        back_to_report(camat)
        with override_settings(SITE_URL=people.base_url):
            camat_approves_and_signs(camat)
        assert report_step() == 13

        # 13. The Kasubag archives; the report becomes read-only.
        open_from_inbox(kasubag, "13. Menyimpan dokumen monitoring evaluasi kinerja kecamatan")
        # Archiving renders the final PDF/A and the E.81 workbook: allow it more time.
        complete(kasubag, "Simpan ke arsip", 13, timeout=30_000)
        expect(kasubag.get_by_text(re.compile(r"^Diarsipkan .* · hanya baca$"))).to_be_visible()
        expect(kasubag.get_by_role("heading", name="Tindakan Anda sekarang")).to_have_count(0)
        report.refresh_from_db()
        assert report.is_archived

        # The admin downloads the frozen PDF from the Arsip.
        admin = people.sign_in("admin")
        nav_to(admin, "Arsip")
        expect(admin.get_by_role("heading", level=1)).to_have_text("Arsip laporan monev")
        year = admin.get_by_role("region", name="Tahun 2026")
        expect(year.get_by_role("link", name=REPORT_TITLE)).to_be_visible()
        with admin.expect_download() as download_info:
            year.get_by_role("link", name=PDF_NAME).click()
        download = download_info.value
        assert download.suggested_filename == PDF_NAME
        data = Path(download.path()).read_bytes()
        assert data.startswith(b"%PDF")
        text = " ".join(
            " ".join((page.extract_text() or "").split())
            for page in PdfReader(io.BytesIO(data)).pages
        )
        assert "TRIWULAN II TAHUN 2026" in text
        # What the sections wrote at step 5 is in the archived document.
        assert "Hasil monitoring dan evaluasi seksi (blangko monev)" in text
        assert "diperiksa di lapangan; data dukung lengkap." in text
        record = ArchivedFile.objects.get(report=report, kind="pdf")
        assert (record.size, record.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        # The signed PDF prints the link its QR code holds; anyone may follow it.
        signature = DocumentSignature.objects.select_related("archived_file").get(report=report)
        url = f"{people.base_url}/verifikasi/{signature.code}/"
        assert "Ditandatangani secara elektronik oleh" in text
        assert url in text.replace(" ", "")
        visitor_verifies(people, url, download.path(), signature)

    # The whole history, as the services recorded it.
    completes = StepLog.objects.filter(report=report, action=LogAction.COMPLETE)
    assert [(log.step_number, log.actor.username) for log in completes] == [
        (1, "sekretaris"),
        (2, "kasi_pelayanan"),
        (3, "kasubag"),
        (4, "kasubag"),
        (5, "kasi_pelayanan"),
        (6, "kasubag"),
        (7, "kasubag"),
        (8, "kasubag"),
        (9, "sekretaris"),
        (10, "kasubag"),
        (10, "kasubag"),
        (11, "sekretaris"),
        (12, "camat"),
        (13, "kasubag"),
    ]
    submits = StepLog.objects.filter(report=report, action=LogAction.SUBMIT)
    assert sorted((log.step_number, log.actor.username) for log in submits) == sorted(
        (step, username) for step in (2, 5) for username in KASI
    )
    assert list(report.versions.values_list("number", "step_number")) == [(1, 8), (2, 10), (3, 10)]
