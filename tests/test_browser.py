"""Real Chromium against the live server: people sign in through the form and click the buttons.

Each person works in a fresh browser context (own cookies), like a separate computer in the
office. Chromium is the system one (/usr/bin/chromium); nothing is downloaded. When a test
fails, every page it opened is saved as a screenshot in test-artifacts/.
"""

import contextlib
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect, sync_playwright

from monev.models import (
    ActivityRealisation,
    LogAction,
    Realisation,
    Report,
    SectionSubmission,
    StepLog,
)

from .conftest import PASSWORD, make_report

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPORT_TITLE = "Laporan Triwulan I 2025"
OTHER_SECTIONS = [
    "Ketenteraman dan Ketertiban Umum",
    "Pemberdayaan Masyarakat dan Nagari",
    "Kesejahteraan Sosial",
    "Pelayanan Umum",
]
NOTHING_WAITING = "Tidak ada laporan yang menunggu Anda saat ini."
RETURN_NOTE = "Capaian IKU Seksi Kesos triwulan I belum dilengkapi datanya."


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole module.

    Playwright's sync API keeps an asyncio event loop running in the main thread for as long
    as it is started, so Django's async-safety guard would refuse every ORM call made there
    (fixtures, database assertions in the tests, the flush after each transactional test)
    with SynchronousOnlyOperation. Nothing here runs concurrently with that loop: the ORM
    calls are plain blocking calls between browser steps. DJANGO_ALLOW_ASYNC_UNSAFE switches
    the guard off, and only while this module's browser is alive, so the rest of the suite
    keeps the guard.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()


class People:
    """The people at their own browsers for one test; closes what it opened."""

    def __init__(self, browser: Browser, base_url: str, artifacts: Path, test_name: str):
        self.browser = browser
        self.base_url = base_url
        self.artifacts = artifacts
        self.test_name = re.sub(r"[^\w.-]+", "_", test_name)
        self.contexts = []
        self.pages: dict[str, Page] = {}

    def sign_in(self, username: str) -> Page:
        """Open the app in a new browser context and log in through the form, as a user would."""
        context = self.browser.new_context(
            base_url=self.base_url, locale="id-ID", timezone_id="Asia/Jakarta"
        )
        self.contexts.append(context)
        page = context.new_page()
        # Irreversible moves ask first (static/js/confirm.js); the person answers "OK".
        page.on("dialog", lambda dialog: dialog.accept())
        self.pages[username] = page
        page.goto("/")
        # Not signed in yet: the app sends the visitor to its login page.
        expect(page).to_have_url(re.compile(r"/masuk/\?next=/$"))
        expect(page.get_by_role("heading", name="Masuk ke Sutera Kinerja")).to_be_visible()
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page).to_have_url(f"{self.base_url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tugas Saya")
        return page

    @contextlib.contextmanager
    def screenshots_on_failure(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self.artifacts.mkdir(exist_ok=True)
            for username, page in self.pages.items():
                with contextlib.suppress(Exception):
                    page.screenshot(
                        path=self.artifacts / f"{self.test_name}-{username}.png", full_page=True
                    )
            raise

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser, live_server, request) -> Iterator[People]:
    people = People(
        browser, live_server.url, request.config.rootpath / "test-artifacts", request.node.name
    )
    yield people
    people.close()


def current_step(page: Page):
    """The timeline entry of the step the report is at."""
    return page.locator("ol.timeline > li[aria-current='step']")


def timeline_step(page: Page, number: int):
    return page.get_by_role("list", name="Langkah SOP laporan ini").locator(
        "> li", has=page.locator(".step-no", has_text=re.compile(rf"^{number}\.$"))
    )


def open_from_inbox(page: Page, step_text: str) -> None:
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=REPORT_TITLE))
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text(step_text)
    row.get_by_role("link", name=REPORT_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REPORT_TITLE)


def return_form(page: Page):
    return page.locator("form").filter(
        has=page.get_by_role("button", name=re.compile(r"^Kembalikan ke langkah"))
    )


def indicator_card(page: Page, code: str):
    """The card of one indicator on the Isi Data Triwulan page, named by its code and name."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(code)} "))


def fill_indicator(page: Page, code: str, value: str, **explanations: str) -> None:
    card = indicator_card(page, code)
    card.get_by_label("Realisasi", exact=True).fill(value)
    for label, text in explanations.items():
        card.get_by_label(label, exact=True).fill(text)


def test_kepala_seksi_fills_and_sends_section_data_and_kasubag_sees_who_is_missing(
    transactional_db, sutera, users, people
):
    call_command("loaddata", "rating_bands", "demo_indicators", verbosity=0)
    report = make_report(sutera, step=2)
    with people.screenshots_on_failure():
        kasi = people.sign_in("kasi_pemerintahan")
        expect(kasi.get_by_role("navigation", name="Navigasi utama")).to_contain_text(
            "Kepala Seksi Pemerintahan"
        )
        row = kasi.get_by_role("row").filter(has=kasi.get_by_role("link", name=REPORT_TITLE))
        expect(row.get_by_role("cell").nth(1)).to_contain_text(
            "2. Melakukan pengumpulan data kinerja bidang per triwulan"
        )
        row.get_by_role("link", name="Isi Data Triwulan").click()

        section = sutera.sections.get(code="pemerintahan")
        expect(kasi).to_have_url(f"{people.base_url}/laporan/{report.pk}/seksi/{section.pk}/data/")
        expect(kasi.get_by_role("heading", level=1)).to_have_text(
            "Isi Data Triwulan — Pemerintahan"
        )
        # Only the section's own indicators are offered.
        expect(kasi.get_by_role("region", name=re.compile(r"^[A-Z]+-\d+ "))).to_have_count(5)
        iku = indicator_card(kasi, "IKU-03")
        value = iku.get_by_label("Realisasi", exact=True)
        live = iku.locator("[aria-live=polite]")
        expect(live).to_have_text("belum diisi")

        # A typo: the capaian area says so while typing, and saving keeps nothing.
        value.fill("85,5x")
        expect(live).to_contain_text("“85,5x” bukan angka yang dapat dibaca.")
        kasi.get_by_role("button", name="Simpan draf").click()
        expect(kasi.get_by_role("alert")).to_have_text(
            "Periksa isian yang ditandai merah; belum ada yang disimpan."
        )
        iku = indicator_card(kasi, "IKU-03")
        value = iku.get_by_label("Realisasi", exact=True)
        expect(value).to_have_value("85,5x")
        expect(value).to_have_attribute("aria-invalid", "true")
        expect(iku.locator(".invalid-feedback")).to_contain_text(
            "“85,5x” bukan angka yang dapat dibaca."
        )
        assert not Realisation.objects.filter(report=report).exists()

        # Corrected: the capaian and predikat appear as it is typed.
        value.fill("85,5")
        expect(iku.locator("[aria-live=polite]")).to_have_text(
            re.compile(r"131,54 %\s+Sangat Tinggi")
        )
        iku.get_by_label("Faktor pendorong", exact=True).fill("Pendampingan rutin.")
        fill_indicator(kasi, "PEM-01", "6", **{"Faktor pendorong": "Jadwal pembinaan dipatuhi."})
        fill_indicator(
            kasi,
            "PEM-02",
            "87,5",
            **{
                "Faktor penghambat": "Dua nagari terlambat menyerahkan APB Nagari.",
                "Tindak lanjut": "Surat teguran dan pendampingan penyusunan APB.",
            },
        )
        fill_indicator(kasi, "PEM-03", "3", **{"Faktor pendorong": "Forkopimcam hadir lengkap."})
        fill_indicator(kasi, "PEM-04", "20", **{"Faktor pendorong": "Mediasi batas lancar."})
        kasi.get_by_label(re.compile(r"Realisasi anggaran")).fill("23.750.000")
        kasi.get_by_label(re.compile(r"Realisasi fisik")).fill("25")
        kasi.get_by_role("button", name="Simpan dan kirim (data dikunci)").click()

        expect(kasi.get_by_role("status")).to_have_text("Data seksi terkirim dan dikunci.")
        expect(kasi).to_have_url(f"{people.base_url}/laporan/{report.pk}/")
        step_2 = current_step(kasi)
        expect(step_2.locator(".step-no")).to_have_text("2.")
        expect(step_2.get_by_text("✓ Pemerintahan", exact=True)).to_be_visible()
        expect(step_2.locator(".log-entry")).to_have_count(1)
        expect(step_2.locator(".log-entry")).to_contain_text(
            "Mengirim bagian seksi (Pemerintahan) · kasi_pemerintahan"
        )
        expect(kasi.get_by_role("heading", name="Tindakan Anda sekarang")).to_have_count(0)

        report.refresh_from_db()
        assert report.current_step == 2
        submission = SectionSubmission.objects.get(report=report)
        assert (submission.step_number, submission.section.code) == (2, "pemerintahan")
        assert submission.submitted_by == users["kasi_pemerintahan"]
        log = StepLog.objects.get(report=report)
        assert (log.action, log.step_number) == (LogAction.SUBMIT, 2)
        assert (log.section, log.actor) == (submission.section, users["kasi_pemerintahan"])
        saved = dict(
            Realisation.objects.filter(report=report).values_list("indicator__code", "value")
        )
        assert saved == {
            "IKU-03": Decimal("85.5"),
            "PEM-01": Decimal("6"),
            "PEM-02": Decimal("87.5"),
            "PEM-03": Decimal("3"),
            "PEM-04": Decimal("20"),
        }
        spending = ActivityRealisation.objects.get(report=report)
        assert (spending.spent, spending.physical_progress) == (23_750_000, Decimal("25"))

        # The report left the Kepala Seksi's inbox.
        kasi.get_by_role("link", name="Tugas Saya").click()
        expect(kasi.get_by_text(NOTHING_WAITING)).to_be_visible()

        kasubag = people.sign_in("kasubag")
        # Step 2 is not the Kasubag's task, so it is reached through the list of reports.
        expect(kasubag.get_by_text(NOTHING_WAITING)).to_be_visible()
        kasubag.get_by_role("link", name="Laporan Triwulan", exact=True).click()
        kasubag.get_by_role("link", name=REPORT_TITLE).click()
        expect(kasubag.get_by_role("heading", level=1)).to_have_text(REPORT_TITLE)
        step_2 = current_step(kasubag)
        expect(step_2.locator(".step-no")).to_have_text("2.")
        expect(step_2.get_by_text("✓ Pemerintahan", exact=True)).to_be_visible()
        expect(step_2.get_by_text("Belum mengirim:")).to_be_visible()
        expect(step_2.locator(".badge.text-bg-warning")).to_have_text(OTHER_SECTIONS)
        expect(kasubag.get_by_role("heading", name="Tindakan Anda sekarang")).to_have_count(0)


def test_sekretaris_returns_the_draft_to_step_10_with_a_note(
    transactional_db, sutera, users, people
):
    report = make_report(sutera, step=11)
    with people.screenshots_on_failure():
        sekretaris = people.sign_in("sekretaris")
        open_from_inbox(sekretaris, "11. Melakukan verifikasi draft laporan hasil monitoring")
        return_button = sekretaris.get_by_role("button", name="Kembalikan ke langkah 10")
        note = sekretaris.get_by_label("Catatan pengembalian")

        # An empty note: the browser's own validation keeps the form from being sent.
        expect(note).to_have_value("")
        return_button.click()
        expect(note).to_have_attribute("required", "")
        assert note.evaluate("el => el.validity.valueMissing") is True
        assert note.evaluate("el => el.matches(':invalid')") is True
        expect(sekretaris).to_have_url(f"{people.base_url}/laporan/{report.pk}/")
        expect(sekretaris.get_by_role("alert")).to_have_count(0)
        expect(sekretaris.get_by_role("status")).to_have_count(0)
        report.refresh_from_db()
        assert report.current_step == 11
        assert not StepLog.objects.filter(report=report).exists()

        # Only spaces satisfy the browser but not the server, which asks again for the note.
        note.fill("   ")
        return_button.click()
        expect(sekretaris.get_by_role("alert")).to_have_text("Periksa isian formulir pengembalian.")
        expect(sekretaris.get_by_text("Catatan pengembalian wajib diisi.")).to_be_visible()
        expect(current_step(sekretaris).locator(".step-no")).to_have_text("11.")
        report.refresh_from_db()
        assert report.current_step == 11
        assert not StepLog.objects.filter(report=report).exists()

        note = sekretaris.get_by_label("Catatan pengembalian")
        note.fill(RETURN_NOTE)
        sekretaris.get_by_role("button", name="Kembalikan ke langkah 10").click()

        expect(sekretaris).to_have_url(f"{people.base_url}/laporan/{report.pk}/")
        expect(sekretaris.get_by_role("status")).to_have_text(
            "Draf dikembalikan ke langkah perbaikan."
        )
        expect(current_step(sekretaris).locator(".step-no")).to_have_text("10.")
        step_11 = timeline_step(sekretaris, 11)
        expect(step_11.locator(".log-entry")).to_have_count(1)
        expect(step_11.locator(".log-entry")).to_contain_text("Mengembalikan draf · sekretaris")
        expect(step_11.locator(".log-entry")).to_contain_text(f"“{RETURN_NOTE}”")
        # Step 10 belongs to the Kasubag: the Sekretaris has nothing left to do here.
        expect(sekretaris.get_by_role("heading", name="Tindakan Anda sekarang")).to_have_count(0)

        report.refresh_from_db()
        assert report.current_step == 10
        assert not report.is_archived
        log = StepLog.objects.get(report=report)
        assert (log.action, log.step_number, log.note) == (LogAction.RETURN, 11, RETURN_NOTE)
        assert log.actor == users["sekretaris"]
        assert Report.objects.filter(office=sutera).count() == 1


def test_each_note_on_a_two_form_page_has_its_own_label(transactional_db, sutera, users, people):
    """Step 11 shows two forms with a note each; every label must lead to its own textarea.

    Regression: both forms used to render id_from_step and id_note, so "Catatan pengembalian"
    labelled the optional note of the other form and the return note had no accessible name.
    """
    make_report(sutera, step=11)
    with people.screenshots_on_failure():
        sekretaris = people.sign_in("sekretaris")
        open_from_inbox(sekretaris, "11. Melakukan verifikasi draft laporan hasil monitoring")
        expect(return_form(sekretaris)).to_have_count(1)
        duplicated_ids = sekretaris.evaluate(
            """() => {
                const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
                return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
            }"""
        )
        assert duplicated_ids == []
        return_note = return_form(sekretaris).locator("textarea")
        optional_note = (
            sekretaris.locator("form")
            .filter(has=sekretaris.get_by_role("button", name="Terverifikasi, ajukan ke Camat"))
            .locator("textarea")
        )
        expect(sekretaris.get_by_role("textbox", name="Catatan pengembalian")).to_have_count(1)
        expect(sekretaris.get_by_role("textbox", name="Catatan (opsional)")).to_have_count(1)
        labels = "el => [...el.labels].map((label) => label.innerText.trim())"
        assert return_note.evaluate(labels) == ["Catatan pengembalian*"]
        assert optional_note.evaluate(labels) == ["Catatan (opsional)"]
        # Clicking a label puts the cursor in that label's own textarea.
        sekretaris.locator("label", has_text="Catatan pengembalian").click()
        expect(return_note).to_be_focused()
        sekretaris.locator("label", has_text="Catatan (opsional)").click()
        expect(optional_note).to_be_focused()
