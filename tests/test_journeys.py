"""Each role's own journey in real Chromium, as the people who do it meet it: the Camat decides
from a phone, a Kepala Seksi saves half-done work and finds it again, and nobody meets Django's
bare English error pages. Through the pages only (links, labels, buttons); on failure every open
page is saved in test-artifacts/."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Page, expect

from monev import clock, services
from monev.frozen import sha256_text
from monev.models import (
    DraftVersion,
    MonevEntry,
    Office,
    Realisation,
    Report,
    SectionSubmission,
)
from monev.selectors.snapshots import live_content

from . import browser_helpers
from .browser_helpers import DEMO_FIXTURES
from .conftest import SIGNING_PASSPHRASE, certify_signers, make_report
from .test_e2e_quarter import (
    DATA,
    SECTION_OF,
    fill_section_data,
    indicator_card,
    send_section_data,
    type_realisation,
)

pytestmark = pytest.mark.browser
browser = browser_helpers.browser
people = browser_helpers.people

PHONE = {"width": 390, "height": 844}
STEP_12 = "Langkah 12 – Menyusun dokumen monitoring evaluasi kinerja kecamatan"
NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def fits(page: Page) -> None:
    """The page is no wider than the phone: nothing to scroll sideways."""
    page.wait_for_load_state()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(NO_SIDEWAYS), f"{page.url}: {width}"


def summary(average: str, values: dict[str, str]) -> dict:
    return {
        "average": average,
        "band": "Sangat Tinggi",
        "indicators": {
            code: {"name": f"Indikator {code}", "target": "100", "value": value,
                   "capaian": f"{value} %", "predikat": "Sangat Tinggi"}
            for code, value in values.items()
        },
        "analysis": {"Pemerintahan": "Capaian seksi baik."},
    }  # fmt: skip


@pytest.fixture
def waiting_report(transactional_db):
    """Triwulan III 2026 at the Camat's approval, with two draft versions to compare."""
    call_command("loaddata", *DEMO_FIXTURES, verbosity=0)
    office = Office.objects.get(code="sutera")
    report = make_report(office, year=2026, quarter=3, step=12)
    certify_signers(report.sop)  # the Camat approves with the passphrase of a certificate
    # Both versions freeze the content as it stands: version 2 is what the Camat decides on.
    snapshot = live_content(report).as_json()
    for number, (average, value) in enumerate((("95,10", "90"), ("96,40", "93")), 1):
        DraftVersion.objects.create(
            report=report, number=number, step_number=8 if number == 1 else 10,
            html=f"<html><body><h1>Draf versi {number}</h1></body></html>",
            summary=summary(average, {"IKU-03": value, "PEM-01": "100"}),
            snapshot=snapshot, snapshot_sha256=sha256_text(snapshot),
            created_by=report.opened_by, created_at=clock.now(),
        )  # fmt: skip
    return report


def camat_opens_the_waiting_report(people) -> Page:
    camat = people.sign_in("camat", viewport=PHONE)
    fits(camat)
    waiting = camat.get_by_role("region", name="Menunggu persetujuan Anda")
    card = waiting.get_by_role("article")
    expect(card).to_contain_text(STEP_12)
    expect(card).to_contain_text("Draf versi 2")
    expect(card).to_contain_text("Berubah sejak versi 1: 1 indikator (IKU-03)")
    # In the first screen, without scrolling: the report and the way to decide on it.
    decide = card.get_by_role("link", name="Buka dan putuskan")
    box = decide.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    card.get_by_role("link", name="Baca draf versi 2").click()
    expect(camat.get_by_role("heading", level=1)).to_have_text("Draf laporan versi 2")
    expect(camat.get_by_text("1 perubahan dibanding versi 1, ditandai kuning.")).to_be_visible()
    fits(camat)
    camat.go_back()
    camat.get_by_role("link", name="Buka dan putuskan").click()
    expect(camat.get_by_role("heading", level=1)).to_have_text("Laporan Triwulan III 2026")
    expect(camat.get_by_role("region", name="Tindakan Anda sekarang")).to_contain_text(STEP_12)
    fits(camat)
    return camat


def test_the_camat_approves_from_a_phone(waiting_report, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with people.screenshots_on_failure():
        camat = camat_opens_the_waiting_report(people)

        camat.get_by_label("Passphrase sertifikat elektronik").fill(SIGNING_PASSPHRASE)
        camat.get_by_role("button", name="Setujui dan tandatangani").click()

        # Signing renders the final PDF/A and the E.81 workbook first: allow it more time.
        expect(camat.get_by_role("status")).to_have_text(
            "Dokumen disetujui dan ditandatangani secara elektronik.", timeout=30_000
        )
        fits(camat)
        question = people.confirmations[-1]
        assert question.startswith(STEP_12)
        assert "Draf versi 2" in question and "Setujui dan tandatangani?" in question
        assert Report.objects.get(pk=waiting_report.pk).current_step == 13


def test_the_camat_returns_the_draft_with_a_note_from_a_phone(waiting_report, people):
    with people.screenshots_on_failure():
        camat = camat_opens_the_waiting_report(people)

        camat.get_by_label("Catatan pengembalian").fill("Analisis Seksi Kesos perlu dirinci.")
        camat.get_by_role("button", name="Kembalikan ke langkah 10").click()

        expect(camat.get_by_role("status")).to_have_text("Draf dikembalikan ke langkah perbaikan.")
        fits(camat)
        assert people.confirmations[-1].startswith(STEP_12)
        assert "Kembalikan ke langkah 10?" in people.confirmations[-1]
        assert Report.objects.get(pk=waiting_report.pk).current_step == 10


def test_a_kepala_seksi_saves_half_done_work_finds_it_again_and_sends_it(
    transactional_db, settings, tmp_path, people
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddata", *DEMO_FIXTURES, verbosity=0)
    report = make_report(Office.objects.get(code="sutera"), year=2026, quarter=2, step=2)
    username = "kasi_pemerintahan"
    lines, spending = DATA[username]
    first, below_target = lines[0], next(line for line in lines if line.inhibiting)

    with people.screenshots_on_failure():
        kasi = people.sign_in(username)
        kasi.get_by_role("link", name="Isi Data Triwulan").click()
        heading = f"Isi Data Triwulan — {SECTION_OF[username]}"
        expect(kasi.get_by_role("heading", level=1)).to_have_text(heading)
        # Numbers first, explanations later: the row below target has none yet.
        type_realisation(kasi, indicator_card(kasi, first.code), first.value, first.capaian)
        card = indicator_card(kasi, below_target.code)
        type_realisation(kasi, card, below_target.value, below_target.capaian)
        kasi.get_by_role("button", name="Simpan draf").click()
        expect(kasi.get_by_role("status")).to_have_text("Draf data seksi tersimpan.")

        # Later: from Tugas Saya again, the half-filled form is as it was left.
        kasi.get_by_role("link", name="Tugas Saya").click()
        kasi.get_by_role("link", name="Isi Data Triwulan").click()
        for line in (first, below_target):
            field = indicator_card(kasi, line.code).get_by_label("Realisasi", exact=True)
            expect(field).to_have_value(line.value)
        assert not SectionSubmission.objects.filter(report=report).exists()

        card = indicator_card(kasi, below_target.code)
        card.get_by_label("Faktor penghambat", exact=True).fill(below_target.inhibiting)
        card.get_by_label("Tindak lanjut", exact=True).fill(below_target.follow_up)
        indicator_card(kasi, first.code).get_by_label("Faktor pendorong").fill(first.driving)
        rest = [line for line in lines if line not in (first, below_target)]
        fill_section_data(kasi, rest, spending)
        send_section_data(kasi)

        expect(kasi.get_by_role("status")).to_have_text("Data seksi terkirim dan dikunci.")
        assert "Kirim data Seksi Pemerintahan?" in people.confirmations[-1]
        assert people.confirmations[-1].startswith("Langkah 2 – ")
        assert SectionSubmission.objects.filter(report=report, step_number=2).count() == 1
        assert Realisation.objects.filter(report=report).count() == len(lines)


def test_another_offices_report_shows_the_indonesian_403_with_its_reason(transactional_db, people):
    call_command("loaddata", *DEMO_FIXTURES, verbosity=0)
    sutera = Office.objects.get(code="sutera")
    other = Office.objects.create(code="lengayang", name="Kecamatan Lengayang")
    # Another kecamatan's report (it runs under Sutera's SOP here; only its office matters).
    report = make_report(sutera, year=2026, quarter=3, step=2)
    Report.objects.filter(pk=report.pk).update(office=other)

    with people.screenshots_on_failure():
        kasi = people.sign_in("kasi_pmn", viewport=PHONE)
        response = kasi.goto(f"/laporan/{report.pk}/")

        assert response.status == 403
        expect(kasi.get_by_role("heading", level=1)).to_have_text(
            "Anda tidak berhak membuka halaman ini"
        )
        expect(kasi.get_by_role("alert")).to_have_text("Laporan ini milik kantor lain.")
        expect(kasi).to_have_title(re.compile("^Akses ditolak"))
        # Still the app around it: the way back is one tap away.
        expect(kasi.get_by_role("link", name="Ke halaman utama")).to_be_visible()
        fits(kasi)


@pytest.mark.parametrize("username", ["kasubag", "kasi_pmn"])
def test_no_page_is_wider_than_a_phone(transactional_db, people, username):
    call_command("loaddata", *DEMO_FIXTURES, verbosity=0)
    sutera = Office.objects.get(code="sutera")
    archived = make_report(sutera, year=2026, quarter=1, step=13, archived=True)
    running = make_report(sutera, year=2026, quarter=2, step=5)
    pages = ["/", "/laporan/", f"/laporan/{archived.pk}/", f"/laporan/{running.pk}/",
             "/dasbor/", "/notifikasi/", "/sop/", "/akun/sandi/"]  # fmt: skip
    if username == "kasubag":
        pages += ["/arsip/", "/sop/waktu/", f"/laporan/{running.pk}/analisis/"]
    else:
        section = sutera.sections.get(code="pmn").pk
        pages += [f"/laporan/{running.pk}/seksi/{section}/data/",
                  f"/laporan/{running.pk}/seksi/{section}/monev/"]  # fmt: skip

    with people.screenshots_on_failure():
        page = people.sign_in(username, viewport=PHONE)
        for path in pages:
            response = page.goto(path)
            assert response is not None and response.ok, path
            fits(page)


def shoot(people, page: Page, name: str) -> None:
    """The page at a phone's and a desktop's width, into test-artifacts/ for looking at."""
    people.artifacts.mkdir(parents=True, exist_ok=True)
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=people.artifacts / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size(PHONE)


def press_the_drafting_button(people, page: Page, *, version: int, step: int) -> None:
    """The primary action at a drafting step: one press, one question naming the step."""
    label = f"Buat draf versi {version} dan selesaikan langkah"
    actions = page.get_by_role("region", name="Tindakan Anda sekarang")
    actions.get_by_role("button", name=label).click()
    expect(page.get_by_role("status")).to_have_text(
        f"Draf versi {version} dibuat dan langkah {step} selesai."
    )
    assert people.confirmations[-1].startswith(f"Langkah {step} – ")
    assert f"{label}?" in people.confirmations[-1]
    fits(page)


def test_the_kasubag_completes_the_drafting_steps_with_the_primary_button(transactional_db, people):
    call_command("loaddata", *DEMO_FIXTURES, verbosity=0)
    sutera = Office.objects.get(code="sutera")
    report = make_report(sutera, year=2026, quarter=2, step=8)
    kesos = sutera.sections.get(code="kesos")
    MonevEntry.objects.create(
        report=report,
        indicator=kesos.indicators.get(code="KES-01"),
        findings="Posyandu berjalan di 12 nagari.",
        problems="Kader kurang di Nagari Ampiang Parak.",
        recommendation="Latih kader baru triwulan depan.",
    )

    with people.screenshots_on_failure():
        kasubag = people.sign_in("kasubag", viewport=PHONE)
        kasubag.goto(f"/laporan/{report.pk}/")
        actions = kasubag.get_by_role("region", name="Tindakan Anda sekarang")
        expect(actions).to_contain_text("Langkah 8 – ")
        shoot(people, kasubag, "langkah-8-laporan")
        press_the_drafting_button(people, kasubag, version=1, step=8)

        # The Sekretaris discusses the draft (step 9); then the Kasubag revises it.
        services.report_complete_step(
            report_id=report.pk, actor=get_user_model().objects.get(username="sekretaris"),
            from_step=9,
        )  # fmt: skip
        kasubag.reload()
        expect(actions).to_contain_text("Langkah 10 – ")
        shoot(people, kasubag, "langkah-10-laporan")
        press_the_drafting_button(people, kasubag, version=2, step=10)
        assert len(people.confirmations) == 2  # no failing click, no second try
        assert list(report.versions.values_list("number", "step_number")) == [(1, 8), (2, 10)]
        assert Report.objects.get(pk=report.pk).current_step == 11

        kasubag.goto(f"/laporan/{report.pk}/analisis/")
        expect(kasubag.get_by_text("Kader kurang di Nagari Ampiang Parak.")).to_be_visible()
        fits(kasubag)
        shoot(people, kasubag, "analisis")
