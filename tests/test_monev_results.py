"""Step 5 results flow on: what each Kepala Seksi writes in the blangko monev appears per
section in Data dan analisis, in every draft version (frozen) and in the PDF."""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from monev.models import DraftVersion, MonevEntry, Report
from monev.selectors.snapshots import from_json, version_content
from monev.services.monev_sheet import MonevInput, monev_sheet_save

from .test_documents import at_step, draft


def written_at_step_5(sutera, users):
    """A report whose Kesos section wrote its blangko monev at step 5, now at step 8."""
    report = at_step(sutera, 5)
    kesos = sutera.sections.get(code="kesos")
    indicator = kesos.indicators.get(code="KES-01")
    monev_sheet_save(
        report_id=report.pk,
        section_id=kesos.pk,
        actor=users["kasi_kesos"],
        revision=0,
        entries=[
            MonevInput(
                indicator.pk,
                findings="Posyandu berjalan di 12 desa.",
                problems="Kader kurang di Desa Ujung.",
                recommendation="Latih kader baru triwulan depan.",
            )
        ],
    )
    Report.objects.filter(pk=report.pk).update(current_step=8)
    return Report.objects.get(pk=report.pk)


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.getvalue()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_analysis_page_shows_each_sections_monev(sutera, users, demo_indicators, client_for):
    report = written_at_step_5(sutera, users)

    page = client_for("kasubag").get(reverse("monev:report_analysis", args=[report.pk]))

    html = page.content.decode()
    kesos_part = html.split("Kesejahteraan Sosial", 1)[1]
    assert "Posyandu berjalan di 12 desa." in kesos_part
    assert "Kader kurang di Desa Ujung." in kesos_part
    assert "Latih kader baru triwulan depan." in kesos_part
    assert "Seksi ini belum menuliskan hasil monev." in html  # the sections that wrote none


def test_a_draft_freezes_the_monev_and_its_pdf_shows_it(sutera, users, demo_indicators, client_for):
    report = written_at_step_5(sutera, users)
    draft(client_for("kasubag"), report)
    version = DraftVersion.objects.get(report=report)

    MonevEntry.objects.filter(report=report).update(findings="Ditulis sesudah draf.")

    kesos = next(
        s for s in version_content(version).figures.sections if s.name == "Kesejahteraan Sosial"
    )
    assert [(n.code, n.findings) for n in kesos.monev] == [
        ("KES-01", "Posyandu berjalan di 12 desa.")
    ]
    assert "Posyandu berjalan di 12 desa." in version.html
    text = pdf_text(client_for("camat").get(reverse("monev:draft_pdf", args=[report.pk, 1])))
    assert "Posyandu berjalan di 12 desa." in text
    assert "Latih kader baru triwulan depan." in text
    assert "Ditulis sesudah draf." not in text
    # The live page follows the sheet; the next version freezes the new words.
    draft(client_for("kasubag"), report)
    newer = version_content(DraftVersion.objects.get(report=report, number=2))
    assert "Ditulis sesudah draf." in [n.findings for s in newer.figures.sections for n in s.monev]


def test_a_snapshot_from_before_the_monev_travelled_still_loads(
    sutera, users, demo_indicators, client_for
):
    report = written_at_step_5(sutera, users)
    draft(client_for("kasubag"), report)
    plain = json.loads(DraftVersion.objects.get(report=report).snapshot)
    for section in plain["figures"]["sections"]:
        del section["monev"]

    content = from_json(json.dumps(plain))

    assert all(section.monev == () for section in content.figures.sections)


@pytest.mark.parametrize("who", ["camat", "sekretaris"])
def test_the_leaders_read_the_monev_in_the_draft(sutera, users, demo_indicators, client_for, who):
    report = written_at_step_5(sutera, users)
    draft(client_for("kasubag"), report)

    page = client_for(who).get(reverse("monev:draft_document", args=[report.pk, 1]))

    assert "Kader kurang di Desa Ujung." in page.content.decode()
