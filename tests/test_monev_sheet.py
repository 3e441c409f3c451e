"""Blangko monev (step 5): same draft, hand-in and reopen pattern as the quarterly data."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from monev.models import LogAction, MonevEntry, SectionSubmission, StepLog

from .conftest import make_report


@pytest.fixture
def indicators(sutera):
    call_command("loaddata", "rating_bands", "demo_indicators", verbosity=0)


def post_data(response, **changes):
    formset = response.context["formset"]
    data = {
        "revision": response.context["page"].revision,
        "monev-TOTAL_FORMS": len(formset.forms),
        "monev-INITIAL_FORMS": len(formset.forms),
    }
    for index, form in enumerate(formset.forms):
        for name in ("indicator_id", "findings", "problems", "recommendation"):
            data[f"monev-{index}-{name}"] = form[name].value() or ""
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "who,status",
    [("kasi_kesos", 200), ("kasubag", 200), ("camat", 200), ("kasi_pmn", 403)],
)
def test_the_monev_sheet_is_open_to_the_office_but_not_other_sections(
    sutera, users, indicators, client_for, who, status
):
    report = make_report(sutera, step=5)
    kesos = sutera.sections.get(code="kesos")
    response = client_for(who).get(reverse("monev:monev_sheet", args=[report.pk, kesos.pk]))
    assert response.status_code == status


def test_a_kepala_seksi_saves_a_draft_then_hands_in_the_sheet(
    sutera, users, indicators, client_for
):
    report = make_report(sutera, step=5)
    kesos = sutera.sections.get(code="kesos")
    url = reverse("monev:monev_sheet", args=[report.pk, kesos.pk])
    kasi = client_for("kasi_kesos")
    page = kasi.get(url)
    codes = [line.indicator.code for line, form, entry in page.context["rows"]]
    assert codes == ["KES-01", "KES-02", "KES-03", "KES-04"]

    response = kasi.post(url, post_data(page, **{"monev-0-findings": "Sesuai jadwal.", "save": ""}))
    assert response.status_code == 302
    assert MonevEntry.objects.get(indicator__code="KES-01").findings == "Sesuai jadwal."

    page = kasi.get(url)
    response = kasi.post(url, post_data(page, submit=""))
    assert response.status_code == 200
    assert "Hasil monitoring wajib diisi" in response.content.decode()
    assert not SectionSubmission.objects.filter(section=kesos, step_number=5).exists()

    filled = {f"monev-{i}-findings": f"Temuan {i}" for i in range(4)}
    response = kasi.post(url, post_data(page, submit="", **filled))
    assert response.status_code == 302
    assert SectionSubmission.objects.filter(section=kesos, step_number=5).exists()

    response = kasi.post(url, post_data(kasi.get(url), **{"monev-0-findings": "Ubah", "save": ""}))
    assert "sudah dikirim dan dikunci" in response.content.decode()
    assert MonevEntry.objects.get(indicator__code="KES-01").findings == "Temuan 0"


def test_the_kasubag_reopens_a_monev_sheet_with_a_reason(sutera, users, indicators, client_for):
    report = make_report(sutera, step=6)  # every section handed in step 5
    kesos = sutera.sections.get(code="kesos")
    url = reverse("monev:monev_sheet_reopen", args=[report.pk, kesos.pk])

    assert client_for("kasi_kesos").post(url, {"reason": "x"}).status_code == 403
    client_for("kasubag").post(url, {"reason": " "})
    assert SectionSubmission.objects.filter(section=kesos, step_number=5).exists()

    client_for("kasubag").post(url, {"reason": "Rekomendasi KES-02 belum spesifik."})

    assert not SectionSubmission.objects.filter(section=kesos, step_number=5).exists()
    log = StepLog.objects.get(action=LogAction.REOPEN)
    assert (log.step_number, log.note) == (5, "Rekomendasi KES-02 belum spesifik.")


def test_a_stale_monev_page_does_not_overwrite(sutera, users, indicators, client_for):
    report = make_report(sutera, step=5)
    kesos = sutera.sections.get(code="kesos")
    url = reverse("monev:monev_sheet", args=[report.pk, kesos.pk])
    kasi = client_for("kasi_kesos")
    page = kasi.get(url)
    kasi.post(url, post_data(page, **{"monev-0-findings": "Pertama", "save": ""}))

    response = kasi.post(url, post_data(page, **{"monev-0-findings": "Kedua", "save": ""}))

    assert "telah diubah oleh kasi_kesos" in response.content.decode()
    assert MonevEntry.objects.get(indicator__code="KES-01").findings == "Pertama"


def test_an_empty_send_says_once_what_is_missing(sutera, users, indicators, client_for):
    report = make_report(sutera, step=5)
    kesos = sutera.sections.get(code="kesos")
    url = reverse("monev:monev_sheet", args=[report.pk, kesos.pk])
    kasi = client_for("kasi_kesos")

    response = kasi.post(url, post_data(kasi.get(url), submit=""))

    assert response.status_code == 200
    notes = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(notes) == 1
    level, text = notes[0]
    assert level == "warning"
    # Nothing was typed, so nothing was saved: the message does not claim a draft.
    assert text.startswith("Belum dapat dikirim: 4 baris belum lengkap (ditandai merah)")
    assert "belum dapat diterima" not in response.content.decode()
    assert not SectionSubmission.objects.filter(report=report, step_number=5).exists()
    # The page carries the revision just saved, so saving again is not refused as stale.
    again = kasi.post(url, post_data(response, **{"monev-0-findings": "Sesuai.", "save": ""}))
    assert again.status_code == 302
    # A send that saves something says the draft is kept.
    page = kasi.get(url)
    response = kasi.post(url, post_data(page, **{"monev-1-findings": "Sesuai.", "submit": ""}))
    text = str(next(iter(response.context["messages"])))
    assert text.startswith("Draf tersimpan, tetapi belum dapat dikirim: 2 baris")
