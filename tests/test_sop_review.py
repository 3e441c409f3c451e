"""PermenPAN-RB 35/2012 monitoring and evaluation of the SOP, from a year of step logs with
known working-time durations (a return from step 11 and one from step 12, section data reopened,
the 17-18 August 2025 holidays inside a step), read back as proposals, pages, PDF and XLSX."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from monev import clock
from monev.models import LogAction, Office, Role, Sop, SopMonitoring, StepLog
from monev.selectors import office_calendar, sop_review
from monev.services import sop_review as review_services
from monev.services.step_log import step_log
from monev.workflow import WorkflowError
from monev.worktime import JAKARTA

from .conftest import make_report

HOUR = 3600
DAY = 30_600  # 07:30-16:00, the fixture office keeps the default hours
ACTOR = {
    Role.SEKRETARIS: "sekretaris",
    Role.CAMAT: "camat",
    Role.KASUBAG_PKP: "kasubag",
    Role.KEPALA_SEKSI: "kasi_pemerintahan",
}

# Working seconds of each step's completions, per report (one report per cycle month).
# Standards: 1=15 menit, 2=2 hari, 3=7 hari, 4=2 hari, 5=7 hari, 6=3 jam, 7=1 hari, 8=2 hari,
# 9=1 minggu, 10=3 hari, 11=1 hari, 12 and 13 none.
REGULAR = {
    2: 1.6 * DAY,
    4: 1.6 * DAY,
    5: 5 * DAY,
    7: 0.8 * DAY,
    8: 1.6 * DAY,
    9: 4 * DAY,
    10: 2.4 * DAY,
    11: 0.8 * DAY,
    12: 0.5 * DAY,
    13: HOUR,
}
STEP_1 = {2: 1 * HOUR, 5: 1 * HOUR, 8: 2 * HOUR, 11: HOUR // 2}  # always over 15 menit
STEP_3 = DAY  # always far under 7 hari
STEP_6 = {2: 2 * HOUR, 5: 2 * HOUR, 8: 2 * HOUR, 11: 4 * HOUR}  # one late in the 2nd half
START = {2: (2025, 2, 3), 5: (2025, 5, 5), 8: (2025, 7, 21), 11: (2025, 11, 3)}


def _history(office, users):
    """Four cycles in 2025 (from February, May, July and November) with every step logged."""
    calendar = office_calendar(office)
    sop = Sop.objects.get(office=office)
    steps = {step.number: step for step in sop.steps.all()}
    for quarter, month in enumerate(START, start=1):
        report = make_report(office, year=2025, quarter=quarter, step=13, archived=True)
        moment = datetime.datetime(*START[month], 8, 0, tzinfo=JAKARTA)

        def log(number, seconds, action=LogAction.COMPLETE, report=report):
            nonlocal moment
            step = steps[number]
            end = calendar.add_working_seconds(moment, int(seconds))
            entry = step_log(
                step,
                action=action,
                actor=users[ACTOR[step.role]],
                calendar=calendar,
                started_at=moment,
                finished_at=end,
            )
            entry.report = report
            entry.save()
            moment = end
            return entry

        log(1, STEP_1[month])
        log(2, REGULAR[2])
        if month == 2:  # section data of step 2 reopened once, of step 5 twice
            _reopen(report, steps[2], users, moment)
        log(3, STEP_3)
        log(4, REGULAR[4])
        log(5, REGULAR[5])
        if month == 2:
            _reopen(report, steps[5], users, moment)
            _reopen(report, steps[5], users, moment)
        log(6, STEP_6[month])
        log(7, REGULAR[7])
        log(8, REGULAR[8])
        if month == 8:
            # Step 9 starts on Friday 15 August: Sunday 17 and Monday 18 are holidays.
            moment = datetime.datetime(2025, 8, 15, 8, 0, tzinfo=JAKARTA)
        nine = log(9, REGULAR[9])
        if month == 8:
            assert nine.wall_seconds > 6 * 24 * HOUR and nine.working_seconds == 4 * DAY
        log(10, REGULAR[10])
        if month == 8:
            log(11, 0.5 * DAY, LogAction.RETURN)
            log(10, REGULAR[10])
        log(11, REGULAR[11])
        if month == 11:
            log(12, 0.5 * DAY, LogAction.RETURN)
            log(10, REGULAR[10])
            log(11, REGULAR[11])
        log(12, REGULAR[12])
        log(13, REGULAR[13])


def _reopen(report, step, users, moment):
    entry = step_log(
        step,
        action=LogAction.REOPEN,
        actor=users["kasubag"],
        started_at=moment,
        finished_at=moment,
        note="Data belum lengkap",
        role=Role.KASUBAG_PKP,
        report=report,
    )
    entry.save()


@pytest.fixture
def history(sutera, users):
    _history(sutera, users)
    return Office.objects.get(pk=sutera.pk)


def _page(office, half):
    return sop_review.monitoring_page(office, 2025, half)


def test_each_step_gets_the_penilaian_its_evidence_proposes(history):
    first = {line.evidence.number: line for line in _page(history, 1).lines}
    second = {line.evidence.number: line for line in _page(history, 2).lines}
    assert sorted(first) == sorted(second) == list(range(1, 14))

    # Step 1 ran 1-2 hours against 15 minutes: late every time.
    assert first[1].evidence.durations.on_time_share == 0
    assert first[1].is_ok is False and second[1].is_ok is False
    # Step 3: one day against seven, always on time.
    assert first[3].is_ok is True and second[3].is_ok is True
    # Step 5's section data was reopened twice in the first half.
    assert first[5].evidence.reopenings == 2 and first[5].is_ok is False
    assert first[2].evidence.reopenings == 1 and first[2].is_ok is True
    assert second[5].is_ok is True
    # Step 6 was late once of two in the second half (4 h against 3 h).
    assert (second[6].evidence.durations.on_time, second[6].evidence.durations.rated) == (1, 2)
    assert first[6].is_ok is True and second[6].is_ok is False
    # Step 10 was sent back twice in the second half (by step 11 and by step 12).
    assert second[10].evidence.returns == 2 and second[10].is_ok is False
    assert first[10].evidence.returns == 0 and first[10].is_ok is True
    assert second[10].evidence.durations.count == 4  # every pass is a sample
    # Steps without a standard time are judged on repeats only.
    assert second[12].evidence.standard_seconds is None and second[12].is_ok is True
    expected_bad = {1: {1, 5}, 2: {1, 6, 10}}
    for half, lines in ((1, first), (2, second)):
        assert {n for n, line in lines.items() if line.is_ok is False} == expected_bad[half]
    # The numbers behind the proposal are written into the catatan.
    assert "0% selesai dalam waktu baku" in first[1].note
    assert "2 kali dikembalikan/dibuka kembali" in second[10].note


def test_standard_time_proposals_come_from_the_measured_distribution(history):
    sop = Sop.objects.get(office=history)
    evidence = sop_review.year_evidence(history, sop, 2025)
    proposals = {
        p.number: p for p in sop_review.standard_proposals(evidence, sop, office_calendar(history))
    }
    assert set(proposals) == {1, 3}
    # Step 1: samples 30, 60, 60 and 120 minutes; 80th percentile 84 minutes.
    assert proposals[1].direction == "over"
    assert (proposals[1].amount, proposals[1].unit) == (84, "menit")
    assert proposals[1].percentile_seconds == 84 * 60
    # Step 3: four times one working day against seven: 1 hari.
    assert proposals[3].direction == "under" and proposals[3].share == 1
    assert (proposals[3].amount, proposals[3].unit) == (1, "hari")


def test_the_revision_draft_carries_the_proposals(history, users):
    original = Sop.objects.get(office=history)
    with pytest.raises(WorkflowError, match="Simpan evaluasi"):
        review_services.propose_revision(office=history, year=2025, actor=users["sekretaris"])
    review_services.save_evaluation(
        office=history, year=2025, actor=users["sekretaris"], answers={}, conclusion="", sign=False
    )
    draft = review_services.propose_revision(office=history, year=2025, actor=users["sekretaris"])

    assert draft.revision == original.revision + 1 and draft.is_active is False
    assert draft.reviewer_role == original.reviewer_role
    new = {s.number: (s.standard_amount, s.standard_unit, s.name) for s in draft.steps.all()}
    old = {s.number: (s.standard_amount, s.standard_unit, s.name) for s in original.steps.all()}
    assert new[1][:2] == (84, "menit") and new[3][:2] == (1, "hari")
    assert {n: v for n, v in new.items() if n not in (1, 3)} == {
        n: v for n, v in old.items() if n not in (1, 3)
    }
    original.refresh_from_db()
    assert original.is_active and original.steps.get(number=3).standard_amount == 7
    assert sop_review.current_sop(history).pk == original.pk  # the draft is not in force
    with pytest.raises(WorkflowError, match="sudah dibuat"):
        review_services.propose_revision(office=history, year=2025, actor=users["sekretaris"])


def test_only_the_penilai_of_the_sop_fills_and_signs(history, users, client_for):
    url = reverse("monev:sop_monitoring", args=[2025, 2])
    assert client_for("kasubag").get(url).status_code == 200
    assert client_for("kasubag").post(url, {"ok-1": "1"}).status_code == 403
    assert client_for("kasi_pemerintahan").get(url).status_code == 403
    # The penilai is data: hand it to the Kasubag PKP and the Sekretaris may only look.
    Sop.objects.filter(office=history).update(reviewer_role=Role.KASUBAG_PKP)
    assert client_for("sekretaris").post(url, {"ok-1": "1"}).status_code == 403
    assert client_for("kasubag").post(url, {"ok-1": "1", "save": ""}).status_code == 302


def _form(page, **overrides):
    data = {}
    for line in page.lines:
        n = line.evidence.number
        data[f"ok-{n}"] = "1" if line.is_ok else "0"
        data[f"note-{n}"] = line.note
        data[f"action-{n}"] = line.action
    data.update(overrides)
    return data


def test_override_sign_off_and_freeze(history, users, client_for):
    client = client_for("sekretaris")
    url = reverse("monev:sop_monitoring", args=[2025, 2])
    page = _page(history, 2)
    data = _form(page, **{"ok-3": "0", "note-3": "Waktu baku terlalu longgar", "sign": ""})
    data.pop("ok-13")
    response = client.post(url, data)
    assert response.status_code == 200  # a row left open: nothing signed, nothing lost
    assert "Tentukan penilaian setiap langkah" in response.content.decode()
    assert "Waktu baku terlalu longgar" in response.content.decode()
    assert not SopMonitoring.objects.filter(signed_at__isnull=False).exists()

    data["ok-13"] = "1"
    with clock.frozen_at(datetime.datetime(2025, 12, 31, 15, 0, tzinfo=JAKARTA)):
        early = client.post(url, data)
    assert "belum berakhir" in early.content.decode() and early.status_code == 200
    signed_at = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=JAKARTA)
    with clock.frozen_at(signed_at):
        assert client.post(url, data).status_code == 302
    monitoring = SopMonitoring.objects.get(office=history, year=2025, half=2)
    assert monitoring.signed_at == signed_at and monitoring.signed_by == users["sekretaris"]
    row = monitoring.rows.get(step_number=3)
    assert (row.proposed_ok, row.is_ok, row.note) == (True, False, "Waktu baku terlalu longgar")

    # A later log in the half-year does not change the signed monitoring.
    report = history.reports.get(quarter=4)
    StepLog.objects.create(
        report=report,
        step_number=3,
        step_name="x",
        role=Role.KASUBAG_PKP,
        action=LogAction.COMPLETE,
        actor=users["kasubag"],
        started_at=datetime.datetime(2025, 12, 1, 8, tzinfo=JAKARTA),
        finished_at=datetime.datetime(2025, 12, 31, 8, tzinfo=JAKARTA),
        working_seconds=20 * DAY,
        on_time=False,
    )
    frozen = {line.evidence.number: line for line in _page(history, 2).lines}
    assert frozen[3].evidence.durations.count == 2 and frozen[3].is_ok is False
    assert client.post(url, data).status_code == 403
    with pytest.raises(WorkflowError, match="sudah diparaf"):
        review_services.save_monitoring(
            office=history, year=2025, half=2, actor=users["sekretaris"], decisions={}, sign=False
        )
    page = client.get(url).content.decode()
    assert "Diparaf" in page and "diubah penilai" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_has_one_row_per_step_in_the_regulation_layout(history, client_for):
    response = client_for("sekretaris").get(reverse("monev:sop_monitoring_pdf", args=[2025, 2]))
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    for column in (
        "No",
        "Prosedur",
        "Penilaian terhadap penerapan",
        "Berjalan dengan baik",
        "Tidak berjalan dengan baik",
        "Catatan hasil penilaian",
        "Tindakan yang harus diambil",
        "Paraf penilai",
    ):
        assert column in flat
    sop = Sop.objects.get(office=history)
    for step in sop.steps.all():
        assert step.name[:30] in flat
    # One row per step: each step's evidence line appears once.
    assert flat.count("penyelesaian ·") == 13


def test_the_workbook_prints_the_same_table(history, client_for):
    Office.objects.filter(pk=history.pk).update(paper_size="F4")
    response = client_for("camat").get(reverse("monev:sop_monitoring_xlsx", args=[2025, 1]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(6, 3).value == "Penilaian terhadap penerapan"
    assert sheet.cell(7, 4).value == "Tidak berjalan dengan baik"
    numbers = [sheet.cell(row, 1).value for row in range(8, 8 + 13)]
    assert numbers == list(range(1, 14))
    assert sheet.cell(8, 4).value == "✓"  # step 1: tidak berjalan dengan baik
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$6:$7"
    # The print setup every workbook shares: the office's paper, page numbers in the footer.
    assert sheet.page_setup.paperSize == 14 and "&P" in sheet.oddFooter.center.text


def test_evaluation_answers_with_the_evidence(history, users, client_for):
    client = client_for("sekretaris")
    url = reverse("monev:sop_evaluation", args=[2025])
    page = client.get(url).content.decode()
    assert "Apakah SOP mudah dipahami?" in page and "84 menit" in page
    data = {f"ok-{key}": "1" for key, _q in sop_review.QUESTIONS}
    data["ok-fits"] = "0"
    data["note-fits"] = "Belum dikaitkan dengan SOP pengelolaan arsip"
    assert client.post(url, {**data, "sign": ""}).status_code == 302
    assert client.post(url, data).status_code == 403  # signed: frozen
    response = client.post(reverse("monev:sop_evaluation_revision", args=[2025]))
    assert response.status_code == 302
    assert Sop.objects.filter(office=history, is_active=False, revision=1).exists()
    assert "Draf revisi 1 sudah dibuat" in client.get(url).content.decode()
    assert client_for("kasubag").post(url, data).status_code == 403


def test_waktu_sop_explains_a_figure_with_its_reports_and_logs(history, client_for):
    client = client_for("kasubag")
    timing = client.get(reverse("monev:sop_timing"), {"year": 2025}).content.decode()
    link = reverse("monev:sop_timing_step", args=[10]) + "?year=2025"
    assert link in timing.replace("&amp;", "&")
    response = client.get(reverse("monev:sop_timing_step", args=[10]), {"year": 2025})
    sources = response.context["sources"]
    # Six samples: once per cycle, twice more after the returns of August and November.
    assert [log.action for log in sources.logs].count(LogAction.COMPLETE) == 6
    assert response.context["row"].durations.count == len(sources.logs) == 6
    page = response.content.decode()
    for report in history.reports.all():
        assert reverse("monev:report_detail", args=[report.pk]) in page
    assert page.count("<td>2 hari 3 jam</td>") == 6  # 2.4 days of 8.5 h, as logged
    one_quarter = client.get(
        reverse("monev:sop_timing_step", args=[10]), {"year": 2025, "quarter": 3}
    )
    assert len(one_quarter.context["sources"].logs) == 2


def _signed_evaluation(history, client):
    url = reverse("monev:sop_evaluation", args=[2025])
    data = {f"ok-{key}": "1" for key, _q in sop_review.QUESTIONS}
    data["ok-fits"] = "0"
    data["note-fits"] = "=Belum dikaitkan dengan SOP arsip"  # typed text, never a formula
    data["conclusion"] = "SOP berjalan; waktu baku langkah 3 terlalu longgar."
    with clock.frozen_at(datetime.datetime(2025, 12, 31, 16, 0, tzinfo=JAKARTA)):
        early = client.post(url, {**data, "sign": ""})
    assert early.status_code == 200 and "evaluasi dapat diparaf mulai 1 Januari 2026" in (
        early.content.decode()
    )
    with clock.frozen_at(datetime.datetime(2026, 1, 12, 10, 0, tzinfo=JAKARTA)):
        assert client.post(url, {**data, "sign": ""}).status_code == 302


def test_the_signed_evaluation_is_frozen_with_its_evidence(history, users, client_for):
    client = client_for("sekretaris")
    before = sop_review.evaluation_page(history, 2025)
    _signed_evaluation(history, client)
    # A late log of 2025 arrives after the sign-off: the signed evaluation does not move.
    StepLog.objects.create(
        report=history.reports.get(quarter=4),
        step_number=3,
        step_key=Sop.objects.get(office=history).steps.get(number=3).key,
        step_name="x",
        role=Role.KASUBAG_PKP,
        action=LogAction.COMPLETE,
        actor=users["kasubag"],
        started_at=datetime.datetime(2025, 12, 1, 8, tzinfo=JAKARTA),
        finished_at=datetime.datetime(2025, 12, 30, 8, tzinfo=JAKARTA),
        working_seconds=20 * DAY,
        on_time=False,
    )
    live = sop_review.year_evidence(history, Sop.objects.get(office=history), 2025)
    assert [e.durations.count for e in live if e.number == 3] == [5]
    frozen = sop_review.evaluation_page(history, 2025)
    assert frozen.signed
    assert [(e.number, e.durations, e.seconds) for e in frozen.evidence] == [
        (e.number, e.durations, e.seconds) for e in before.evidence
    ]
    assert [p.label for p in frozen.proposals] == [p.label for p in before.proposals]
    # The revision draft is made from what was signed.
    assert client.post(reverse("monev:sop_evaluation_revision", args=[2025])).status_code == 302
    draft = Sop.objects.get(office=history, is_active=False)
    signed = next(p for p in before.proposals if p.number == 3)
    calendar = office_calendar(history)
    today = next(p for p in sop_review.standard_proposals(live, draft, calendar) if p.number == 3)
    assert (signed.amount, signed.unit) == (1, "hari") and today.amount > 1
    step = draft.steps.get(number=3)
    assert (step.standard_amount, step.standard_unit) == (signed.amount, signed.unit)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_evaluation_prints_with_its_monitoring_evidence(history, users, client_for):
    client = client_for("sekretaris")
    _signed_evaluation(history, client)
    response = client.get(reverse("monev:sop_evaluation_pdf", args=[2025]))
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "EVALUASI SOP ADMINISTRASI PEMERINTAHAN" in flat
    for _key, question in sop_review.QUESTIONS:
        assert str(question) in flat
    assert "=Belum dikaitkan dengan SOP arsip" in flat
    assert "waktu baku langkah 3 terlalu longgar" in flat
    assert "Semester I (Januari–Juni) 2025" in flat and "Semester II (Juli–Desember) 2025" in flat
    assert "Usulan waktu baku baru" in flat
    assert "Bukti dibekukan saat diparaf, 12 Januari 2026 10:00 WIB" in flat

    workbook = client_for("camat").get(reverse("monev:sop_evaluation_xlsx", args=[2025]))
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    cells = {c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    for _key, question in sop_review.QUESTIONS:
        assert str(question) in cells
    note = next(
        c
        for row in sheet.iter_rows()
        for c in row
        if c.value == "=Belum dikaitkan dengan SOP arsip"
    )
    assert note.data_type == "s"  # text as typed, not a formula
    names = [s.name for s in Sop.objects.get(office=history).steps.order_by("number")]
    column_b = [c.value for c in sheet["B"]]
    first = column_b.index(names[0])
    assert column_b[first : first + 13] == names  # the year's step times, one row per step
    assert sheet.page_setup.orientation == "landscape" and "&P" in sheet.oddFooter.center.text


TTE_PASSPHRASE = "rahasia-sekretaris-2026"


def _sekretaris_certificate(office, users):
    from monev.models import Staff
    from monev.signing.local import create_authority, issue_certificate

    Staff.objects.filter(user=users["sekretaris"]).update(
        nip="197805122003121002", job_title="Sekretaris Camat"
    )
    with clock.frozen_at(datetime.datetime(2025, 1, 6, 8, 0, tzinfo=JAKARTA)):
        create_authority(office=office, passphrase="rahasia-ca-kantor")
        issue_certificate(
            staff=Staff.objects.select_related("user", "office").get(user=users["sekretaris"]),
            ca_passphrase="rahasia-ca-kantor",
            passphrase=TTE_PASSPHRASE,
        )


def test_the_penilai_signs_the_monitoring_electronically(history, users, client_for):
    from monev.signing import backend

    _sekretaris_certificate(history, users)
    client = client_for("sekretaris")
    url = reverse("monev:sop_monitoring", args=[2025, 2])
    data = _form(_page(history, 2), **{"note-3": "Waktu baku terlalu longgar", "sign": ""})
    signed_at = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=JAKARTA)
    with clock.frozen_at(signed_at):
        wrong = client.post(url, {**data, "passphrase": "salah-sekali"})
    assert wrong.status_code == 200 and "Waktu baku terlalu longgar" in wrong.content.decode()
    assert not SopMonitoring.objects.filter(signed_at__isnull=False).exists()
    with clock.frozen_at(signed_at):
        assert client.post(url, {**data, "passphrase": TTE_PASSPHRASE}).status_code == 302
    monitoring = SopMonitoring.objects.get(office=history, year=2025, half=2)
    assert monitoring.signed_at == signed_at and monitoring.signed_pdf
    assert "bertanda tangan elektronik" in client.get(url).content.decode()

    pdf = client_for("camat").get(reverse("monev:sop_monitoring_pdf", args=[2025, 2])).content
    assert pdf == bytes(monitoring.signed_pdf)  # served as signed, never rendered again
    assert backend().validate_pdf(pdf).valid
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Ditandatangani secara elektronik 5 Januari 2026 09:00 WIB" in flat
    assert "NIP 197805122003121002" in flat and "Waktu baku terlalu longgar" in flat
    assert flat.count("penyelesaian ·") == 13


def test_without_a_certificate_the_paraf_stays_name_and_time(history, users, client_for):
    client = client_for("sekretaris")
    url = reverse("monev:sop_monitoring", args=[2025, 2])
    data = _form(_page(history, 2), sign="")
    with clock.frozen_at(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=JAKARTA)):
        refused = client.post(url, {**data, "passphrase": "apa-saja-123"})
    assert refused.status_code == 200 and "belum memiliki sertifikat" in refused.content.decode()
    with clock.frozen_at(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=JAKARTA)):
        assert client.post(url, data).status_code == 302
    monitoring = SopMonitoring.objects.get(office=history, year=2025, half=2)
    assert monitoring.is_signed and monitoring.signed_pdf is None
