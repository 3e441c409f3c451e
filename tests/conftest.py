"""Shared test data: the real SOP fixture, the Sutera office with one user per role, and a
second office to prove isolation. Factories state only what a test needs."""

import datetime
import itertools
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from monev.models import (
    SECTION_SHEETS,
    Office,
    Report,
    Role,
    Section,
    SectionSubmission,
    Sop,
    Staff,
)
from monev.worktime import JAKARTA

PASSWORD = "kata-sandi-uji-123"
_counter = itertools.count(1)

# The roles acting on the Sutera office, keyed like the demo usernames.
ROLE_USERS = {
    "camat": (Role.CAMAT, None),
    "sekretaris": (Role.SEKRETARIS, None),
    "kasubag": (Role.KASUBAG_PKP, None),
    "kasi_pemerintahan": (Role.KEPALA_SEKSI, "pemerintahan"),
    "kasi_trantibum": (Role.KEPALA_SEKSI, "trantibum"),
    "kasi_pmn": (Role.KEPALA_SEKSI, "pmn"),
    "kasi_kesos": (Role.KEPALA_SEKSI, "kesos"),
    "kasi_pelayanan": (Role.KEPALA_SEKSI, "pelayanan"),
    "admin": (Role.ADMIN, None),
}
KASI = [name for name, (role, _) in ROLE_USERS.items() if role == Role.KEPALA_SEKSI]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Files the app stores (rendered documents, ZIPs, uploads) go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media-auto"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids and revisions repeat from test to test."""
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def make_user(username: str | None = None, **fields):
    username = username or f"pengguna{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def make_staff(office: Office, role: str, section: Section | None = None, username=None):
    user = make_user(username, first_name=username or "Pegawai")
    Staff.objects.create(user=user, office=office, role=role, section=section)
    return user


def make_report(
    office: Office, *, year=2025, quarter=1, step=1, started=None, archived=False
) -> Report:
    """A report placed directly at a step (no history), for tests of one transition.

    Per-section steps already behind it count as handed in by every section, as they would be.
    """
    started = started or datetime.datetime(2025, 4, 7, 8, 0, tzinfo=JAKARTA)
    opener = Staff.objects.filter(office=office).select_related("user").first().user
    report = Report.objects.create(
        office=office,
        year=year,
        quarter=quarter,
        sop=Sop.objects.get(office=office),
        current_step=step,
        step_started_at=started,
        opened_by=opener,
        opened_at=started,
        archived_at=started if archived else None,
    )
    for sop_step in report.sop.steps.filter(kind__in=SECTION_SHEETS, number__lt=step):
        codes = office.sections.filter(staff__isnull=False).values_list("code", flat=True)
        submit_sections(report, sop_step.number, set(codes))
    return report


def submit_sections(report: Report, step: int, codes) -> None:
    for code in codes:
        section = report.office.sections.get(code=code)
        user = Staff.objects.get(section=section).user
        SectionSubmission.objects.create(
            report=report,
            step_number=step,
            section=section,
            submitted_by=user,
            submitted_at=report.step_started_at,
        )


@pytest.fixture
def sutera(db) -> Office:
    call_command("loaddata", "office_sutera", "sop_pengukuran_kinerja", verbosity=0)
    return Office.objects.get(code="sutera")


@pytest.fixture
def users(sutera) -> dict:
    """One user per role in Kecamatan Sutera, named like the demo accounts."""
    result = {}
    for name, (role, section_code) in ROLE_USERS.items():
        section = sutera.sections.get(code=section_code) if section_code else None
        result[name] = make_staff(sutera, role, section, username=name)
    return result


@pytest.fixture
def other_office(sutera) -> Office:
    """A second kecamatan with its own SOP (a copy of Sutera's) and a full set of staff."""
    office = Office.objects.create(
        code="lengayang", name="Kecamatan Lengayang", regency="Kabupaten Pesisir Selatan",
        head_title="Camat Lengayang",
    )  # fmt: skip
    sop = Sop.objects.get(office=sutera)
    steps = list(sop.steps.all())
    sop.pk, sop.office = None, office
    sop.save()
    for step in steps:
        step.pk, step.sop = None, sop
        step.save()
    section = Section.objects.create(office=office, code="pemerintahan", name="Pemerintahan")
    for role in Role.values:
        make_staff(office, role, section if role == Role.KEPALA_SEKSI else None)
    return office


def at_once(users: dict, names, send) -> list:
    """Each named user's own client calls send(client) at the same moment, each in a thread
    of its own (a transactional test: each thread has its own connection); the answers come
    back in the order of the names."""
    start = threading.Barrier(len(names))
    answers = [None] * len(names)

    def run(index: int, name: str) -> None:
        from django.test import Client

        client = Client()
        client.force_login(users[name])
        start.wait()
        try:
            answers[index] = send(client)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.fixture
def client_for(client, users):
    """client_for("camat") -> a test client logged in as that demo role."""
    from django.test import Client

    def build(name: str) -> Client:
        c = Client()
        c.force_login(users[name])
        return c

    return build


# --- Isi Data Triwulan (a section's quarterly data, step 2) ----------------------------------


NIP = "198003152000121001"


@pytest.fixture
def camat_nip(users):
    """The Camat signs documents as Hendri Yusman with this NIP."""
    Staff.objects.filter(user=users["camat"]).update(nip=NIP)
    users["camat"].first_name, users["camat"].last_name = "Hendri", "Yusman"
    users["camat"].save()


# --- Electronic signatures (the step that signs the document) ----------------------------------

SIGNING_PASSPHRASE = "rahasia-penandatangan-uji"
CA_PASSPHRASE = "rahasia-ca-kantor-uji"
CERTIFIED_FROM = datetime.datetime(2024, 1, 2, 8, 0, tzinfo=JAKARTA)


def certify_signers(sop: Sop) -> None:
    """Certificates from the office's CA for whoever holds a signing step of this SOP revision,
    with a NIP and jabatan where the test's staff have none: the plain service refuses to
    complete a signing step, so a test playing through it approves with report_approve."""
    from monev import clock
    from monev.models import SigningAuthority
    from monev.signing.local import create_authority, issue_certificate

    office = sop.office
    roles = {step.role for step in sop.steps.all() if step.signs_document}
    holders = Staff.objects.filter(office=office, role__in=roles).select_related("user", "office")
    # Issued early and for five years: valid whatever date a test plays its quarter on.
    with clock.frozen_at(CERTIFIED_FROM):
        if not SigningAuthority.objects.filter(office=office).exists():
            create_authority(office=office, passphrase=CA_PASSPHRASE)
        for staff in holders:
            if staff.user.signing_certificates.filter(revoked_at__isnull=True).exists():
                continue
            if not staff.nip or not staff.job_title:
                staff.nip = staff.nip or f"19800101200501{staff.pk:04d}"
                staff.job_title = staff.job_title or staff.get_role_display()
                staff.save(update_fields=["nip", "job_title"])
            issue_certificate(
                staff=staff,
                ca_passphrase=CA_PASSPHRASE,
                passphrase=SIGNING_PASSPHRASE,
                days=5 * 365,
            )


@pytest.fixture
def media(settings, tmp_path):
    """Uploads and archived files go to a fresh directory."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def demo_indicators(sutera) -> Office:
    """Sutera with the 23 demo indicators, their targets, the Renja activities with budgets and
    the rating bands."""
    call_command("loaddata", "rating_bands", "demo_indicators", verbosity=0)
    return sutera


def section_url(report: Report, code: str, name: str = "monev:section_data") -> str:
    """The URL of one of the section data views, for the section with this code."""
    from django.urls import reverse

    section = report.office.sections.get(code=code)
    return reverse(name, args=[report.pk, section.pk])


class SectionDataForm:
    """The data page's form as a browser posts it, built from the page's GET response.

    Every field starts with the value the page showed; a test changes only what it needs:
    ``form.indicator("IKU-03", value="85,5", driving="...")``.
    """

    def __init__(self, response):
        page = response.context["page"]
        self.data = {"revision": str(page.revision)}
        self._rows = {}
        ids = {
            "ind": {line.indicator.pk: line.indicator.code for line in page.indicators},
            "act": {line.activity.pk: line.activity.code for line in page.activities},
        }
        formsets = (
            ("ind", "indicator_id", response.context["indicator_formset"]),
            ("act", "activity_id", response.context["activity_formset"]),
        )
        for prefix, key, formset in formsets:
            self.data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.forms))
            self.data[f"{prefix}-INITIAL_FORMS"] = str(len(formset.forms))
            for index, form in enumerate(formset.forms):
                self._rows[(prefix, ids[prefix][form.initial[key]])] = index
                for name in form.fields:
                    value = form.initial.get(name)
                    if name != "files":
                        self.data[form.add_prefix(name)] = "" if value is None else str(value)

    def name(self, prefix: str, code: str, field: str) -> str:
        """The posted name of a field, e.g. ``ind-2-value`` for the indicator with this code."""
        return f"{prefix}-{self._rows[(prefix, code)]}-{field}"

    def indicator(self, code: str, **fields) -> "SectionDataForm":
        for field, value in fields.items():
            self.data[self.name("ind", code, field)] = value
        return self

    def activity(self, code: str, **fields) -> "SectionDataForm":
        for field, value in fields.items():
            self.data[self.name("act", code, field)] = value
        return self

    def post(self, client, url: str, button: str = "save", *, follow: bool = False):
        """Post with the button named ``button`` ("save" or "submit") pressed."""
        return client.post(url, {**self.data, button: ""}, follow=follow)


@pytest.fixture
def client_as(client_for, other_office):
    """client_as(name) -> a logged-in client for a Sutera role, or for "other_office": the
    Kasubag PKP of another kecamatan."""
    from django.test import Client

    def build(name: str) -> Client:
        if name != "other_office":
            return client_for(name)
        client = Client()
        client.force_login(Staff.objects.get(office=other_office, role=Role.KASUBAG_PKP).user)
        return client

    return build


@pytest.fixture
def kasubag_admin_client(users):
    """kasubag_admin_client() -> the Kasubag PKP signed in to the admin with the rights the
    demo gives them (their office's indicators and Renja activities)."""
    from django.test import Client

    from monev.management.commands.seed_demo import grant_indicator_admin

    def build() -> Client:
        kasubag = users["kasubag"]
        kasubag.is_staff = True
        kasubag.save()
        grant_indicator_admin(kasubag)
        client = Client()
        client.force_login(kasubag)
        return client

    return build
