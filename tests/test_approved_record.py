"""What the Camat approves is frozen: each draft version stores a snapshot of everything its
document shows, the decisions at 11 and 12 name that version, and approved or archived quarters
are read from the snapshot whatever is edited later."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from monev import clock, services
from monev.exports.pdf import html_to_pdf
from monev.frozen import from_plain, to_plain
from monev.models import (
    ArchivedFile,
    DraftVersion,
    Indicator,
    IndicatorTarget,
    Notification,
    Office,
    Report,
    SectionAnalysis,
    StepLog,
)
from monev.selectors.dashboard import dashboard_for
from monev.selectors.office_data import QuarterFigures
from monev.selectors.snapshots import (
    decision_binding,
    live_content,
    report_content,
    version_content,
)
from monev.services.archive import final_documents
from monev.services.documents import analysis_revisions, analysis_save, draft_generate
from monev.workflow import WorkflowError
from monev.worktime import JAKARTA

from .conftest import section_url
from .test_documents import at_step

DAY = datetime.datetime(2026, 8, 3, 9, 0, tzinfo=JAKARTA)


def at(hour: int) -> datetime.datetime:
    return DAY.replace(hour=hour)


def drafted(sutera, users) -> Report:
    """Triwulan II 2026 at step 10 with analysis written and a draft version made."""
    report = at_step(sutera, 10)
    sections = {s.code: s.pk for s in sutera.sections.all()}
    with clock.frozen_at(at(8)):
        analysis_save(
            report_id=report.pk,
            actor=users["kasubag"],
            texts={sections["kesos"]: "Capaian Kesos sesuai target.", sections["pmn"]: "PMN baik."},
        )
        draft_generate(report_id=report.pk, actor=users["kasubag"], from_step=10)
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=10)
    return Report.objects.get(pk=report.pk)


def decide(report, user, step, hour, **binding):
    with clock.frozen_at(at(hour)):
        return services.report_complete_step(
            report_id=report.pk,
            actor=user,
            from_step=step,
            **(binding or decision_binding(report)),
        )


def approved(sutera, users) -> Report:
    report = drafted(sutera, users)
    decide(report, users["sekretaris"], 11, 9)
    decide(report, users["camat"], 12, 10)
    return Report.objects.get(pk=report.pk)


def archived(sutera, users) -> Report:
    report = approved(sutera, users)
    decide(report, users["kasubag"], 13, 11)
    return Report.objects.get(pk=report.pk)


def stored(record: ArchivedFile) -> bytes:
    with default_storage.open(record.file.name, "rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def main_of(response) -> str:
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def sheet_of(response) -> str:
    """A section sheet's title and tables (its context line names the office as it is now)."""
    main = main_of(response)
    return main[main.index("<h1") : main.index("</h1>")] + main[main.index("<table") :]


def quarter_cells(board, quarter: int):
    """Every figure the Dasbor shows for one triwulan (names left out: they are live)."""
    i = quarter - 1
    return (
        [(r.code, r.cells[i]) for r in board.indicators],
        [(s.section_id, s.cells[i], s.progress.cells[i]) for s in board.sections],
        [(a.code, a.progress.cells[i]) for a in board.activities],
        board.trend[i],
        board.progress.cells[i],
    )


def test_a_snapshot_rebuilds_the_same_figures(sutera, users, demo_indicators, camat_nip):
    report = at_step(sutera, 10)
    figures = live_content(report).figures

    rebuilt = from_plain(QuarterFigures, to_plain(figures))

    assert rebuilt == figures
    assert rebuilt.indicators[0].achievement.percent == figures.indicators[0].achievement.percent
    assert isinstance(rebuilt.indicators[0].quarter_targets, tuple)


def test_a_draft_version_freezes_its_content_with_a_hash(sutera, users, demo_indicators):
    report = drafted(sutera, users)
    version = report.versions.get()

    content = version_content(version)

    assert version.snapshot_sha256 == content.sha256 == live_content(report).sha256
    assert content.figures == live_content(report).figures
    assert "Capaian Kesos sesuai target." in content.analysis.values()


@pytest.mark.django_db(transaction=True)
def test_edits_after_archiving_change_open_quarters_only(
    sutera, users, demo_indicators, media, camat_nip, client_for
):
    report = archived(sutera, users)
    open_quarter = at_step(sutera, 3, quarter=3)
    files = {f.kind: f for f in ArchivedFile.objects.filter(report=report)}
    pdf_before, xlsx_before = stored(files["pdf"]), stored(files["xlsx"])
    analysis_url = reverse("monev:report_analysis", args=[report.pk])
    page_before = main_of(client_for("sekretaris").get(analysis_url))
    sheet_before = sheet_of(client_for("kasi_kesos").get(section_url(report, "kesos")))
    board_before = quarter_cells(dashboard_for(sutera, 2026), 2)
    text_before = pdf_text(final_documents(report)["pdf"][1])

    kes = Indicator.objects.get(code="KES-01")
    target = IndicatorTarget.objects.get(indicator=kes, year=2026)
    old_target = target.q2
    IndicatorTarget.objects.filter(pk=target.pk).update(q2=Decimal(10), q3=Decimal(11))
    Indicator.objects.filter(pk=kes.pk).update(name="Indikator Yang Diganti Namanya")
    old_section = kes.section.name
    kes.section.name = "Seksi Berganti Nama"
    kes.section.save()
    users["camat"].first_name, users["camat"].last_name = "Camat", "Pengganti"
    users["camat"].save()
    Office.objects.filter(pk=sutera.pk).update(name="Kecamatan Baru")

    assert stored(files["pdf"]) == pdf_before and stored(files["xlsx"]) == xlsx_before
    # Rendering the final documents again gives the approved text, not the new rows.
    again = final_documents(Report.objects.get(pk=report.pk))
    assert pdf_text(again["pdf"][1]) == text_before
    workbook = openpyxl.load_workbook(io.BytesIO(again["xlsx"][1]))
    cells = " ".join(str(c.value) for row in workbook.worksheets[0].iter_rows() for c in row)
    assert "Indikator Yang Diganti Namanya" not in cells and "Pengganti" not in cells
    page_after = main_of(client_for("sekretaris").get(analysis_url))
    assert page_after == page_before
    assert old_section in page_after and "Seksi Berganti Nama" not in page_after
    sheet_after = sheet_of(client_for("kasi_kesos").get(section_url(report, "kesos")))
    assert sheet_after == sheet_before and old_section in sheet_after
    assert quarter_cells(dashboard_for(sutera, 2026), 2) == board_before
    kes_row = next(r for r in dashboard_for(sutera, 2026).indicators if r.code == "KES-01")
    assert kes_row.targets[1] == old_target and kes_row.targets[2] == Decimal(11)

    live = live_content(Report.objects.get(pk=open_quarter.pk)).figures
    assert live.office_name == "Kecamatan Baru" and live.signer.name == "Camat Pengganti"
    open_page = client_for("sekretaris").get(
        reverse("monev:report_analysis", args=[open_quarter.pk])
    )
    assert "Indikator Yang Diganti Namanya" in open_page.content.decode()
    assert "Seksi Berganti Nama" in open_page.content.decode()
    open_sheet = client_for("kasi_kesos").get(section_url(open_quarter, "kesos")).content.decode()
    assert "Indikator Yang Diganti Namanya" in open_sheet


def test_after_the_approval_the_analysis_is_read_only(sutera, users, demo_indicators, client_for):
    report = approved(sutera, users)
    kesos = sutera.sections.get(code="kesos")

    with pytest.raises(WorkflowError, match="sudah disetujui"):
        analysis_save(report_id=report.pk, actor=users["kasubag"], texts={kesos.pk: "baru"})
    response = client_for("kasubag").post(
        reverse("monev:report_analysis", args=[report.pk]),
        {f"analysis-{kesos.pk}": "baru", f"revision-{kesos.pk}": "1"},
        follow=True,
    )

    assert "sudah disetujui" in response.content.decode()
    assert SectionAnalysis.objects.get(report=report, section=kesos).text == (
        "Capaian Kesos sesuai target."
    )
    assert f'name="analysis-{kesos.pk}"' not in response.content.decode()
    state = dashboard_for(sutera, 2026).quarters[1]
    assert state.approved and not state.archived and not state.provisional


def test_a_decision_on_a_version_that_is_not_the_newest_is_refused(sutera, users, demo_indicators):
    report = drafted(sutera, users)
    first = decision_binding(report)
    with clock.frozen_at(at(11)):
        services.report_return(
            report_id=report.pk, actor=users["sekretaris"], from_step=11, note="Perbaiki."
        )
    kesos = sutera.sections.get(code="kesos")
    with clock.frozen_at(at(12)):
        analysis_save(
            report_id=report.pk,
            actor=users["kasubag"],
            texts={kesos.pk: "Diperbaiki."},
            revisions=analysis_revisions(report),
        )
        draft_generate(report_id=report.pk, actor=users["kasubag"], from_step=10)
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=10)
    logs = StepLog.objects.count()

    with pytest.raises(WorkflowError, match="Sudah ada draf versi 2"):
        decide(report, users["sekretaris"], 11, 13, **first)
    with pytest.raises(WorkflowError, match="tidak sama"):
        decide(report, users["sekretaris"], 11, 13, version=2, content_hash=first["content_hash"])
    with pytest.raises(WorkflowError, match="menyebut versi"):
        decide(report, users["sekretaris"], 11, 13, version=None, content_hash="")
    with pytest.raises(WorkflowError, match="tidak sama"):
        decide(report, users["sekretaris"], 11, 13, version=2, content_hash="")

    assert Report.objects.get(pk=report.pk).current_step == 11
    assert StepLog.objects.count() == logs


def test_approving_after_the_data_changed_is_refused(sutera, users, demo_indicators, client_for):
    report = drafted(sutera, users)
    decide(report, users["sekretaris"], 11, 9)
    kes = Indicator.objects.get(code="KES-01")
    IndicatorTarget.objects.filter(indicator=kes, year=2026).update(q2=Decimal(10))
    camat = client_for("camat")
    page = camat.get(report.get_absolute_url()).content.decode()
    binding = decision_binding(report)
    assert f'value="{binding["content_hash"]}"' in page  # the form names what is decided

    response = camat.post(
        reverse("monev:report_complete", args=[report.pk]),
        {"from_step": 12, **binding},
        follow=True,
    )

    assert "berubah setelah draf versi 1 dibuat" in response.content.decode()
    assert Report.objects.get(pk=report.pk).current_step == 12


@pytest.mark.django_db(transaction=True)
def test_the_archived_pdf_is_the_approved_draft_without_its_watermark(
    sutera, users, demo_indicators, media, camat_nip
):
    report = archived(sutera, users)
    version = report.versions.get()
    # Rows edited after the draft was made (before step 13) do not reach the archive either.
    archived_pdf = stored(ArchivedFile.objects.get(report=report, kind="pdf"))

    draft_lines = pdf_text(html_to_pdf(version.html))
    final_lines = pdf_text(archived_pdf)

    def without_draft_marks(lines):
        return [line for line in lines if line != "DRAF" and not line.startswith("Draf versi")]

    assert "DRAF" in draft_lines and "DRAF" not in final_lines
    assert without_draft_marks(draft_lines) == without_draft_marks(final_lines)
    assert any("Capaian Kesos sesuai target." in line for line in final_lines)


def test_a_stale_analysis_page_cannot_overwrite_a_newer_save(
    sutera, users, demo_indicators, client_for
):
    report = at_step(sutera, 7)
    kesos, pmn = sutera.sections.get(code="kesos"), sutera.sections.get(code="pmn")
    url = reverse("monev:report_analysis", args=[report.pk])
    first_tab = client_for("kasubag").get(url).content.decode()
    assert f'name="revision-{kesos.pk}" value="0"' in first_tab
    users["kasubag"].first_name = "Rina"
    users["kasubag"].save()
    with clock.frozen_at(at(14)):
        analysis_save(
            report_id=report.pk,
            actor=users["kasubag"],
            texts={kesos.pk: "Tab kedua."},
            revisions=analysis_revisions(report),
        )

    response = client_for("kasubag").post(
        url, {f"analysis-{kesos.pk}": "Tab pertama.", f"revision-{kesos.pk}": "0"}, follow=True
    )

    page = response.content.decode()
    assert "telah diubah oleh Rina pada 3 Agustus 2026 14:00" in page
    assert SectionAnalysis.objects.get(report=report, section=kesos).text == "Tab kedua."
    assert not SectionAnalysis.objects.filter(report=report, section=pmn).exists()


def test_a_post_without_a_section_leaves_that_section_alone(
    sutera, users, demo_indicators, client_for
):
    report = at_step(sutera, 7)
    kesos, pmn = sutera.sections.get(code="kesos"), sutera.sections.get(code="pmn")
    analysis_save(
        report_id=report.pk, actor=users["kasubag"], texts={kesos.pk: "Kesos.", pmn.pk: "PMN."}
    )
    revisions = analysis_revisions(report)

    client_for("kasubag").post(
        reverse("monev:report_analysis", args=[report.pk]),
        {f"analysis-{pmn.pk}": "PMN diperbarui.", f"revision-{pmn.pk}": revisions[pmn.pk]},
    )

    texts = dict(SectionAnalysis.objects.filter(report=report).values_list("section", "text"))
    assert texts == {kesos.pk: "Kesos.", pmn.pk: "PMN diperbarui."}


def test_a_return_is_notified_as_a_return_with_its_note(
    sutera, users, demo_indicators, django_capture_on_commit_callbacks
):
    report = drafted(sutera, users)
    decide(report, users["sekretaris"], 11, 9)
    users["kasubag"].email = "kasubag@sutera.go.id"
    users["kasubag"].save()
    users["camat"].first_name, users["camat"].last_name = "Hendri", "Yusman"
    users["camat"].save()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(
            report_id=report.pk,
            actor=users["camat"],
            from_step=12,
            note="Analisis capaian IKM perlu diperjelas.",
        )

    notice = Notification.objects.get(user=users["kasubag"], step_number=10)
    assert notice.message.startswith(
        "Laporan Triwulan II 2026 dikembalikan dari langkah 12 ke langkah 10"
    )
    assert "oleh Hendri Yusman" in notice.message
    assert "Catatan: Analisis capaian IKM perlu diperjelas." in notice.message
    (sent,) = mail.outbox
    assert "dikembalikan dari langkah 12" in sent.body and "perlu diperjelas" in sent.body


def test_a_draft_version_is_never_saved_again(sutera, users, demo_indicators):
    version = drafted(sutera, users).versions.get()
    version.snapshot = version.snapshot.replace("Capaian Kesos", "Diubah")

    with pytest.raises(ValueError, match="frozen"):
        version.save()

    assert "Capaian Kesos" in version.__class__.objects.get(pk=version.pk).snapshot


def test_a_version_from_before_snapshots_cannot_be_approved(sutera, users, demo_indicators):
    report = at_step(sutera, 11)
    DraftVersion.objects.create(
        report=report,
        number=1,
        step_number=10,
        html="<p>draf lama</p>",
        created_by=users["kasubag"],
        created_at=at(8),
    )

    with pytest.raises(WorkflowError, match="Kembalikan ke langkah perbaikan"):
        decide(report, users["sekretaris"], 11, 9)

    assert Report.objects.get(pk=report.pk).current_step == 11
    # Its pages keep showing the rows, as they did before snapshots existed.
    assert report_content(report).figures == live_content(report).figures
