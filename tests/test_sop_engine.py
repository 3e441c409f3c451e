"""The SOP is data: any step moved to any office role, a step added or removed, and a whole
quarter still runs to the archive with exactly the step's role offered each move."""

import datetime
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfWriter

from monev import clock, permissions, selectors, workflow
from monev.models import LogAction, Role, Sop, SopStep, StepKind, StepLog
from monev.selectors.snapshots import decision_binding
from monev.selectors.timing import timing_summary
from monev.services import approval as approval_service
from monev.services import archive as archive_service
from monev.services.documents import draft_generate
from monev.services.notifications import recipients
from monev.services.reports import (
    report_complete_step,
    report_open,
    report_return,
    report_submit_section,
)
from monev.services.sop_revisions import copy_revision
from monev.workflow import ActionKind
from monev.worktime import JAKARTA

from .conftest import SIGNING_PASSPHRASE, certify_signers

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "sop_pengukuran_kinerja.json"
FIXTURE_STEPS = [
    row["fields"] for row in json.loads(FIXTURE.read_text()) if row["model"] == "monev.sopstep"
]
OFFICE_WIDE_ROLES = [Role.CAMAT, Role.SEKRETARIS, Role.KASUBAG_PKP]
UPLOAD = "Mengunggah laporan ke aplikasi e-SAKIP kabupaten"


def holders(step_fields) -> list[str]:
    """Every office role that could hold the step: a section's head for per-section steps."""
    if step_fields["kind"] in (StepKind.SECTION_DATA, StepKind.SECTION_MONEV):
        return [Role.KEPALA_SEKSI]
    return OFFICE_WIDE_ROLES


MOVES = [(f["number"], role) for f in FIXTURE_STEPS for role in holders(f)]


@pytest.fixture
def quick_archive(monkeypatch):
    """The archive step's documents as small stand-ins: the PDF/A itself is tested in
    test_documents; here only who may archive, and that archiving happens, matter."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf = buffer.getvalue()  # a real PDF: the signing step signs it
    for module in (archive_service, approval_service):
        monkeypatch.setattr(
            module, "final_documents", lambda report, *a, **k: {"pdf": ("laporan.pdf", pdf)}
        )


def new_revision(office) -> Sop:
    current = selectors.current_sop(office)
    return copy_revision(current)


def renumber(sop: Sop, mapping: dict[int, int]) -> None:
    """Move step numbers (old -> new) without tripping over the unique numbers on the way."""
    for old in sorted(mapping, reverse=True):
        SopStep.objects.filter(sop=sop, number=old).update(number=mapping[old] + 1000)
    for new in mapping.values():
        SopStep.objects.filter(sop=sop, number=new + 1000).update(number=new)
    for step in SopStep.objects.filter(sop=sop, return_to__in=list(mapping)):
        step.return_to = mapping[step.return_to]
        step.save()


def insert_upload_step(sop: Sop) -> SopStep:
    """The 14-step revision: the e-SAKIP upload before the archiving step (now step 14)."""
    archive = sop.steps.get(kind=StepKind.ARCHIVE)
    renumber(sop, {archive.number: archive.number + 1})
    return SopStep.objects.create(
        sop=sop,
        number=archive.number,
        name=UPLOAD,
        role=Role.KASUBAG_PKP,
        kind=StepKind.TASK,
        standard_amount=1,
        standard_unit="hari",
        output="Tanda terima unggahan e-SAKIP",
        action_label="Sudah diunggah",
    )


class Quarter:
    """Plays a quarter through the services, one working hour per move (more for longer
    step names, so that each step has its own duration in Waktu SOP)."""

    def __init__(self, office, users, *, year=2025, quarter=2, returns=(), check=True):
        self.office, self.users, self.check = office, users, check
        self.staff = {name: user.staff for name, user in users.items()}
        self.moment = datetime.datetime(year, 7, 7, 8, 0, tzinfo=JAKARTA)
        self.calendar = selectors.office_calendar(office)
        self.pending_returns = list(returns)
        self.visited = []
        first = selectors.current_sop(office).steps.order_by("number").first()
        with clock.frozen_at(self.moment):
            self.report = report_open(
                office=office, year=year, quarter=quarter, actor=self.user_of(first.role)
            )
            certify_signers(self.report.sop)

    def user_of(self, role: str):
        return next(u for u in self.users.values() if u.staff.role == role)

    def tick(self, step) -> None:
        seconds = 3600 + 60 * len(step.name)
        self.moment = self.calendar.add_working_seconds(self.moment, seconds)

    def fresh(self):
        report = type(self.report).objects.select_related("office", "sop").get(pk=self.report.pk)
        return report

    def run(self):
        while True:
            report = self.fresh()
            if report.is_archived:
                return report
            step = workflow.current_step(report)
            self.visited.append(step.number)
            if self.check:
                self.check_offers(report, step)
            self.tick(step)
            with clock.frozen_at(self.moment):
                self.act(report, step)

    def act(self, report, step) -> None:
        if step.per_section:
            for section in workflow.active_sections(report):
                kasi = next(u for u in self.users.values() if u.staff.section_id == section.pk)
                report_submit_section(
                    report_id=report.pk, actor=kasi, from_step=step.number, section_id=section.pk
                )
            return
        actor = self.user_of(step.role)
        if step.kind == StepKind.DECISION and step.number in self.pending_returns:
            self.pending_returns.remove(step.number)
            report_return(report_id=report.pk, actor=actor, from_step=step.number, note="Perbaiki.")
            return
        if step.kind == StepKind.DRAFT:
            draft_generate(report_id=report.pk, actor=actor, from_step=step.number)
        if step.signs_document:
            approval_service.report_approve(
                report_id=report.pk,
                actor=actor,
                from_step=step.number,
                passphrase=SIGNING_PASSPHRASE,
                **decision_binding(report),
            )
            return
        report_complete_step(
            report_id=report.pk,
            actor=actor,
            from_step=step.number,
            **decision_binding(report),
        )

    def check_offers(self, report, step) -> None:
        """Exactly the step's role is offered the step's moves, in its Tugas Saya too, and is
        the one notified."""
        handed_in = workflow.submitted_section_ids(report, step.number)
        for name, staff in self.staff.items():
            holds = staff.role == step.role and (
                not step.per_section or staff.section_id not in handed_in
            )
            offered = {
                kind
                for kind in (
                    ActionKind.COMPLETE,
                    ActionKind.SUBMIT,
                    ActionKind.RETURN,
                    ActionKind.MAKE_DRAFT,
                )
                if permissions.can(staff, kind, report)
            }
            expected = set()
            if holds:
                expected.add(ActionKind.SUBMIT if step.per_section else ActionKind.COMPLETE)
                if step.kind == StepKind.DECISION:
                    expected.add(ActionKind.RETURN)
                if step.kind == StepKind.DRAFT:
                    expected.add(ActionKind.MAKE_DRAFT)
            assert offered == expected, (step.number, step.role, name)
            if staff.role == step.role or name in ("camat", "kasubag"):
                waiting = {s.report.pk for s in selectors.inbox_for(staff)}
                assert (report.pk in waiting) == holds, (step.number, name)
        assert {user.staff.role for user in recipients(report, step)} == {step.role}


@pytest.mark.parametrize(("number", "role"), MOVES)
def test_any_step_moved_to_any_role_runs_a_quarter_to_the_archive(
    sutera, users, quick_archive, number, role
):
    sop = new_revision(sutera)
    sop.steps.filter(number=number).update(role=role)
    decisions = list(sop.steps.filter(kind=StepKind.DECISION).values_list("number", flat=True))

    quarter = Quarter(sutera, users, returns=decisions)
    report = quarter.run()

    assert report.sop_id == sop.pk
    assert report.is_archived
    assert report.archived_files.count() == 1
    moved = StepLog.objects.filter(
        report=report, step_number=number, action__in=[LogAction.COMPLETE, LogAction.SUBMIT]
    )
    assert moved.exists()
    assert {log.role for log in moved} == {role}
    assert {log.actor.staff.role for log in moved} == {role}
    # Whoever holds the signing step signed the archived PDF with their own certificate.
    signature = report.signatures.get()
    assert signature.certificate.user.staff.role == (role if number == 12 else Role.CAMAT)
    # Both decisions returned once, to their target, and the quarter came back round.
    returns = StepLog.objects.filter(report=report, action=LogAction.RETURN)
    assert sorted(returns.values_list("step_number", flat=True)) == decisions
    assert quarter.visited.count(10) == 1 + len(decisions)


def test_a_quarter_runs_on_a_revision_with_a_fourteenth_step(sutera, users, quick_archive):
    sop = new_revision(sutera)
    upload = insert_upload_step(sop)

    quarter = Quarter(sutera, users, returns=[12])
    report = quarter.run()

    assert report.is_archived
    assert quarter.visited[-2:] == [13, 14]
    log = StepLog.objects.get(report=report, step_number=13, action=LogAction.COMPLETE)
    assert (log.step_name, log.role, log.standard_label) == (UPLOAD, Role.KASUBAG_PKP, "1 hari")
    assert log.step_key == upload.key
    # The archiving step archives, whatever its number.
    archived = StepLog.objects.filter(report=report, action=LogAction.COMPLETE).last()
    assert archived.step_number == 14
    assert archived.finished_at == report.archived_at


def test_a_quarter_runs_on_a_revision_without_step_4(sutera, users, quick_archive):
    sop = new_revision(sutera)
    sop.steps.filter(number=4).delete()

    quarter = Quarter(sutera, users)
    report = quarter.run()

    assert report.is_archived
    assert 4 not in quarter.visited
    assert quarter.visited[:4] == [1, 2, 3, 5]
    assert not StepLog.objects.filter(report=report, step_number=4).exists()


def test_a_running_report_keeps_its_revision(sutera, users, quick_archive):
    running = Quarter(sutera, users, quarter=1, check=False)
    old_sop = running.report.sop_id
    sop = new_revision(sutera)
    sop.steps.filter(number=9).update(role=Role.CAMAT)

    report = running.run()

    assert report.sop_id == old_sop
    assert StepLog.objects.get(report=report, step_number=9, action="complete").role == (
        Role.SEKRETARIS
    )
    assert Quarter(sutera, users, quarter=2, check=False).report.sop_id == sop.pk


def test_archiving_follows_the_archive_step_not_the_last_number(sutera, users, quick_archive):
    """A revision whose archive step is not last cannot be saved in the admin; the engine
    itself archives by kind and never because a step is the last one."""
    sop = new_revision(sutera)
    sop.steps.filter(number=13).update(kind=StepKind.TASK)
    sop.steps.filter(number=12).update(kind=StepKind.ARCHIVE, return_to=None, signs_document=False)

    report = Quarter(sutera, users, check=False).run()

    assert report.is_archived
    assert report.current_step == 12
    assert not StepLog.objects.filter(report=report, step_number=13).exists()


def test_waktu_sop_groups_history_by_the_step_across_revisions(sutera, users, quick_archive):
    first = Quarter(sutera, users, quarter=1, check=False)
    first.run()
    original = {s.number: s for s in first.report.sop.steps.all()}

    # Revision 1: the upload step inserted as 13, "Menyimpan" renumbered to 14.
    inserted = new_revision(sutera)
    upload = insert_upload_step(inserted)
    Quarter(sutera, users, quarter=2, check=False).run()
    # Revision 2: step 9 moved from the Sekretaris to the Kasubag PKP.
    moved = new_revision(sutera)
    moved.steps.filter(number=9).update(role=Role.KASUBAG_PKP)
    Quarter(sutera, users, quarter=3, check=False).run()

    summary = timing_summary(sutera, 2025)
    rows = {(t.name, t.role): t for t in summary.steps}

    keep = original[13]
    storing = rows[(keep.name, Role.KASUBAG_PKP)]
    assert (storing.number, storing.durations.count) == (14, 3)
    assert storing.durations.median_seconds == 3600 + 60 * len(keep.name)
    uploading = rows[(UPLOAD, Role.KASUBAG_PKP)]
    assert (uploading.number, uploading.durations.count) == (13, 2)
    assert uploading.durations.median_seconds == 3600 + 60 * len(UPLOAD)
    assert uploading.standard_label == "1 hari"
    assert upload.key != keep.key

    discussion = original[9].name
    by_secretary = rows[(discussion, Role.SEKRETARIS)]
    by_kasubag = rows[(discussion, Role.KASUBAG_PKP)]
    assert (by_secretary.durations.count, by_secretary.current) == (2, False)
    assert (by_kasubag.durations.count, by_kasubag.current) == (1, True)
    assert by_secretary.number == by_kasubag.number == 9
    # Every other step is one row with all three quarters.
    assert len(summary.steps) == 13 + 1 + 1
    others = [t for t in summary.steps if t.name not in (UPLOAD, discussion)]
    assert all(t.durations.count == 3 for t in others if not t.per_section)


def test_a_step_new_in_a_revision_starts_without_history(sutera, users, quick_archive):
    Quarter(sutera, users, quarter=1, check=False).run()
    insert_upload_step(new_revision(sutera))

    summary = timing_summary(sutera, 2025)

    uploading = next(t for t in summary.steps if t.name == UPLOAD)
    assert uploading.durations.count == 0
    assert uploading.standard_label == "1 hari"
    storing = next(t for t in summary.steps if t.number == 14)
    assert storing.durations.count == 1


def test_the_printed_sop_of_the_fourteen_step_revision(sutera, users):
    import io

    from pypdf import PdfReader

    from monev.exports.sop_flowchart import build_layout
    from monev.exports.sop_pdf import render_sop_html, render_sop_pdf

    sop = new_revision(sutera)
    insert_upload_step(sop)
    sop = Sop.objects.prefetch_related("steps").get(pk=sop.pk)

    layout = build_layout(sop.steps.all())
    lanes = [role for role, _label in layout.lanes]
    symbols = {s.step_number: s for s in layout.symbols if s.kind != "connector"}
    assert sorted(symbols) == list(range(1, 15))
    assert [symbols[n].row_index for n in range(1, 15)] == list(range(14))
    assert lanes[symbols[13].lane_index] == Role.KASUBAG_PKP
    assert symbols[13].kind == "process" and symbols[14].kind == "capsule"
    html = render_sop_html(sop)
    assert html.count("<img ") == 14
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_sop_pdf(sop))).pages
    )
    assert "e-SAKIP" in " ".join(text.split())


def test_step_8_moved_to_the_sekretaris_runs_over_http(sutera, users, client_for):
    """The issue's stuck report: the drafting step moved to the Sekretaris in the admin."""
    from django.urls import reverse

    from .conftest import make_report

    Sop.objects.get(office=sutera).steps.filter(number=8).update(role=Role.SEKRETARIS)
    report = make_report(sutera, step=8)
    sekretaris, kasubag, kasi = (client_for(n) for n in ("sekretaris", "kasubag", "kasi_pmn"))
    analysis = reverse("monev:report_analysis", args=[report.pk])
    make_draft = reverse("monev:draft_create", args=[report.pk])

    page = sekretaris.get(report.get_absolute_url()).content.decode()
    assert "Data, analisis dan pembuatan draf" in page
    assert "Buat draf" in sekretaris.get(analysis).content.decode()
    assert "Buat draf" not in kasubag.get(analysis).content.decode()
    assert kasi.get(analysis).status_code == 403
    refused = kasubag.post(make_draft, {"from_step": 8}, follow=True).content.decode()
    assert "Draf laporan hanya dibuat pada langkah penyusunan atau perbaikan." in refused
    assert kasi.post(make_draft, {"from_step": 8}).status_code == 403

    assert sekretaris.post(make_draft, {"from_step": 8}).status_code == 302
    complete = reverse("monev:report_complete", args=[report.pk])
    assert kasubag.post(complete, {"from_step": 8}).status_code == 403
    sekretaris.post(complete, {"from_step": 8})

    report.refresh_from_db()
    assert report.current_step == 9
    assert list(report.versions.values_list("number", "created_by__username")) == [
        (1, "sekretaris")
    ]


def test_the_reopening_role_comes_from_the_step(sutera, users):
    from django.core.exceptions import PermissionDenied

    from monev.services.section_data import section_data_reopen

    from .conftest import make_report

    Sop.objects.get(office=sutera).steps.filter(number=2).update(reopen_role=Role.SEKRETARIS)
    report = make_report(sutera, step=3)
    section = users["kasi_pmn"].staff.section

    with pytest.raises(PermissionDenied, match="Hanya Sekretaris"):
        section_data_reopen(
            report_id=report.pk, section_id=section.pk, actor=users["kasubag"], reason="Cek"
        )
    section_data_reopen(
        report_id=report.pk, section_id=section.pk, actor=users["sekretaris"], reason="Cek"
    )

    log = StepLog.objects.get(report=report, action=LogAction.REOPEN)
    assert (log.role, log.step_number, log.section_id) == (Role.SEKRETARIS, 2, section.pk)
    assert log.step_key == report.sop.steps.get(number=2).key


def test_a_step_requiring_the_analysis_waits_for_it(sutera, users):
    from monev.services.documents import analysis_save
    from monev.workflow import WorkflowError

    from .conftest import make_report

    Sop.objects.get(office=sutera).steps.filter(number=7).update(requires_analysis=True)
    report = make_report(sutera, step=7)
    sections = workflow.active_sections(report)

    with pytest.raises(WorkflowError, match="belum diisi"):
        report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=7)
    analysis_save(
        report_id=report.pk,
        actor=users["kasubag"],
        texts={s.pk: f"Analisis {s.name}" for s in sections},
    )
    report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=7)

    report.refresh_from_db()
    assert report.current_step == 8


def test_pages_follow_the_page_roles_table(sutera, users, client_for, settings):
    from django.urls import reverse

    settings.MONEV_PAGE_ROLES = {
        **settings.MONEV_PAGE_ROLES,
        "view_timing": (Role.KEPALA_SEKSI,),
        "view_archive": (Role.CAMAT,),
    }
    kasi, kasubag, camat = (client_for(n) for n in ("kasi_pmn", "kasubag", "camat"))

    assert kasi.get(reverse("monev:sop_timing")).status_code == 200
    assert kasubag.get(reverse("monev:sop_timing")).status_code == 403
    assert camat.get(reverse("monev:archive_list")).status_code == 200
    assert kasubag.get(reverse("monev:archive_list")).status_code == 403
    nav = kasi.get(reverse("monev:inbox")).content.decode()
    assert reverse("monev:sop_timing") in nav and reverse("monev:archive_list") not in nav


def test_no_role_name_or_step_number_decides_outside_the_engine():
    """Services, views, selectors and templates ask permissions/workflow, never a role or a
    step number themselves."""
    import re

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(
        r"Role\.(KASUBAG_PKP|CAMAT|SEKRETARIS|KEPALA_SEKSI)"
        r'|"(kasubag_pkp|camat|sekretaris|kepala_seksi)"'
        r"|current_step *[<>=]=? *[0-9]"
    )
    places = ["monev/services", "monev/views", "monev/selectors", "templates"]
    found = [
        f"{path.relative_to(root)}:{number}"
        for place in places
        for path in sorted((root / place).rglob("*"))
        if path.suffix in (".py", ".html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []
