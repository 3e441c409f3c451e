"""Every URL of the app, for every role, anonymous and outsiders: the expected status.

A new URL name that is not in PAGES or ACTIONS fails `test_every_url_is_in_the_matrix`, so no
view can ship without someone deciding who may use it."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver, reverse

from monev import clock
from monev.models import (
    ArchivedFile,
    DocumentSignature,
    DraftVersion,
    Evidence,
    Indicator,
    Realisation,
    Role,
    Staff,
    YearExport,
)

from .conftest import make_report, make_user

WHO = [
    "camat",
    "sekretaris",
    "kasubag",
    "admin",
    "kasi_pemerintahan",  # the section the section-scoped URLs point at
    "kasi_kesos",  # a Kepala Seksi of another section
    "other_office",
    "no_staff",
    "anonymous",
]
LEADERS = {"camat", "sekretaris", "kasubag", "admin"}
OFFICE = LEADERS | {"kasi_pemerintahan", "kasi_kesos"}
OWN_SECTION = LEADERS | {"kasi_pemerintahan"}
ARCHIVE = LEADERS
TIMING = {"camat", "sekretaris", "kasubag"}

# GET pages: url name -> who gets 200 (everyone else logged in gets 403, or 404 where noted).
PAGES = {
    "inbox": OFFICE | {"other_office"},
    "dashboard": OFFICE | {"other_office"},
    "report_list": OFFICE | {"other_office"},
    "report_detail": OFFICE,
    "section_data": OWN_SECTION,
    "section_sheet_download": OWN_SECTION,
    "monev_sheet": OWN_SECTION,
    "capaian_preview": OWN_SECTION,
    "report_analysis": LEADERS,
    "draft_version": OFFICE,
    "draft_document": OFFICE,
    "draft_pdf": OFFICE,
    "archive_list": ARCHIVE | {"other_office"},
    "archive_download": ARCHIVE,
    "archive_export_status": ARCHIVE,
    "archive_export_download": ARCHIVE,
    "evidence_download": OWN_SECTION,
    "notification_list": OFFICE | {"other_office"},
    "sop_current": OFFICE | {"other_office"},
    "sop_detail": OFFICE,
    "sop_current_pdf": OFFICE | {"other_office"},
    "sop_pdf": OFFICE,
    "sop_timing": TIMING | {"other_office"},
    "sop_timing_xlsx": TIMING | {"other_office"},
    "sop_timing_step": TIMING | {"other_office"},
    # Each office's own SOP monitoring and evaluation (Waktu SOP's readers; the penilai edits).
    "sop_monitoring": TIMING | {"other_office"},
    "sop_monitoring_pdf": TIMING | {"other_office"},
    "sop_monitoring_xlsx": TIMING | {"other_office"},
    "sop_evaluation": TIMING | {"other_office"},
    "sop_evaluation_pdf": TIMING | {"other_office"},
    "sop_evaluation_xlsx": TIMING | {"other_office"},
}
# Redirects by role: the Camat to the Dasbor, everyone else to Tugas Saya. A notice leads its
# owner to its report; anyone else gets 404 (tests/test_reminders.py).
REDIRECTS = {"home", "notification_open"}
# Period choosers: redirect to the chosen period's page, for those who may see it.
PERIOD_REDIRECTS = {"sop_monitoring_latest": TIMING, "sop_evaluation_latest": TIMING}
# POST actions: url name -> who may act (others logged in get 403).
ACTIONS = {
    "report_complete": {"kasubag"},
    # At step 3 only its role gets past the permission check (and then a "not now" message).
    "report_return": {"kasubag"},
    "report_submit_section": set(),
    "section_data_reopen": {"kasubag"},
    "monev_sheet_reopen": {"kasubag"},
    "section_sheet_upload": {"kasi_pemerintahan"},
    "report_analysis": {"kasubag"},
    "draft_create": {"kasubag"},
    "draft_and_complete": {"kasubag"},  # at step 3: past the checks, then "not now"
    "archive_check": ARCHIVE,
    "archive_export": ARCHIVE | {"other_office"},  # their own office's year
    "evidence_remove": {"kasi_pemerintahan"},
    "sop_evaluation_revision": {"sekretaris"},  # the SOP's penilai ("nothing to propose" here)
    "notification_read_all": OFFICE | {"other_office"},  # each marks only their own
}
# Year exports are looked up within the user's own office: another office's id is unknown.
NOT_FOUND_FOR_OUTSIDERS = {"archive_export_status", "archive_export_download"}
SKIPPED = {"login", "logout"}  # Django's own views, public by design
# Public by design: the page a signed document's QR code opens, for anyone, logged in or not.
PUBLIC = {"verification"}


@pytest.fixture
def world(sutera, users, other_office, demo_indicators, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = make_report(sutera, step=3)
    archived = make_report(sutera, year=2024, quarter=4, step=13, archived=True)
    pemerintahan = sutera.sections.get(code="pemerintahan")
    indicator = Indicator.objects.filter(section=pemerintahan).first()
    realisation = Realisation.objects.create(report=report, indicator=indicator)
    evidence = Evidence(
        realisation=realisation,
        original_name="bukti.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=users["kasi_pemerintahan"],
        uploaded_at=clock.now(),
    )
    evidence.file.save("bukti-uji", ContentFile(b"%PDF-1.4"), save=True)
    DraftVersion.objects.create(
        report=report,
        number=1,
        step_number=8,
        html="<html><head></head><body><p>draf</p></body></html>",
        created_by=users["kasubag"],
        created_at=clock.now(),
    )
    record = ArchivedFile(
        report=archived,
        kind="pdf",
        filename="arsip.pdf",
        sha256="0" * 64,
        size=8,
        created_at=clock.now(),
    )
    record.file.save("arsip-uji", ContentFile(b"%PDF-1.4"), save=True)
    signature = DocumentSignature.objects.create(
        code="kode-uji-matriks",
        report=archived,
        archived_file=record,
        title="Laporan Monitoring dan Evaluasi Kinerja Triwulan IV 2024",
        office_name=sutera.name,
        period="Triwulan IV 2024",
        signer_name="Hendri Yusman",
        signer_nip="198003152000121001",
        signer_title="Camat Sutera",
        signed_at=clock.now(),
    )
    export = YearExport.objects.create(
        office=sutera,
        year=2024,
        status="done",
        requested_by=users["admin"],
        requested_at=clock.now(),
    )
    export.file.save("ekspor-uji.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    return {
        "report": report,
        "section": pemerintahan,
        "indicator": indicator,
        "evidence": evidence,
        "record": record,
        "export": export,
        "signature": signature,
    }


def url_for(name: str, world) -> str:
    report, section = world["report"], world["section"]
    args = {
        "report_detail": [report.pk],
        "report_complete": [report.pk],
        "report_return": [report.pk],
        "report_submit_section": [report.pk, section.pk],
        "section_data": [report.pk, section.pk],
        "section_sheet_download": [report.pk, section.pk],
        "section_sheet_upload": [report.pk, section.pk],
        "section_data_reopen": [report.pk, section.pk],
        "monev_sheet": [report.pk, section.pk],
        "monev_sheet_reopen": [report.pk, section.pk],
        "capaian_preview": [report.pk, world["indicator"].pk],
        "report_analysis": [report.pk],
        "draft_create": [report.pk],
        "draft_and_complete": [report.pk],
        "draft_version": [report.pk, 1],
        "draft_document": [report.pk, 1],
        "draft_pdf": [report.pk, 1],
        "archive_download": [world["record"].pk],
        "archive_check": [world["record"].pk],
        "archive_export": [2024],
        "archive_export_status": [world["export"].pk],
        "archive_export_download": [world["export"].pk],
        "evidence_download": [world["evidence"].pk],
        "evidence_remove": [world["evidence"].pk],
        "sop_detail": [report.sop_id],
        "sop_pdf": [report.sop_id],
        "sop_timing_step": [3],
        "sop_monitoring": [2025, 1],
        "sop_monitoring_pdf": [2025, 1],
        "sop_monitoring_xlsx": [2025, 1],
        "sop_evaluation": [2025],
        "sop_evaluation_pdf": [2025],
        "sop_evaluation_xlsx": [2025],
        "sop_evaluation_revision": [2025],
        "verification": [world["signature"].code],
    }.get(name, [])
    return reverse(f"monev:{name}", args=args)


def drain(response) -> None:
    """Read a streamed download to its end, as a browser would; the test client then closes
    the file without also closing the test's database connection."""
    if response.streaming:
        b"".join(response.streaming_content)


def client_of(who: str, users, other_office) -> Client:
    client = Client()
    if who == "anonymous":
        return client
    if who == "other_office":
        user = Staff.objects.get(office=other_office, role=Role.CAMAT).user
    elif who == "no_staff":
        user = make_user("tanpa_kantor")
    else:
        user = users[who]
    client.force_login(user)
    return client


def test_every_url_is_in_the_matrix():
    names = {name for name in get_resolver("monev.urls").reverse_dict if isinstance(name, str)}
    assert names - set(PAGES) - set(ACTIONS) - REDIRECTS - set(PERIOD_REDIRECTS) - PUBLIC == set()


@pytest.mark.parametrize("name", sorted(PERIOD_REDIRECTS))
def test_period_choosers_redirect_those_who_may_see(world, users, other_office, name):
    for who in WHO:
        response = client_of(who, users, other_office).get(reverse(f"monev:{name}"))
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        elif who in PERIOD_REDIRECTS[name] or who == "other_office":
            assert response.status_code == 302, f"{name} for {who}"
            assert "/sop/" in response["Location"]
        else:
            assert response.status_code == 403, f"{name} for {who}"


def test_home_routes_by_role(world, users, other_office):
    for who in ("camat", "kasubag", "no_staff", "anonymous"):
        response = client_of(who, users, other_office).get(reverse("monev:home"))
        expected = reverse("monev:dashboard")
        if who == "no_staff":
            assert response.status_code == 403
        elif who == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        elif who == "camat":
            assert response["Location"] == expected, who
        else:
            assert response.status_code == 200
            assert "monev/inbox.html" in [t.name for t in response.templates], who


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_answer_each_role(world, users, other_office, name):
    url = url_for(name, world)
    for who in WHO:
        response = client_of(who, users, other_office).get(url)
        drain(response)
        if who == "anonymous":
            expected = 302
        elif who in PAGES[name]:
            expected = 200
        elif who == "other_office" and name in NOT_FOUND_FOR_OUTSIDERS:
            expected = 404  # that office has no such section
        else:
            expected = 403
        assert response.status_code == expected, f"{name} for {who}"
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_answer_everyone(world, users, other_office, name):
    url = url_for(name, world)
    for who in WHO:
        client = client_of(who, users, other_office)
        assert client.get(url).status_code == 200, who
        assert client.post(url).status_code == 200, who


def payload(name: str, world) -> dict:
    if name == "section_sheet_upload":
        return {"workbook": io.BytesIO(b"bukan excel")}
    if name in ("report_complete", "report_return", "report_submit_section", "draft_and_complete"):
        return {"from_step": 3, "note": "Catatan"}
    if name in ("section_data_reopen", "monev_sheet_reopen"):
        return {"reason": "Perlu diperbaiki"}
    if name == "draft_create":
        return {"from_step": 3}
    return {}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_actions_are_refused_to_everyone_else(world, users, other_office, name):
    url = url_for(name, world)
    for who in WHO:
        data = payload(name, world)
        response = client_of(who, users, other_office).post(url, data)
        if who == "anonymous":
            assert response.status_code == 302, f"{name} for {who}"
        elif who in ACTIONS[name]:
            assert response.status_code in (200, 302), f"{name} for {who}"
        elif who == "other_office" and name in NOT_FOUND_FOR_OUTSIDERS:
            assert response.status_code == 404, f"{name} for {who}"
        else:
            assert response.status_code in (403, 404), f"{name} for {who}"
            assert response.status_code == 403 or who == "other_office", f"{name} for {who}"


def test_an_office_never_sees_another_offices_report_by_id(world, users, other_office):
    stranger = client_of("other_office", users, other_office)
    report = world["report"]
    for name in ("report_detail", "report_analysis", "draft_version", "draft_pdf"):
        assert stranger.get(url_for(name, world)).status_code == 403, name
    assert stranger.get(reverse("monev:report_list")).context["rows"] == []
    inbox = stranger.get(reverse("monev:inbox"))
    assert report.pk not in [i.report.pk for i in inbox.context["items"]]


def test_the_year_export_of_another_office_is_not_found(world, users, other_office):
    stranger = client_of("other_office", users, other_office)
    url = reverse("monev:archive_export_download", args=[world["export"].pk])
    response = stranger.get(url)
    drain(response)
    assert response.status_code in (403, 404)
    assert datetime.date.today().year >= 2024
