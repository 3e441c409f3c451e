"""Steps 3-13: the office-wide analysis, numbered drafts, discussion, and the archive."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from monev import clock, services
from monev.models import (
    ArchivedFile,
    Comment,
    DraftVersion,
    Indicator,
    Realisation,
    Report,
    SectionAnalysis,
    YearExport,
)
from monev.services.archive import archive_verify
from monev.services.year_export import year_export_start
from monev.worktime import JAKARTA

from .conftest import NIP, make_report


def filled(report, factor=Decimal("1")):
    """Every indicator realised at its quarter target times `factor`."""
    for indicator in Indicator.objects.filter(office=report.office).prefetch_related("targets"):
        target = next(t for t in indicator.targets.all() if t.year == report.year)
        Realisation.objects.update_or_create(
            report=report,
            indicator=indicator,
            defaults={
                "value": target.for_quarter(report.quarter) * factor,
                "driving_factors": "Koordinasi baik.",
            },
        )
    return report


def at_step(sutera, step, quarter=2, **kwargs):
    return filled(make_report(sutera, year=2026, quarter=quarter, step=step, **kwargs))


def draft(client, report):
    return client.post(
        reverse("monev:draft_create", args=[report.pk]), {"from_step": report.current_step}
    )


@pytest.mark.parametrize(
    "who,status",
    [("kasubag", 200), ("sekretaris", 200), ("camat", 200), ("admin", 200), ("kasi_pmn", 403)],
)
def test_the_office_table_is_for_the_leaders(sutera, users, demo_indicators, client_for, who,
                                             status):  # fmt: skip
    report = at_step(sutera, 3)
    response = client_for(who).get(reverse("monev:report_analysis", args=[report.pk]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "IKU-01" in page and "PEL-03" in page and "Pemerintahan" in page


def test_missing_entries_are_flagged(sutera, users, demo_indicators, client_for):
    report = at_step(sutera, 3)
    Realisation.objects.filter(report=report, indicator__code="KES-02").update(value=None)
    page = client_for("kasubag").get(reverse("monev:report_analysis", args=[report.pk]))
    kesos = next(s for s in page.context["figures"].sections if s.name == "Kesejahteraan Sosial")
    assert "KES-02" in kesos.missing
    assert "Belum diisi:" in page.content.decode()


def test_only_the_kasubag_saves_the_analysis(sutera, users, demo_indicators, client_for):
    report = at_step(sutera, 7)
    kesos = sutera.sections.get(code="kesos")
    url = reverse("monev:report_analysis", args=[report.pk])

    assert client_for("sekretaris").post(url, {f"analysis-{kesos.pk}": "x"}).status_code == 403
    client_for("kasubag").post(url, {f"analysis-{kesos.pk}": "Capaian stunting membaik."})

    assert SectionAnalysis.objects.get(report=report, section=kesos).text == (
        "Capaian stunting membaik."
    )


def test_a_draft_is_made_only_at_a_drafting_step(sutera, users, demo_indicators, client_for):
    report = at_step(sutera, 7)
    draft(client_for("kasubag"), report)
    assert not DraftVersion.objects.exists()

    report = at_step(sutera, 8, quarter=3)
    assert draft(client_for("sekretaris"), report).status_code == 403
    response = draft(client_for("kasubag"), report)
    assert response.status_code == 302
    version = DraftVersion.objects.get(report=report)
    assert (version.number, version.step_number) == (1, 8)
    assert "IKU-01" in version.html and "DRAF" in version.html


def test_versions_are_numbered_and_earlier_ones_stay_readable(
    sutera, users, demo_indicators, client_for
):
    report = at_step(sutera, 10)
    kasubag = client_for("kasubag")
    draft(kasubag, report)
    Realisation.objects.filter(report=report, indicator__code="IKU-01").update(
        value=Decimal("79.5")
    )
    draft(kasubag, report)

    first = kasubag.get(reverse("monev:draft_version", args=[report.pk, 1]))
    second = client_for("camat").get(reverse("monev:draft_version", args=[report.pk, 2]))

    assert "versi lama" in first.content.decode()
    rows = {row.code: row for row in second.context["page"].rows}
    assert rows["IKU-01"].changed["value"] == "81"
    assert rows["IKU-01"].row["value"] == "79,5"
    assert not rows["IKU-02"].changed
    assert "table-warning" in second.content.decode()


def test_comments_belong_to_the_latest_version(sutera, users, demo_indicators, client_for):
    report = at_step(sutera, 10)
    kasubag = client_for("kasubag")
    draft(kasubag, report)
    draft(kasubag, report)
    latest = reverse("monev:draft_version", args=[report.pk, 2])

    client_for("sekretaris").post(latest, {"body": "Lengkapi analisis Trantibum."})
    parent = Comment.objects.get()
    client_for("kasi_trantibum").post(latest, {"body": "Siap, sudah.", "parent": parent.pk})
    old = client_for("camat").post(
        reverse("monev:draft_version", args=[report.pk, 1]), {"body": "Untuk versi lama"}
    )
    empty = client_for("camat").post(latest, {"body": "  "})

    assert parent.version.number == 2
    assert [c.body for c in parent.replies.all()] == ["Siap, sudah."]
    assert "Komentar hanya untuk versi draf terbaru." in old.content.decode()
    assert empty.status_code == 200 and Comment.objects.count() == 2


def test_another_office_cannot_read_or_comment(sutera, users, demo_indicators, other_office,
                                               client_as):  # fmt: skip
    report = at_step(sutera, 8)
    draft(client_as("kasubag"), report)
    url = reverse("monev:draft_version", args=[report.pk, 1])
    stranger = client_as("other_office")
    assert stranger.get(url).status_code == 403
    assert stranger.post(url, {"body": "x"}).status_code == 403
    assert stranger.get(reverse("monev:draft_pdf", args=[report.pk, 1])).status_code == 403


def test_the_draft_pdf_is_watermarked(sutera, users, demo_indicators, client_for):
    report = at_step(sutera, 8)
    draft(client_for("kasubag"), report)

    response = client_for("camat").get(reverse("monev:draft_pdf", args=[report.pk, 1]))

    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.getvalue())).pages[0].extract_text()
    assert "DRAF" in text


def archived(sutera, users):
    report = at_step(sutera, 13)
    with clock.frozen_at(datetime.datetime(2026, 8, 3, 9, 0, tzinfo=JAKARTA)):
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=13)
    return Report.objects.get(pk=report.pk)


@pytest.mark.django_db(transaction=True)
def test_archiving_freezes_the_pdf_and_workbook(sutera, users, demo_indicators, media, camat_nip):
    report = archived(sutera, users)

    files = {f.kind: f for f in ArchivedFile.objects.filter(report=report)}
    assert set(files) == {"pdf", "xlsx"}
    for record in files.values():
        assert archive_verify(record)
    with default_storage.open(files["pdf"].file.name, "rb") as handle:
        reader = PdfReader(handle)
        text = "\n".join(page.extract_text() for page in reader.pages)
        attachments = reader.attachments
    assert "KECAMATAN SUTERA" in text and "TRIWULAN II TAHUN 2026" in text
    assert "Hendri Yusman" in text and NIP in text and "Camat Sutera" in text
    assert "IKU-01" in text and "Sangat Tinggi" in text
    assert "DRAF" not in text
    assert any(name.endswith("-e81.xlsx") for name in attachments)
    with default_storage.open(files["xlsx"].file.name, "rb") as handle:
        sheet = openpyxl.load_workbook(handle).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Periode Pelaksanaan: Triwulan II Tahun 2026" in " ".join(cells)
    assert any(NIP in c for c in cells)
    assert any("Indeks Kepuasan Masyarakat" in c for c in cells)


@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_file_is_reported(sutera, users, demo_indicators, media, client_for):
    report = archived(sutera, users)
    record = ArchivedFile.objects.get(report=report, kind="pdf")
    path = media / record.file.name
    path.write_bytes(path.read_bytes() + b"%tampered")

    response = client_for("admin").post(
        reverse("monev:archive_check", args=[record.pk]), follow=True
    )

    assert "TIDAK utuh" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_archived_report_cannot_change(sutera, users, demo_indicators, media, client_for):
    report = archived(sutera, users)
    kesos = sutera.sections.get(code="kesos")

    analysis = client_for("kasubag").post(
        reverse("monev:report_analysis", args=[report.pk]),
        {f"analysis-{kesos.pk}": "ubah"},
        follow=True,
    )
    reopen = client_for("kasubag").post(
        reverse("monev:section_data_reopen", args=[report.pk, kesos.pk]),
        {"reason": "ubah"},
        follow=True,
    )

    assert "sudah diarsipkan" in analysis.content.decode()
    assert "tidak dapat dibuka kembali" in reopen.content.decode()
    assert not SectionAnalysis.objects.exists()
    assert ArchivedFile.objects.filter(report=report).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_year_zip_holds_every_archived_report(
    sutera, users, demo_indicators, media, monkeypatch
):
    first = archived(sutera, users)
    second = filled(make_report(sutera, year=2026, quarter=1, step=13))
    services.report_complete_step(report_id=second.pk, actor=users["kasubag"], from_step=13)

    # Tests run tasks at once: the job has finished when the request returns.
    export, _created = year_export_start(office=sutera, year=2026, actor=users["admin"])
    export = YearExport.objects.get(pk=export.pk)
    assert export.status == "done", export.error

    with default_storage.open(export.file.name, "rb") as handle:
        names = zipfile.ZipFile(handle).namelist()
    for report in (first, second):
        for record in ArchivedFile.objects.filter(report=report):
            assert f"TW{report.quarter}/{record.filename}" in names
    assert export.done == export.total == 4


@pytest.mark.parametrize(
    "who,status", [("admin", 200), ("camat", 200), ("kasubag", 200), ("kasi_pmn", 403)]
)
def test_the_archive_page_is_for_the_leaders_and_admin(sutera, users, client_for, who, status):
    assert client_for(who).get(reverse("monev:archive_list")).status_code == status


def test_the_office_table_sorts_by_capaian(sutera, users, demo_indicators, client_for):
    report = at_step(sutera, 3)
    Realisation.objects.filter(report=report, indicator__code="KES-01").update(value=Decimal(1))
    url = reverse("monev:report_analysis", args=[report.pk])

    page = client_for("kasubag").get(url, {"sort": "capaian"})

    kesos = next(s for s in page.context["figures"].sections if s.name == "Kesejahteraan Sosial")
    assert kesos.indicators[0].code == "KES-01"
    percents = [i.achievement.percent for i in kesos.indicators]
    assert percents == sorted(percents)


def test_the_archive_filters_by_year_and_triwulan_and_sorts(sutera, users, client_for):
    for year, quarter in ((2024, 1), (2024, 2), (2025, 1)):
        make_report(sutera, year=year, quarter=quarter, step=13, archived=True)
    client = client_for("admin")
    url = reverse("monev:archive_list")

    only_2024 = client.get(url, {"year": 2024}).context["years"]
    first_quarters = client.get(url, {"quarter": 1}).context["years"]
    oldest_first = client.get(url, {"year": 2024, "sort": "laporan"}).context["years"]

    assert [year for year, reports, export in only_2024] == [2024]
    assert [(y, [r.quarter for r in reports]) for y, reports, e in first_quarters] == [
        (2025, [1]),
        (2024, [1]),
    ]
    assert [r.quarter for r in oldest_first[0][1]] == [1, 2]
