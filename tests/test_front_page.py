"""The decider's front page: "Menunggu persetujuan Anda" first, with the draft's figures and
what changed since the version before; the action box names its step and asks first."""

import pytest
from django.urls import reverse

from monev import clock
from monev.models import DraftVersion

from .conftest import make_report

pytestmark = pytest.mark.django_db


def summary(average: str, **values) -> dict:
    return {
        "average": average,
        "band": "Sangat Baik",
        "indicators": {
            code: {"name": code, "value": value, "capaian": value} for code, value in values.items()
        },
        "analysis": {"Pemerintahan": "Analisis"},
    }


def draft(report, number, step, summary_):
    return DraftVersion.objects.create(
        report=report, number=number, step_number=step, html="<p>draf</p>",
        summary=summary_, created_by=report.opened_by, created_at=clock.now(),
    )  # fmt: skip


@pytest.fixture
def waiting(sutera, users):
    report = make_report(sutera, year=2026, quarter=3, step=12)
    draft(report, 1, 8, summary("95,00", **{"IKU-01": "90", "IKU-02": "100"}))
    draft(report, 2, 10, summary("96,50", **{"IKU-01": "93", "IKU-02": "100"}))
    return report


def test_the_camat_sees_the_waiting_report_first(client_for, waiting):
    response = client_for("camat").get(reverse("monev:dashboard"))
    page = response.content.decode()
    first = page.index("Menunggu persetujuan Anda")
    assert first < page.index("Dasbor Kinerja")
    assert "Langkah 12 – Menyusun dokumen monitoring evaluasi kinerja kecamatan" in page
    assert "Draf versi 2" in page and "96,50 %" in page
    assert "Berubah sejak versi 1:" in page and "1 indikator (IKU-01)" in page
    assert f'href="{waiting.get_absolute_url()}#actions-title"' in page


def test_others_see_no_decision_waiting(client_for, waiting):
    for name in ("kasubag", "sekretaris", "kasi_pmn"):
        page = client_for(name).get(reverse("monev:home")).content.decode()
        assert "Menunggu persetujuan Anda" not in page, name


def test_a_first_version_says_there_is_nothing_to_compare(client_for, sutera):
    report = make_report(sutera, year=2026, quarter=3, step=12)
    draft(report, 1, 8, summary("95,00", **{"IKU-01": "90"}))
    page = client_for("camat").get(reverse("monev:dashboard")).content.decode()
    assert "Versi pertama" in page


def test_the_action_box_names_the_step_and_asks_first(client_for, waiting):
    page = client_for("camat").get(waiting.get_absolute_url()).content.decode()
    box = page[page.index('id="actions-title"') :]
    assert "Langkah 12 – Menyusun dokumen monitoring evaluasi kinerja kecamatan" in box
    assert "Draft laporan monitoring evaluasi kinerja" in box  # the SOP's kelengkapan
    assert "Dokumen monitoring evaluasi kinerja" in box  # and its output
    assert box.count("data-confirm=") == 2  # approve, and return
    assert "Draf versi 2\nSetujui dan tandatangani?" in box
    assert "js/confirm.js" in page


def test_the_dasbor_headline_says_how_complete_its_figures_are(client_for, demo_indicators):
    from .conftest import submit_sections

    report = make_report(demo_indicators, year=2026, quarter=1, step=2)
    submit_sections(report, 2, ["pemerintahan"])
    response = client_for("camat").get(reverse("monev:dashboard"), {"year": 2026})
    summary = response.context["summary"]
    sections, total = summary["sections"]
    assert total == 5 and sections <= total
    page = response.content.decode()
    assert f"{sections} dari 5 seksi" in page
    assert f"dari {summary['indicators'][1]} indikator" in page
    assert "sub kegiatan" in page


def test_times_say_wib_and_due_dates_read_as_dates(client_for, sutera):
    import re

    make_report(sutera, step=3)  # Mengolah data: 7 working days from Monday 7 April 2025 08:00
    page = client_for("kasubag").get(reverse("monev:inbox")).content.decode()
    assert "7 Apr 2025 08:00 WIB" in page
    assert re.search(r"(Senin|Selasa|Rabu|Kamis|Jumat), \d{1,2} Apr 2025 \d\d:\d\d WIB", page)
    assert "waktu baku 7 hari" in page
    assert "(7 hari)" not in page


def test_the_draft_table_shows_capaian_with_two_decimals(client_for, waiting):
    version = waiting.versions.get(number=2)
    version.summary["indicators"]["IKU-01"]["capaian"] = "104,7 %"
    # A stored figure with one decimal (a version is frozen: written here behind its back).
    DraftVersion.objects.filter(pk=version.pk).update(summary=version.summary)
    page = client_for("camat").get(reverse("monev:draft_version", args=[waiting.pk, 2]))
    assert "104,70 %" in page.content.decode()
    assert DraftVersion.objects.get(pk=version.pk).summary["indicators"]["IKU-01"]["capaian"] == (
        "104,7 %"
    )  # what was stored stays as it was
