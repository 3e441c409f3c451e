"""Isi Data Triwulan through the web form: who may see and save, how numbers and explanations
are checked, submitting and reopening, the history of values, stale pages, the live capaian,
evidence files and the page's query count. Every test drives the views with the test client."""

import datetime
import html
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from monev import clock
from monev.models import (
    ActivityRealisation,
    Evidence,
    Indicator,
    IndicatorTarget,
    LogAction,
    Realisation,
    RealisationChange,
    Report,
    SectionSheet,
    SectionSubmission,
    StepLog,
)
from monev.numbers import format_decimal
from monev.worktime import JAKARTA

from .conftest import SectionDataForm, make_report, section_url, submit_sections

SECTION = "pemerintahan"
# Seksi Pemerintahan in the demo data, Triwulan I 2025 targets: IKU-03 65 %, PEM-01 6 nagari,
# PEM-02 100 %, PEM-03 3 kali, PEM-04 20 %; one sub kegiatan with a pagu of Rp 95.000.000.
CODES = ["IKU-03", "PEM-01", "PEM-02", "PEM-03", "PEM-04"]
OTHER_CODES = ["IKU-01", "IKU-02", "IKU-04", "TRA-01", "PMN-01", "KES-01", "PEL-01", "PEL-03"]
ACTIVITY = "7.01.02.2.01.0001"
OTHER_ACTIVITIES = ["7.01.02.2.02.0001", "7.01.03.2.01.0001", "7.01.04.2.01.0001"]
OFFICE_ROLES = ["camat", "sekretaris", "kasubag", "admin", "kasi_pemerintahan"]
NOT_EDITORS = ["camat", "sekretaris", "kasubag", "admin", "kasi_trantibum", "other_office"]
BELOW_100 = "Wajib diisi karena capaian {}, di bawah 100 %."
AT_100 = "Wajib diisi karena capaian {}, mencapai 100 % atau lebih."
NOTHING_SAVED = "Periksa isian yang ditandai merah; belum ada yang disimpan."
ROWS_TO_FIX = "Data seksi belum dapat diterima: {} baris perlu diperbaiki. Belum ada yang disimpan."
LOCKED = "Data seksi ini sudah dikirim dan dikunci. Minta Kasubag PKP membukanya kembali."
DRAFT_EXISTS = "Draf laporan sudah disusun; data seksi tidak dapat dibuka kembali lagi."
COMPLETE = {
    "IKU-03": {"value": "70,5", "driving": "Pendampingan rutin ke setiap nagari."},
    "PEM-01": {"value": "6", "driving": "Jadwal pembinaan dipatuhi."},
    "PEM-02": {
        "value": "87,5",
        "inhibiting": "Dua nagari terlambat menyerahkan APB Nagari.",
        "follow_up": "Surat teguran dan pendampingan penyusunan APB.",
    },
    "PEM-03": {"value": "3", "driving": "Forkopimcam hadir lengkap."},
    "PEM-04": {"value": "20", "driving": "Mediasi batas berjalan lancar."},
}
COMPLETE_ACTIVITY = {"spent": "23.750.000", "physical": "25"}


@pytest.fixture
def report(demo_indicators, users):
    """Triwulan I 2025 at step 2, no section has sent its data yet."""
    return make_report(demo_indicators, step=2)


@pytest.fixture
def url(report) -> str:
    return section_url(report, SECTION)


@pytest.fixture
def kasi(client_for) -> Client:
    return client_for("kasi_pemerintahan")


def open_form(client: Client, url: str) -> SectionDataForm:
    response = client.get(url)
    assert response.status_code == 200
    return SectionDataForm(response)


def fill_complete(form: SectionDataForm) -> SectionDataForm:
    for code, fields in COMPLETE.items():
        form.indicator(code, **fields)
    return form.activity(ACTIVITY, **COMPLETE_ACTIVITY)


def plain(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def field_error(response, name: str) -> str:
    """The error shown under the field posted as ``name``; "" if there is none."""
    match = re.search(
        rf'<div id="id_{re.escape(name)}_error"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    return plain(match.group(1)) if match else ""


def capaian(response, code: str) -> str:
    """What the page shows in the capaian area of an indicator."""
    pk = Indicator.objects.get(code=code).pk
    match = re.search(rf'<div id="capaian-{pk}"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    assert match, f"no capaian area for {code}"
    return plain(match.group(1))


def messages_of(response) -> list[str]:
    """The messages the request produced, whether the page was rendered or redirected."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def snapshot(report) -> tuple:
    """Everything a save could change, to prove that one did not."""
    return (
        list(
            Realisation.objects.filter(report=report)
            .order_by("indicator__code")
            .values_list(
                "indicator__code", "value", "driving_factors", "inhibiting_factors", "follow_up"
            )
        ),
        list(
            ActivityRealisation.objects.filter(report=report)
            .order_by("activity__code")
            .values_list("activity__code", "spent", "physical_progress")
        ),
        RealisationChange.objects.filter(realisation__report=report).count(),
        Evidence.objects.filter(realisation__report=report).count(),
        list(SectionSheet.objects.filter(report=report).values_list("section__code", "revision")),
        list(SectionSubmission.objects.filter(report=report).values_list("section__code")),
        list(StepLog.objects.filter(report=report).values_list("action", "section__code")),
    )


NOTHING = ([], [], 0, 0, [], [], [])


def value_of(report, code: str):
    return Realisation.objects.get(report=report, indicator__code=code).value


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 4, day, hour, minute, tzinfo=JAKARTA)


# --- Who may open and save ----------------------------------------------------------------


@pytest.mark.parametrize("name", OFFICE_ROLES)
def test_every_role_of_the_office_and_the_sections_own_kasi_can_open_the_data_page(
    report, url, client_as, name
):
    response = client_as(name).get(url)

    assert response.status_code == 200
    assert response.context["section"].code == SECTION


@pytest.mark.parametrize("name", ["kasi_trantibum", "kasi_pelayanan", "other_office"])
def test_kasi_of_another_section_and_other_office_cannot_open_the_data_page(
    report, url, client_as, name
):
    assert client_as(name).get(url).status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(report, url, client):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_unknown_section_is_404(report, client_for):
    url = reverse("monev:section_data", args=[report.pk, 999_999])

    assert client_for("kasubag").get(url).status_code == 404


def test_section_of_another_office_is_404(report, client_for, other_office):
    foreign = other_office.sections.get()
    url = reverse("monev:section_data", args=[report.pk, foreign.pk])

    assert client_for("kasubag").get(url).status_code == 404


@pytest.mark.parametrize("name", NOT_EDITORS)
def test_only_the_sections_own_kasi_may_save(report, url, kasi, client_as, name):
    form = fill_complete(open_form(kasi, url))
    before = snapshot(report)

    response = form.post(client_as(name), url)

    assert response.status_code == 403
    assert snapshot(report) == before == NOTHING


def test_anonymous_save_is_sent_to_login_and_changes_nothing(report, url, kasi, client):
    form = fill_complete(open_form(kasi, url))

    response = form.post(client, url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert snapshot(report) == NOTHING


def test_page_shows_only_the_sections_indicators_and_activities(report, url, kasi):
    response = kasi.get(url)
    content = response.content.decode()

    assert [line.indicator.code for line in response.context["page"].indicators] == CODES
    for code in CODES + [ACTIVITY]:
        assert code in content
    for code in OTHER_CODES + OTHER_ACTIVITIES:
        assert code not in content


@pytest.mark.parametrize("name", ["camat", "sekretaris", "kasubag", "admin"])
def test_other_roles_see_the_data_read_only(report, url, client_for, name):
    content = client_for(name).get(url).content.decode()

    assert "Hanya baca" in content
    assert 'name="ind-0-value"' not in content
    assert "Simpan dan kirim (data dikunci)" not in content


def test_the_sections_kasi_gets_the_form(report, url, kasi):
    content = kasi.get(url).content.decode()

    assert "Draf · dapat diubah" in content
    assert 'name="ind-0-value"' in content
    assert "Simpan dan kirim (data dikunci)" in content


# --- Saving a draft -----------------------------------------------------------------------


def test_draft_keeps_numbers_typed_either_way_as_exact_decimals(report, url, kasi):
    form = open_form(kasi, url)
    form.indicator("IKU-03", value="85,5", driving="Pendampingan rutin.")
    form.indicator("PEM-01", value="1.234,5", driving="Pembinaan terpadu.")
    form.indicator("PEM-02", value="87.25", inhibiting="APB terlambat.", follow_up="Teguran.")
    form.activity(ACTIVITY, spent="Rp 1.234.567", physical="12,5")

    response = form.post(kasi, url, follow=True)

    assert messages_of(response) == ["Draf data seksi tersimpan."]
    values = dict(Realisation.objects.filter(report=report).values_list("indicator__code", "value"))
    assert {code: value for code, value in values.items() if value is not None} == {
        "IKU-03": Decimal("85.5"),
        "PEM-01": Decimal("1234.5"),
        "PEM-02": Decimal("87.25"),
    }
    assert all(isinstance(values[code], Decimal) for code in ["IKU-03", "PEM-01", "PEM-02"])
    activity = ActivityRealisation.objects.get(report=report)
    assert (activity.spent, activity.physical_progress) == (1_234_567, Decimal("12.5"))
    assert not SectionSubmission.objects.filter(report=report).exists()


def test_capaian_and_rating_are_shown_after_save(report, url, kasi):
    form = open_form(kasi, url)
    form.indicator("IKU-03", value="85,5", driving="Pendampingan rutin.")  # 85,5 / 65
    form.indicator("PEM-03", value="2,5", inhibiting="Jadwal bentrok.", follow_up="Dijadwal ulang.")
    form.indicator("PEM-04", value="10,2", inhibiting="Sengketa lama.", follow_up="Mediasi.")

    response = form.post(kasi, url, follow=True)

    assert capaian(response, "IKU-03") == "131,54 % Sangat Tinggi"
    assert capaian(response, "PEM-03") == "83,33 % Tinggi"
    assert capaian(response, "PEM-04") == "51 % Rendah"
    assert capaian(response, "PEM-01") == "belum diisi"
    assert capaian(response, "PEM-02") == "belum diisi"


def test_saved_value_is_shown_in_its_field_the_indonesian_way(report, url, kasi):
    form = open_form(kasi, url)
    form.indicator("IKU-03", value="85,5", driving="Pendampingan rutin.")
    form.post(kasi, url)

    form = open_form(kasi, url)

    # What the officer typed comes back as they wrote it, not as "85.5000".
    assert form.data[form.name("ind", "IKU-03", "value")] == "85,5"


NOT_SENT = (
    "Draf tersimpan, tetapi belum dapat dikirim: {} baris belum lengkap (ditandai merah); "
    "lengkapi lalu kirim lagi."
)


def test_a_draft_keeps_rows_whose_explanations_are_still_empty(report, url, kasi):
    # Staff type the numbers first and the explanations later.
    form = open_form(kasi, url).indicator("PEM-02", value="80").indicator("PEM-03", value="3")

    response = form.post(kasi, url, follow=True)

    assert messages_of(response) == ["Draf data seksi tersimpan."]
    assert value_of(report, "PEM-02") == Decimal("80")
    assert value_of(report, "PEM-03") == Decimal("3")
    assert not SectionSubmission.objects.filter(report=report).exists()
    # ... and finds them again.
    page = kasi.get(url).content.decode()
    assert f'name="{form.name("ind", "PEM-02", "value")}" value="80"' in page


def test_below_100_percent_asks_for_penghambat_and_tindak_lanjut_when_sent(report, url, kasi):
    form = open_form(kasi, url).indicator("PEM-02", value="80", driving="Sudah diisi.")

    response = form.post(kasi, url, button="submit")

    assert response.status_code == 200
    assert field_error(response, form.name("ind", "PEM-02", "inhibiting")) == BELOW_100.format(
        "80 %"
    )
    assert field_error(response, form.name("ind", "PEM-02", "follow_up")) == BELOW_100.format(
        "80 %"
    )
    assert field_error(response, form.name("ind", "PEM-02", "driving")) == ""
    assert field_error(response, form.name("ind", "PEM-02", "value")) == ""
    assert value_of(report, "PEM-02") == Decimal("80")  # the draft is kept
    assert not SectionSubmission.objects.filter(report=report).exists()


def test_at_exactly_100_percent_asks_for_pendorong_only(report, url, kasi):
    form = open_form(kasi, url).indicator("PEM-03", value="3")

    response = form.post(kasi, url, button="submit")

    assert field_error(response, form.name("ind", "PEM-03", "driving")) == AT_100.format("100 %")
    assert field_error(response, form.name("ind", "PEM-03", "inhibiting")) == ""
    assert field_error(response, form.name("ind", "PEM-03", "follow_up")) == ""
    assert not SectionSubmission.objects.filter(report=report).exists()


def test_lower_is_better_indicator_under_its_target_asks_for_pendorong(
    report, client_for, demo_indicators
):
    # TRA-02 counts disturbances, target 6: 3 disturbances is (1 + (1 - 3/6)) x 100 = 150 %.
    kasi = client_for("kasi_trantibum")
    url = section_url(report, "trantibum")
    form = open_form(kasi, url).indicator("TRA-02", value="3")

    response = form.post(kasi, url, button="submit")

    assert field_error(response, form.name("ind", "TRA-02", "driving")) == AT_100.format("150 %")
    assert not SectionSubmission.objects.filter(report=report).exists()


@pytest.mark.parametrize(
    ("code", "typed", "message"),
    [
        ("PEM-02", "-5", "Realisasi tidak boleh negatif."),
        ("IKU-03", "105", "Persentase tidak boleh lebih dari 100."),
    ],
    ids=["negative", "over-100-percent"],
)
def test_an_impossible_value_saves_nothing_not_even_the_valid_rows(
    report, url, kasi, code, typed, message
):
    form = open_form(kasi, url)
    form.indicator("IKU-03", value="85,5", driving="Pendampingan rutin.")
    form.indicator("PEM-01", value="6", driving="Jadwal pembinaan dipatuhi.")
    form.indicator(code, value=typed)
    form.activity(ACTIVITY, spent="10.000.000", physical="10")

    response = form.post(kasi, url)

    assert response.status_code == 200
    assert messages_of(response) == [ROWS_TO_FIX.format(1)]
    assert field_error(response, form.name("ind", code, "value")) == message
    assert field_error(response, form.name("ind", "PEM-01", "value")) == ""
    assert snapshot(report) == NOTHING
    # What was typed is still in the form, so nothing has to be typed again.
    content = response.content.decode()
    assert f'name="{form.name("ind", "PEM-01", "value")}" value="6"' in content
    assert "Jadwal pembinaan dipatuhi." in content


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12x", "“12x” bukan angka yang dapat dibaca."),
        ("1.234", "Angka “1.234” meragukan"),
        ("85,5x", "“85,5x” bukan angka yang dapat dibaca."),
    ],
    ids=["text", "ambiguous-grouping", "typo"],
)
def test_unreadable_or_ambiguous_number_is_refused_next_to_its_field(
    report, url, kasi, typed, message
):
    form = open_form(kasi, url)
    form.indicator("IKU-03", value="85,5", driving="Pendampingan rutin.")
    form.indicator("PEM-01", value=typed, driving="Pembinaan.")

    response = form.post(kasi, url)

    assert messages_of(response) == [NOTHING_SAVED]
    assert field_error(response, form.name("ind", "PEM-01", "value")).startswith(message)
    assert field_error(response, form.name("ind", "IKU-03", "value")) == ""
    assert snapshot(report) == NOTHING


@pytest.mark.parametrize("target", ["zero", "missing"])
def test_zero_or_missing_target_gives_tidak_dapat_dihitung(report, url, kasi, target):
    row = IndicatorTarget.objects.filter(indicator__code="PEM-01", year=2025)
    if target == "zero":
        row.update(q1=0)
    else:
        row.delete()
    form = open_form(kasi, url).indicator("PEM-01", value="5")

    response = form.post(kasi, url, follow=True)

    assert messages_of(response) == ["Draf data seksi tersimpan."]
    assert value_of(report, "PEM-01") == 5
    assert capaian(response, "PEM-01") == "tidak dapat dihitung"


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("spent", "1.500.000,50", "Jumlah rupiah “1.500.000,50” harus bilangan bulat"),
        ("spent", "95.000.001", "Realisasi anggaran melebihi pagu."),
        ("physical", "100,5", "Realisasi fisik harus antara 0 dan 100 %."),
        ("physical", "-1", "Realisasi fisik harus antara 0 dan 100 %."),
    ],
)
def test_activity_values_outside_the_rules_are_refused(report, url, kasi, field, typed, message):
    form = open_form(kasi, url)
    form.indicator("IKU-03", value="85,5", driving="Pendampingan rutin.")
    form.activity(ACTIVITY, **(COMPLETE_ACTIVITY | {field: typed}))

    response = form.post(kasi, url)

    assert response.status_code == 200
    assert field_error(response, form.name("act", ACTIVITY, field)).startswith(message)
    assert snapshot(report) == NOTHING


def test_spending_exactly_the_pagu_is_accepted(report, url, kasi):
    form = open_form(kasi, url).activity(ACTIVITY, spent="Rp 95.000.000", physical="100")

    form.post(kasi, url)

    activity = ActivityRealisation.objects.get(report=report)
    assert (activity.spent, activity.physical_progress) == (95_000_000, 100)


def test_indicator_of_another_section_smuggled_into_the_form_is_refused_without_a_crash(
    report, url, kasi
):
    form = open_form(kasi, url)
    foreign = Indicator.objects.get(code="TRA-01")
    form.indicator("IKU-03", indicator_id=str(foreign.pk), value="5", driving="Bukan milik saya.")

    response = form.post(kasi, url)

    # A tampered form: the page may answer 200 with the reason or 400, but never 500.
    assert response.status_code in (200, 400)
    assert snapshot(report) == NOTHING


def test_refused_save_still_shows_an_indicator_added_while_the_page_was_open(
    report, url, kasi, demo_indicators
):
    form = open_form(kasi, url).indicator("PEM-01", value="12x")
    Indicator.objects.create(
        office=demo_indicators,
        section=demo_indicators.sections.get(code=SECTION),
        code="PEM-05",
        name="Jumlah nagari yang menerima bimbingan teknis",
        unit="nagari",
        aggregation="sum",
        order=50,
    )

    response = form.post(kasi, url)

    assert response.status_code == 200
    assert field_error(response, form.name("ind", "PEM-01", "value")).startswith(
        "“12x” bukan angka yang dapat dibaca."
    )
    assert "PEM-05" in response.content.decode()
    assert snapshot(report) == NOTHING


def test_the_same_indicator_posted_twice_is_refused_without_a_crash(report, url, kasi):
    form = open_form(kasi, url)
    twin = str(Indicator.objects.get(code="IKU-03").pk)
    form.indicator("IKU-03", value="85,5", driving="Pendampingan rutin.")
    form.indicator("PEM-01", indicator_id=twin, value="70", driving="Pendampingan rutin.")

    response = form.post(kasi, url)

    assert response.status_code in (200, 400)
    assert snapshot(report) == NOTHING


def test_data_cannot_be_saved_before_step_2_has_begun(demo_indicators, users, client_for):
    report = make_report(demo_indicators, step=1)
    url = section_url(report, SECTION)
    kasi = client_for("kasi_pemerintahan")
    form = open_form(kasi, url).indicator("IKU-03", value="85,5", driving="Pendampingan.")

    response = form.post(kasi, url)

    assert messages_of(response) == ["Pengisian data seksi belum dibuka untuk laporan ini."]
    assert snapshot(report) == NOTHING


# --- Submitting ---------------------------------------------------------------------------


def test_incomplete_submit_keeps_the_draft_but_does_not_submit(report, url, kasi):
    form = open_form(kasi, url)
    form.indicator("IKU-03", value="85,5", driving="Pendampingan rutin.")

    response = form.post(kasi, url, button="submit")

    assert response.status_code == 200
    assert messages_of(response) == [NOT_SENT.format(5)]  # four indicators, one activity
    assert value_of(report, "IKU-03") == Decimal("85.5")
    assert not SectionSubmission.objects.filter(report=report).exists()
    assert not StepLog.objects.filter(report=report).exists()
    missing = "Realisasi wajib diisi sebelum data dikirim."
    assert field_error(response, form.name("ind", "PEM-01", "value")) == missing
    assert field_error(response, form.name("ind", "IKU-03", "value")) == ""
    assert field_error(response, form.name("act", ACTIVITY, "spent")) == (
        "Realisasi anggaran wajib diisi sebelum data dikirim."
    )


def test_complete_submit_locks_the_section_and_completes_its_part_of_step_2(
    report, url, kasi, users
):
    form = fill_complete(open_form(kasi, url))

    response = form.post(kasi, url, button="submit", follow=True)

    assert response.redirect_chain[-1][0] == report.get_absolute_url()
    assert "Data seksi terkirim dan dikunci." in messages_of(response)
    submission = SectionSubmission.objects.get(report=report)
    assert (submission.section.code, submission.step_number) == (SECTION, 2)
    assert submission.submitted_by == users["kasi_pemerintahan"]
    log = StepLog.objects.get(report=report)
    assert (log.action, log.section.code) == (LogAction.SUBMIT, SECTION)
    report.refresh_from_db()
    assert report.current_step == 2
    page = kasi.get(url)
    assert page.context["can_edit"] is False
    assert "Terkirim" in page.content.decode()


def test_save_after_submit_is_refused_and_changes_nothing(report, url, kasi):
    form = fill_complete(open_form(kasi, url))
    form.post(kasi, url, button="submit", follow=True)
    before = snapshot(report)

    form.data["revision"] = str(SectionSheet.objects.get(report=report).revision)
    response = form.indicator("IKU-03", value="99").post(kasi, url)

    assert response.status_code == 200
    assert messages_of(response) == [LOCKED]
    assert snapshot(report) == before
    assert value_of(report, "IKU-03") == Decimal("70.5")


def test_last_section_to_submit_moves_the_report_to_step_3(report, url, kasi):
    submit_sections(report, 2, ["trantibum", "pmn", "kesos", "pelayanan"])
    form = fill_complete(open_form(kasi, url))

    form.post(kasi, url, button="submit")

    report.refresh_from_db()
    assert report.current_step == 3
    assert SectionSubmission.objects.filter(report=report, step_number=2).count() == 5


# --- Reopening ----------------------------------------------------------------------------


def submitted_report(office, kasi: Client, step: int):
    """A report at ``step``: Seksi Pemerintahan handed in complete data through the form, the
    other sections handed in theirs, and the report has since moved on to ``step``."""
    report = make_report(office, step=2)
    submit_sections(report, 2, ["trantibum", "pmn", "kesos", "pelayanan"])
    url = section_url(report, SECTION)
    fill_complete(open_form(kasi, url)).post(kasi, url, button="submit", follow=True)
    assert SectionSubmission.objects.filter(report=report, section__code=SECTION).exists()
    Report.objects.filter(pk=report.pk).update(current_step=step)
    if step > 5:
        submit_sections(report, 5, [section.code for section in office.sections.all()])
    report.refresh_from_db()
    return report


def reopen(client: Client, report, reason: str = "Realisasi PEM-02 salah ketik."):
    return client.post(
        section_url(report, SECTION, "monev:section_data_reopen"), {"reason": reason}
    )


@pytest.mark.parametrize(
    "name", ["camat", "sekretaris", "admin", "kasi_pemerintahan", "kasi_trantibum", "other_office"]
)
def test_only_kasubag_may_reopen_a_sections_data(demo_indicators, kasi, client_as, name):
    report = submitted_report(demo_indicators, kasi, step=3)
    before = snapshot(report)

    response = client_as(name).post(
        section_url(report, SECTION, "monev:section_data_reopen"), {"reason": "Salah ketik."}
    )

    assert response.status_code == 403
    assert snapshot(report) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopen_needs_a_reason(demo_indicators, kasi, client_for, reason):
    report = submitted_report(demo_indicators, kasi, step=3)
    before = snapshot(report)

    response = reopen(client_for("kasubag"), report, reason)

    assert messages_of(response) == ["Alasan membuka kembali wajib diisi."]
    assert snapshot(report) == before


def test_reopened_section_is_edited_and_resubmitted_without_moving_the_report(
    demo_indicators, users, kasi, client_for
):
    report = submitted_report(demo_indicators, kasi, step=3)
    started = report.step_started_at
    url = section_url(report, SECTION)
    assert kasi.get(url).context["can_edit"] is False

    response = reopen(client_for("kasubag"), report, "  Realisasi PEM-02 salah ketik.  ")

    assert messages_of(response) == ["Data seksi Pemerintahan dibuka kembali."]
    log = StepLog.objects.get(report=report, action=LogAction.REOPEN)
    assert (log.section.code, log.actor, log.note) == (
        SECTION,
        users["kasubag"],
        "Realisasi PEM-02 salah ketik.",
    )
    assert not SectionSubmission.objects.filter(report=report, section__code=SECTION).exists()

    form = fill_complete(open_form(kasi, url))
    form.post(kasi, url, button="submit")

    assert SectionSubmission.objects.filter(report=report, section__code=SECTION).exists()
    log = StepLog.objects.get(report=report, action=LogAction.RESUBMIT)
    assert (log.section.code, log.actor) == (SECTION, users["kasi_pemerintahan"])
    report.refresh_from_db()
    assert (report.current_step, report.step_started_at) == (3, started)
    assert value_of(report, "PEM-02") == Decimal("87.5")


@pytest.mark.parametrize("step", [3, 8])
def test_reopen_is_possible_until_the_draft_report_exists(demo_indicators, kasi, client_for, step):
    report = submitted_report(demo_indicators, kasi, step=step)

    response = reopen(client_for("kasubag"), report)

    assert messages_of(response) == ["Data seksi Pemerintahan dibuka kembali."]
    assert StepLog.objects.filter(report=report, action=LogAction.REOPEN).count() == 1


@pytest.mark.parametrize("step", [9, 12])
def test_reopen_is_refused_once_the_draft_report_exists(demo_indicators, kasi, client_for, step):
    report = submitted_report(demo_indicators, kasi, step=step)
    before = snapshot(report)
    kasubag = client_for("kasubag")
    assert kasubag.get(section_url(report, SECTION)).context["can_reopen"] is False

    response = reopen(kasubag, report)

    assert messages_of(response) == [DRAFT_EXISTS]
    assert snapshot(report) == before


def test_reopen_of_a_section_not_yet_submitted_changes_nothing(report, client_for):
    before = snapshot(report)

    response = reopen(client_for("kasubag"), report)

    assert messages_of(response) == ["Data seksi ini belum dikirim; tidak ada yang perlu dibuka."]
    assert snapshot(report) == before


# --- History of values --------------------------------------------------------------------


def test_every_change_of_a_value_is_kept_with_who_when_old_and_new(report, url, kasi, users):
    with clock.frozen_at(at(8, 9, 30)):
        open_form(kasi, url).indicator("PEM-01", value="4", inhibiting="a", follow_up="b").post(
            kasi, url
        )
    with clock.frozen_at(at(9, 14, 5)):
        open_form(kasi, url).indicator("PEM-01", value="7,5", driving="c").post(kasi, url)

    changes = RealisationChange.objects.filter(realisation__report=report).order_by("id")
    assert [(c.old_value, c.new_value, c.changed_by, c.changed_at, c.source) for c in changes] == [
        (None, Decimal("4"), users["kasi_pemerintahan"], at(8, 9, 30), "form"),
        (Decimal("4"), Decimal("7.5"), users["kasi_pemerintahan"], at(9, 14, 5), "form"),
    ]
    content = kasi.get(url).content.decode()
    assert "Riwayat perubahan (2)" in content
    assert "8 Apr 2025 09:30 WIB · kasi_pemerintahan: - → 4" in plain(content)
    assert "9 Apr 2025 14:05 WIB · kasi_pemerintahan: 4 → 7,5" in plain(content)


def test_saving_unchanged_values_adds_no_history(report, url, kasi):
    open_form(kasi, url).indicator("PEM-01", value="6", driving="Pembinaan.").post(kasi, url)
    revision = SectionSheet.objects.get(report=report).revision

    open_form(kasi, url).post(kasi, url)

    assert RealisationChange.objects.filter(realisation__report=report).count() == 1
    assert SectionSheet.objects.get(report=report).revision == revision


def test_changing_only_an_explanation_adds_no_value_history(report, url, kasi):
    open_form(kasi, url).indicator("PEM-01", value="6", driving="Pembinaan.").post(kasi, url)

    open_form(kasi, url).indicator("PEM-01", driving="Pembinaan terjadwal.").post(kasi, url)

    realisation = Realisation.objects.get(report=report, indicator__code="PEM-01")
    assert realisation.driving_factors == "Pembinaan terjadwal."
    assert realisation.changes.count() == 1


# --- Stale pages --------------------------------------------------------------------------


def test_save_from_a_stale_page_is_refused_naming_who_saved_and_when(report, url, kasi):
    first_tab = open_form(kasi, url)
    second_tab = open_form(kasi, url)
    with clock.frozen_at(at(8, 9, 30)):
        first_tab.indicator("PEM-01", value="6", driving="Pembinaan.").post(kasi, url, follow=True)

    response = second_tab.indicator("PEM-01", value="9", driving="Lain.").post(kasi, url)

    assert response.status_code == 200
    [message] = messages_of(response)
    assert "kasi_pemerintahan" in message
    assert "8 April 2025 09:30" in message
    assert value_of(report, "PEM-01") == 6
    assert RealisationChange.objects.filter(realisation__report=report).count() == 1
    # The refused values stay in the form so they can be copied before reloading.
    assert f'name="{second_tab.name("ind", "PEM-01", "value")}" value="9"' in (
        response.content.decode()
    )


# --- Live capaian -------------------------------------------------------------------------


def preview(client: Client, report, code: str, typed: str):
    indicator = Indicator.objects.get(code=code)
    url = reverse("monev:capaian_preview", args=[report.pk, indicator.pk])
    return client.get(url, {"ind-0-value": typed})


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("85,5", "131,54 % Sangat Tinggi"),
        ("85.5", "131,54 % Sangat Tinggi"),
        ("52", "80 % Tinggi"),
        ("", "belum diisi"),
    ],
)
def test_capaian_preview_shows_capaian_and_rating_as_typed(report, kasi, typed, shown):
    response = preview(kasi, report, "IKU-03", typed)

    assert response.status_code == 200
    assert plain(response.content.decode()) == shown


def test_capaian_preview_explains_an_unreadable_number(report, kasi):
    response = preview(kasi, report, "IKU-03", "12x")

    assert response.status_code == 200
    assert plain(response.content.decode()).startswith("“12x” bukan angka yang dapat dibaca.")


@pytest.mark.parametrize(
    ("code", "typed", "shown"),
    [
        ("IKU-03", "-5", "Realisasi tidak boleh negatif."),
        ("IKU-03", "105", "Persentase tidak boleh lebih dari 100."),
    ],
    ids=["negative", "over-100-percent"],
)
def test_capaian_preview_refuses_an_impossible_value_instead_of_rating_it(
    report, kasi, code, typed, shown
):
    response = preview(kasi, report, code, typed)

    assert plain(response.content.decode()) == shown  # no "-5 % Sangat Rendah"


def test_capaian_preview_warns_about_a_value_far_above_its_target(report, kasi):
    target = IndicatorTarget.objects.get(indicator__code="PEM-01", year=2025).q1

    far = plain(preview(kasi, report, "PEM-01", str(target * 10)).content.decode())
    near = plain(preview(kasi, report, "PEM-01", str(target)).content.decode())

    assert "Jauh di atas target" in far and "Sangat Tinggi" in far
    assert "Jauh di atas target" not in near


def test_capaian_preview_with_zero_target_says_it_cannot_be_computed(report, kasi):
    IndicatorTarget.objects.filter(indicator__code="PEM-01", year=2025).update(q1=0)

    response = preview(kasi, report, "PEM-01", "5")

    assert plain(response.content.decode()) == "tidak dapat dihitung"


@pytest.mark.parametrize("name", ["kasi_trantibum", "other_office"])
def test_capaian_preview_is_forbidden_outside_the_section(report, client_as, name):
    assert preview(client_as(name), report, "IKU-03", "85,5").status_code == 403


# --- Evidence -----------------------------------------------------------------------------


def png_bytes() -> bytes:
    image = Image.new("RGB", (40, 30), (20, 110, 60))
    image.paste((240, 240, 240), (5, 5, 20, 15))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def post_evidence(client: Client, url: str, upload, code: str = "IKU-03"):
    form = open_form(client, url).indicator(code, value="85,5", driving="Pendampingan rutin.")
    form.activity(ACTIVITY, **COMPLETE_ACTIVITY)
    form.data[form.name("ind", code, "files")] = upload
    return form.post(client, url)


@pytest.fixture
def evidence(transactional_db, report, url, kasi, media) -> Evidence:
    """A PNG saved with the realisation of IKU-03. Transactional, so the save really commits
    and the file is written as it would be in production."""
    upload = SimpleUploadedFile("foto-kegiatan.png", png_bytes(), content_type="image/png")
    response = post_evidence(kasi, url, upload)
    assert response.status_code == 302
    return Evidence.objects.get()


def test_evidence_png_is_stored_under_a_generated_name(evidence, media, users):
    stored = media / evidence.file.name

    assert files_under(media) == [stored]
    assert stored.read_bytes() == png_bytes()
    assert "foto-kegiatan" not in evidence.file.name
    assert not evidence.file.name.endswith(".png")
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        "foto-kegiatan.png",
        "image/png",
        len(png_bytes()),
    )
    assert evidence.realisation.indicator.code == "IKU-03"
    assert evidence.uploaded_by == users["kasi_pemerintahan"]


def test_evidence_is_listed_on_the_indicators_row(evidence, url, client_for):
    content = client_for("camat").get(url).content.decode()

    download = reverse("monev:evidence_download", args=[evidence.pk])
    assert re.search(rf'<a [^>]*href="{download}"[^>]*>\s*foto-kegiatan.png\s*</a>', content)


def test_evidence_is_not_written_before_the_save_commits(
    report, url, kasi, media, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_evidence(kasi, url, upload)

    # The test's transaction never commits: the row exists inside it, the file does not.
    assert response.status_code == 302
    assert Evidence.objects.count() == 1
    assert len(callbacks) == 1
    assert files_under(media) == []


@pytest.mark.parametrize("name", OFFICE_ROLES)
def test_evidence_is_downloadable_by_staff_of_the_office(evidence, client_as, name):
    response = client_as(name).get(reverse("monev:evidence_download", args=[evidence.pk]))
    try:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == png_bytes()
        assert response["Content-Type"] == "image/png"
        assert 'filename="foto-kegiatan.png"' in response["Content-Disposition"]
    finally:
        response.close()


@pytest.mark.parametrize("name", ["kasi_trantibum", "other_office"])
def test_evidence_is_forbidden_to_another_section_and_another_office(evidence, client_as, name):
    response = client_as(name).get(reverse("monev:evidence_download", args=[evidence.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bukti.pdf",
            b"MZ" + b"\x90" * 4096,
            "Isi berkas “bukti.pdf” bukan jenis yang diizinkan. "
            "Jenis yang diizinkan: PDF, JPEG, PNG, XLSX, DOCX.",
        ),
        (
            "besar.pdf",
            b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024),
            "Berkas “besar.pdf” lebih dari 10 MB.",
        ),
    ],
    ids=["renamed-executable", "over-10-mb"],
)
def test_refused_evidence_file_saves_nothing(
    transactional_db, report, url, kasi, media, name, content, message
):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")

    response = post_evidence(kasi, url, upload)

    assert response.status_code == 200
    form = SectionDataForm(kasi.get(url))
    assert field_error(response, form.name("ind", "IKU-03", "files")) == message
    assert snapshot(report) == NOTHING
    assert files_under(media) == []


# --- Query count --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 60])
def test_data_page_queries_do_not_grow_with_the_number_of_indicators(
    report, url, kasi, users, demo_indicators, count, django_assert_max_num_queries
):
    section = demo_indicators.sections.get(code=SECTION)
    for number in range(count - len(CODES)):
        indicator = Indicator.objects.create(
            office=demo_indicators,
            section=section,
            code=f"PEM-X{number:02}",
            name=f"Indikator tambahan {number}",
            unit="dokumen",
            aggregation="sum",
            order=100 + number,
        )
        IndicatorTarget.objects.create(indicator=indicator, year=2025, annual=40, q1=10)
    # Every indicator has a value with its history, so the rows show everything they can.
    form = open_form(kasi, url)
    for code in Indicator.objects.filter(section=section).values_list("code", flat=True):
        form.indicator(code, value="50", driving="Tercapai.", inhibiting="-", follow_up="-")
    assert form.post(kasi, url).status_code == 302
    assert RealisationChange.objects.filter(realisation__report=report).count() == count

    # About 20 today (session, user, staff, report with its SOP and sections, each table of the
    # page once); what matters is that the bound is the same for 5 and for 60 rows.
    with django_assert_max_num_queries(25):
        response = kasi.get(url)

    assert len(response.context["page"].indicators) == count


def test_the_page_counts_what_is_filled_and_shows_targets_and_earlier_quarters(
    demo_indicators, users, kasi
):
    first = make_report(demo_indicators, quarter=1, step=13, archived=True)
    Realisation.objects.create(
        report=first, indicator=Indicator.objects.get(code="IKU-03"), value=Decimal("61.5")
    )
    second = make_report(demo_indicators, quarter=2, step=2)
    url = section_url(second, SECTION)
    annual = IndicatorTarget.objects.get(indicator__code="IKU-03", year=2025).annual

    page = plain(kasi.get(url).content.decode())
    assert "0 dari 6 terisi" in page  # five indicators and one sub kegiatan
    assert f"Target tahunan {format_decimal(annual)}" in page
    assert "Realisasi TW I: 61,5" in page

    open_form(kasi, url).indicator("PEM-01", value="6").post(kasi, url)
    assert "1 dari 6 terisi" in plain(kasi.get(url).content.decode())


def test_a_saved_value_far_above_its_target_keeps_its_warning(report, url, kasi):
    target = IndicatorTarget.objects.get(indicator__code="PEM-01", year=2025).q1
    open_form(kasi, url).indicator("PEM-01", value=str(target * 10)).post(kasi, url)

    assert "Jauh di atas target" in plain(kasi.get(url).content.decode())
