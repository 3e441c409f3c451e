"""axe-core on the main pages, in real Chromium, as the demo users see them.

The pages are filled with demo data: `manage.py seed_demo` (frozen at a fixed moment, so the
history is the same on every run) plays six archived quarters and a current quarter at step 2;
on top of it a late report waits at step 5 with two blangko monev sent. That database is built
once per module, dumped to a fixture file and loaded again for each test (the live server needs
a transactional database, which is emptied after every test).

axe-core comes from npm (package.json; `make node-deps` installs it). It is injected into each
page with `page.add_script_tag`, which the app's Content Security Policy (no inline scripts)
would block, so these browser contexts bypass CSP; nothing else here does. A page fails on any
violation of impact "serious" or "critical"; the message lists each rule, impact, the CSS
selectors of the offending elements and axe's help text.
"""

import datetime
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from monev import clock, services, workflow
from monev.management.commands._demo_data import DemoData
from monev.models import DocumentSignature, LogAction, Office, Report, Role, Staff
from monev.worktime import JAKARTA

from . import browser_helpers
from .browser_helpers import ARTIFACTS, DEMO_PASSWORD, People

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
# Wednesday of the last week of November 2026: the current quarter is Triwulan IV 2026.
SEEDED_AT = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=JAKARTA)
# A quarter the seeded history leaves out, reported late: it waits at step 5.
LATE = (2025, 1)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not AXE.exists(),
        reason="axe-core is not installed: run `make node-deps` (npm ci) to get "
        "node_modules/axe-core/axe.min.js",
    ),
]


# --- The demo office, built once per module --------------------------------------------------


@dataclass(frozen=True)
class DemoSite:
    """Where the pages under test are and who looks at them (pks survive the dump)."""

    fixture: Path
    media: Path
    current: int  # Triwulan IV 2026, at step 2
    late: int  # Triwulan I 2025, at step 5
    archived: int  # the newest archived report that was once returned from verification
    waiting: int  # Triwulan III 2026, waiting for the Camat's approval
    waiting_version: int  # its newest draft version number
    version: int  # its newest draft version number
    data_kasi: str  # a Kepala Seksi who has not sent the step 2 data yet
    data_section: int
    monev_kasi: str  # a Kepala Seksi who has not sent the blangko monev of the late report
    monev_section: int
    verification: str  # the code of the archived report's signed PDF (its QR target)


def play_to_monitoring(office: Office, year: int, quarter: int, *, sent: int) -> Report:
    """Open a quarter and take it through the services to step 5, where `sent` of the
    sections have already sent their blangko monev."""
    by_role = {s.role: s.user for s in Staff.objects.filter(office=office).select_related("user")}
    kasi = {
        s.section_id: s.user
        for s in Staff.objects.filter(office=office, role=Role.KEPALA_SEKSI).select_related("user")
    }
    sekretaris, kasubag = by_role[Role.SEKRETARIS], by_role[Role.KASUBAG_PKP]
    rng = random.Random(year * 10 + quarter)
    data = DemoData(office, years=[year])
    report = services.report_open(office=office, year=year, quarter=quarter, actor=sekretaris)
    services.report_complete_step(report_id=report.pk, actor=sekretaris, from_step=1)
    sections = workflow.active_sections(report)
    for section in sections:
        data.fill(report, section, kasi[section.pk], rng)
        services.report_submit_section(
            report_id=report.pk, actor=kasi[section.pk], from_step=2, section_id=section.pk
        )
    for step in (3, 4):
        services.report_complete_step(report_id=report.pk, actor=kasubag, from_step=step)
    for section in sections[:sent]:
        data.fill_monev(report, section, kasi[section.pk], rng)
        services.report_submit_section(
            report_id=report.pk, actor=kasi[section.pk], from_step=5, section_id=section.pk
        )
    return Report.objects.get(pk=report.pk)


def first_waiting(report: Report, step: int) -> Staff:
    """The Kepala Seksi of the first section that has not handed in the step yet."""
    done = {s.section_id for s in report.submissions.all() if s.step_number == step}
    section = next(s for s in workflow.active_sections(report) if s.pk not in done)
    return Staff.objects.select_related("user").get(section=section, role=Role.KEPALA_SEKSI)


def build_demo_site(folder: Path) -> DemoSite:
    with clock.frozen_at(SEEDED_AT):
        call_command("seed_demo", stdout=io.StringIO())
        office = Office.objects.get(code="sutera")
        late = play_to_monitoring(office, *LATE, sent=2)
    current = Report.objects.get(office=office, archived_at__isnull=True, year=2026, quarter=4)
    assert current.current_step == 2 and late.current_step == 5
    archived = (
        Report.objects.filter(office=office, archived_at__isnull=False)
        .filter(logs__action=LogAction.RETURN)
        .order_by("-year", "-quarter")
        .first()
    )
    data_kasi, monev_kasi = first_waiting(current, 2), first_waiting(late, 5)
    waiting = Report.objects.get(office=office, archived_at__isnull=True, year=2026, quarter=3)
    # The demo hashes are PBKDF2 with a million rounds; rehash with the suite's fast hasher
    # (settings.TESTING) once here rather than pay for it at every sign-in below.
    for user in get_user_model().objects.all():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    fixture = folder / "demo-site.json"
    call_command(
        "dumpdata",
        "auth.user",
        "auth.group",
        "monev",
        natural_foreign=True,
        indent=0,
        output=str(fixture),
        verbosity=0,
    )
    return DemoSite(
        fixture=fixture,
        media=folder / "media",
        current=current.pk,
        late=late.pk,
        archived=archived.pk,
        version=archived.versions.order_by("-number").first().number,
        waiting=waiting.pk,
        waiting_version=waiting.versions.order_by("-number").first().number,
        data_kasi=data_kasi.user.username,
        data_section=data_kasi.section_id,
        monev_kasi=monev_kasi.user.username,
        monev_section=monev_kasi.section_id,
        verification=DocumentSignature.objects.get(report=archived).code,
    )


@pytest.fixture(scope="module")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory) -> DemoSite:
    """Build the demo office once, keep it as a fixture file, and leave the database empty."""
    folder = tmp_path_factory.mktemp("a11y")
    media = folder / "media"
    # Archived PDFs and workbooks go to a folder of this module, kept for all its tests.
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        try:
            site = build_demo_site(folder)
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return site


@pytest.fixture
def demo_site(demo_snapshot, transactional_db, settings) -> DemoSite:
    settings.MEDIA_ROOT = demo_snapshot.media
    call_command("loaddata", str(demo_snapshot.fixture), verbosity=0)
    return demo_snapshot


@pytest.fixture(scope="module")
def browser(demo_snapshot) -> Iterator:
    """The shared Chromium, started after the demo database is built (see chromium())."""
    with browser_helpers.chromium() as launched:
        yield launched


@pytest.fixture
def visitors(browser, live_server, request) -> Iterator[People]:
    """People at browsers that let axe-core in (Content Security Policy bypassed)."""
    people = People(
        browser,
        live_server.url,
        request.config.rootpath / ARTIFACTS,
        request.node.name,
        bypass_csp=True,
    )
    yield people
    people.close()


# --- axe-core --------------------------------------------------------------------------------

# The main navigation bar is the same on every page: it has a test of its own, and the page
# tests leave it out, so that a page's own problems are not drowned in the layout's.
NAVBAR = 'nav[aria-label="Navigasi utama"]'
RUN_AXE = """async (context) => {
    const results = await axe.run(context, { resultTypes: ["violations"] });
    return results.violations.map((rule) => ({
        id: rule.id,
        impact: rule.impact,
        help: rule.help,
        helpUrl: rule.helpUrl,
        nodes: rule.nodes.map((node) => ({
            target: node.target.join(" "),
            summary: node.failureSummary,
        })),
    }));
}"""


def serious_violations(page, context: dict) -> list[dict]:
    """axe-core's serious and critical violations within ``context`` (axe's include/exclude)."""
    page.add_script_tag(path=str(AXE))
    return [rule for rule in page.evaluate(RUN_AXE, context) if rule["impact"] in SERIOUS]


def describe(violations: list[dict], url: str) -> str:
    lines = [f"{len(violations)} serious/critical axe-core violation(s) on {url}:"]
    for rule in violations:
        lines.append(f"- {rule['id']} ({rule['impact']}): {rule['help']} <{rule['helpUrl']}>")
        for node in rule["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}  — {summary}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Known:
    """Violations the app has today, reported for fixing: the test is a strict xfail.

    Only the listed axe rules are tolerated; any other serious violation on that page fails
    the test outright. Once the page is fixed the xfail turns into a failure ("XPASS(strict)"):
    then delete the entry.
    """

    reason: str
    rules: frozenset[str] = frozenset({"color-contrast"})


def check(page, violations: list[dict], known: Known | None) -> None:
    if known is not None:
        unexpected = [rule for rule in violations if rule["id"] not in known.rules]
        if unexpected:
            pytest.fail(describe(unexpected, page.url), pytrace=False)
    assert not violations, describe(violations, page.url)


def known_marks(known: Known | None) -> list:
    if known is None:
        return []
    return [pytest.mark.xfail(strict=True, raises=AssertionError, reason=known.reason)]


# --- The layout ------------------------------------------------------------------------------


def test_main_navigation_has_no_serious_accessibility_violations(demo_site, visitors):
    with visitors.screenshots_on_failure():
        page = visitors.sign_in("kasubag")
        navbar = page.locator(NAVBAR)
        for link in ("Dasbor", "Tugas Saya", "Laporan Triwulan", "SOP", "Waktu SOP", "Arsip"):
            expect(navbar.get_by_role("link", name=link, exact=True)).to_be_visible()
        expect(navbar.get_by_role("button", name="Keluar")).to_be_visible()
        violations = serious_violations(page, {"include": [[NAVBAR]]})
    check(page, violations, None)


# --- The pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    user: str | None  # None: nobody signed in; else a username or a DemoSite attribute
    url: Callable[[DemoSite], str]
    heading: str  # the start of the page's h1, to know it is the right page
    known: Known | None = None


def _report(pk_of: Callable[[DemoSite], int]) -> Callable[[DemoSite], str]:
    return lambda site: reverse("monev:report_detail", args=[pk_of(site)])


CASES = {
    "login": Case(None, lambda site: reverse("login"), "Masuk ke Sutera Kinerja"),
    "verifikasi": Case(
        None,
        lambda site: reverse("monev:verification", args=[site.verification]),
        "Verifikasi dokumen",
    ),
    "tugas_saya": Case(
        "data_kasi",
        lambda site: reverse("monev:inbox"),
        "Tugas Saya",
    ),
    "laporan_triwulan": Case(
        "sekretaris", lambda site: reverse("monev:report_list"), "Laporan Triwulan"
    ),
    "laporan_berjalan": Case("data_kasi", _report(lambda site: site.current), "Laporan"),
    "laporan_arsip": Case("kasubag", _report(lambda site: site.archived), "Laporan"),
    "isi_data_triwulan": Case(
        "data_kasi",
        lambda site: reverse("monev:section_data", args=[site.current, site.data_section]),
        "Isi Data Triwulan",
    ),
    "blangko_monev": Case(
        "monev_kasi",
        lambda site: reverse("monev:monev_sheet", args=[site.late, site.monev_section]),
        "Blangko Monev",
    ),
    "data_dan_analisis": Case(
        "kasubag",
        lambda site: reverse("monev:report_analysis", args=[site.late]),
        "Data dan Analisis Kecamatan",
    ),
    "draf_versi": Case(
        "sekretaris",
        lambda site: reverse("monev:draft_version", args=[site.archived, site.version]),
        "Draf laporan versi",
    ),
    "arsip": Case("kasubag", lambda site: reverse("monev:archive_list"), "Arsip laporan monev"),
    "sop": Case("data_kasi", lambda site: reverse("monev:sop_current"), "Standar Operasional"),
    "waktu_sop": Case("sekretaris", lambda site: reverse("monev:sop_timing"), "Waktu SOP"),
    "dasbor_camat": Case("camat", lambda site: reverse("monev:dashboard"), "Dasbor Kinerja"),
    "laporan_menunggu_camat": Case("camat", _report(lambda site: site.waiting), "Laporan"),
    "draf_menunggu_camat": Case(
        "camat",
        lambda site: reverse("monev:draft_version", args=[site.waiting, site.waiting_version]),
        "Draf laporan versi",
    ),
    "ubah_sandi": Case("kasubag", lambda site: reverse("password_change"), "Ubah kata sandi"),
    "lupa_sandi": Case(None, lambda site: reverse("password_reset"), "Lupa kata sandi"),
    "notifikasi": Case(
        "data_kasi",
        lambda site: reverse("monev:notification_list"),
        "Notifikasi",
    ),
}


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, id=name, marks=known_marks(case.known)) for name, case in CASES.items()],
)
def test_page_has_no_serious_accessibility_violations(case: Case, demo_site, visitors):
    with visitors.screenshots_on_failure():
        if case.user is None:
            page = visitors.new_page("anonim")
        else:
            page = visitors.sign_in(getattr(demo_site, case.user, case.user))
        response = page.goto(case.url(demo_site))
        assert response is not None, page.url
        assert response.ok, f"{page.url}: HTTP {response.status}"
        expect(page.get_by_role("heading", level=1)).to_contain_text(case.heading)
        violations = serious_violations(page, {"exclude": [[NAVBAR]]})
    # A known violation is no news: screenshots only for new ones.
    with visitors.screenshots_on_failure(enabled=case.known is None):
        check(page, violations, case.known)


def test_error_page_has_no_serious_accessibility_violations(demo_site, visitors):
    with visitors.screenshots_on_failure():
        page = visitors.sign_in(demo_site.data_kasi)
        response = page.goto(reverse("monev:report_detail", args=[999999]))
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")
        violations = serious_violations(page, {"exclude": [[NAVBAR]]})
    check(page, violations, None)
