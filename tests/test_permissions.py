"""Every action for every role: the step's own role succeeds; everyone else gets 403 and the
database is unchanged. Every page for every role: allowed, 403, or the login page."""

import pytest
from django.test import Client
from django.urls import reverse

from monev import clock
from monev.frozen import sha256_text
from monev.models import DraftVersion, Report, Role, SectionSubmission, Staff, StepLog
from monev.selectors.snapshots import decision_binding, live_content

from .conftest import KASI, ROLE_USERS, make_report, make_user
from .test_signing import PASSPHRASE, camat_certificate  # noqa: F401

STEP_ROLE = {
    1: "sekretaris", 3: "kasubag", 4: "kasubag", 6: "kasubag", 7: "kasubag", 8: "kasubag",
    9: "sekretaris", 10: "kasubag", 11: "sekretaris", 12: "camat", 13: "kasubag",
}  # fmt: skip
OUTSIDERS = ["other_office", "no_staff"]


@pytest.fixture
def actor(users, other_office):
    """actor(name) -> a logged-in client for a Sutera role or an outsider."""

    def build(name: str) -> Client:
        client = Client()
        if name == "other_office":
            user = Staff.objects.filter(office=other_office, role=Role.CAMAT).get().user
        elif name == "no_staff":
            user = make_user("tanpa_jabatan")
        else:
            user = users[name]
        client.force_login(user)
        return client

    return build


def snapshot(report):
    report.refresh_from_db()
    return (
        report.current_step,
        report.step_started_at,
        report.archived_at,
        StepLog.objects.count(),
        SectionSubmission.objects.count(),
    )


def with_draft(report):
    """Drafting steps (8, and 10 where returns land) finish only with a version of their own;
    the decisions at 11 and 12 name it with its content hash."""
    snapshot = live_content(report).as_json()
    DraftVersion.objects.create(
        report=report,
        number=report.versions.count() + 1,
        step_number=report.current_step,
        html="<p>draf</p>",
        snapshot=snapshot,
        snapshot_sha256=sha256_text(snapshot),
        created_by=report.opened_by,
        created_at=clock.now(),
    )
    return report


@pytest.mark.parametrize("step", sorted(STEP_ROLE))
@pytest.mark.parametrize("who", [*ROLE_USERS, *OUTSIDERS])
def test_completing_a_step_is_only_for_its_role(sutera, actor, step, who, request):
    signs = sutera.sops.get().steps.get(number=step).signs_document
    if signs:
        # The approval signs electronically (before the draft: the signer is in its content).
        request.getfixturevalue("camat_certificate")
    report = with_draft(make_report(sutera, step=step))
    before = snapshot(report)
    data = {"from_step": step, **decision_binding(report)}
    if signs:
        data["passphrase"] = PASSPHRASE

    response = actor(who).post(reverse("monev:report_complete", args=[report.pk]), data)

    if who == STEP_ROLE[step]:
        assert response.status_code == 302
        after = snapshot(report)
        assert after != before
        assert (after[0] == step + 1) or (step == 13 and after[2] is not None)
    else:
        assert response.status_code == 403
        assert snapshot(report) == before


@pytest.mark.parametrize("step", [11, 12])
@pytest.mark.parametrize("who", [*ROLE_USERS, *OUTSIDERS])
def test_returning_a_draft_is_only_for_the_decision_role(sutera, actor, step, who):
    report = make_report(sutera, step=step)
    before = snapshot(report)

    response = actor(who).post(
        reverse("monev:report_return", args=[report.pk]),
        {"from_step": step, "note": "Perbaiki tabel capaian."},
    )

    if who == STEP_ROLE[step]:
        assert response.status_code == 302
        assert snapshot(report)[0] == 10
    else:
        assert response.status_code == 403
        assert snapshot(report) == before


@pytest.mark.parametrize("step", [2, 5])
@pytest.mark.parametrize("who", [*ROLE_USERS, *OUTSIDERS])
def test_a_section_is_submitted_only_by_its_own_kepala_seksi(sutera, actor, step, who):
    report = make_report(sutera, step=step)
    section = sutera.sections.get(code="pemerintahan")
    before = snapshot(report)

    response = actor(who).post(
        reverse("monev:report_submit_section", args=[report.pk, section.pk]),
        {"from_step": step},
    )

    if who == "kasi_pemerintahan":
        assert response.status_code == 302
        assert SectionSubmission.objects.filter(report=report, section=section).exists()
    else:
        # other Kepala Seksi (wrong section), other roles, other offices
        assert response.status_code == 403
        assert snapshot(report) == before


@pytest.mark.parametrize("who", [*ROLE_USERS, *OUTSIDERS])
def test_opening_a_cycle_is_for_the_role_of_step_1(sutera, actor, who):
    response = actor(who).post(reverse("monev:report_list"), {"year": 2025, "quarter": 1})

    opened = Report.objects.filter(office=sutera, year=2025, quarter=1).exists()
    if who == "sekretaris":
        assert response.status_code == 302
        assert opened
    else:
        assert response.status_code == 403
        assert not opened


PAGES = ["inbox", "report_list", "sop_current", "report_detail", "sop_detail"]


def page_url(name, report):
    if name == "report_detail":
        return reverse("monev:report_detail", args=[report.pk])
    if name == "sop_detail":
        return reverse("monev:sop_detail", args=[report.sop_id])
    return reverse(f"monev:{name}")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", [*ROLE_USERS, *OUTSIDERS, "anonymous"])
def test_pages_per_role(sutera, actor, page, who):
    report = make_report(sutera, step=3)
    url = page_url(page, report)
    client = Client() if who == "anonymous" else actor(who)

    response = client.get(url)

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif who == "no_staff":
        assert response.status_code == 403
    elif who == "other_office":
        # their own pages work; Sutera's report and SOP are closed to them
        expected = 403 if page in ("report_detail", "sop_detail") else 200
        assert response.status_code == expected
    else:
        assert response.status_code == 200


def test_unknown_report_is_404(users, client_for):
    response = client_for("camat").get(reverse("monev:report_detail", args=[999999]))
    assert response.status_code == 404
    response = client_for("kasubag").post(
        reverse("monev:report_complete", args=[999999]), {"from_step": 3}
    )
    assert response.status_code == 404


def test_every_kepala_seksi_is_refused_for_another_section(sutera, actor):
    report = make_report(sutera, step=2)
    pemerintahan = sutera.sections.get(code="pemerintahan")
    for name in KASI:
        if name == "kasi_pemerintahan":
            continue
        response = actor(name).post(
            reverse("monev:report_submit_section", args=[report.pk, pemerintahan.pk]),
            {"from_step": 2},
        )
        assert response.status_code == 403
    assert not SectionSubmission.objects.exists()


def test_get_is_refused_on_action_urls(sutera, client_for):
    report = make_report(sutera, step=3)
    response = client_for("kasubag").get(reverse("monev:report_complete", args=[report.pk]))
    assert response.status_code == 405
