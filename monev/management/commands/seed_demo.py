"""Load the SOP and the demo office, then play a realistic history through the real services."""

import datetime
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from monev import clock, services, workflow
from monev.models import Office, Report, SheetKind, Staff, StepKind
from monev.models.office import logo_path
from monev.models.report import quarter_of
from monev.selectors import current_sop, office_calendar
from monev.selectors.snapshots import decision_binding
from monev.services.approval import report_approve
from monev.services.notifications import muted
from monev.signing.local import create_authority, issue_certificate
from monev.worktime import JAKARTA, standard_seconds

from ._demo_data import DemoData

FIXTURES = [
    "office_sutera",
    "work_schedules",  # Mon-Thu and Friday hours with breaks, Ramadan periods
    "sop_pengukuran_kinerja",
    "demo_users",
    "rating_bands",
    "demo_indicators",
]
PAST_QUARTERS = 6
# Steps the demo office does far faster than the SOP's standard (share of it), so the yearly
# SOP evaluation has a standard time to propose.
FAST_STEPS = {3: (0.15, 0.35)}
# The demo's electronic signatures (README): the Camat's passphrase, and the office CA's.
DEMO_SIGNING_PASSPHRASE = "tte-demo-2025"
DEMO_CA_PASSPHRASE = "ca-demo-sutera-2025"
INDICATOR_ADMINS = "Pengelola indikator"
# Notes of the returns played in past quarters: by the first decision step, then by the last.
RETURN_NOTES = [
    "Tabel capaian Seksi Kesos belum memuat faktor penghambat; lengkapi sebelum diajukan.",
    "Analisis Seksi Trantibum perlu diperjelas dan angka IKM disesuaikan dengan hasil survei.",
]


def grant_indicator_admin(user) -> None:
    """The Kasubag PKP maintains indicators, targets and Renja activities in the admin."""
    group, _created = Group.objects.get_or_create(name=INDICATOR_ADMINS)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="monev",
            content_type__model__in=[
                "indicator",
                "indicatortarget",
                "activity",
                "activitybudget",
                "renstrabudget",
            ],
        )
    )
    user.groups.add(group)


def demo_certificates(office: Office, now: datetime.datetime) -> None:
    """The office CA and a certificate for every official whose step signs and for the SOP's
    penilai (who may sign the monitoring), issued before the played history begins so that its
    past approvals could be signed."""
    issued = now - datetime.timedelta(days=365 * 3)
    sop = office.sops.get(is_active=True)
    signing_roles = {step.role for step in sop.steps.all() if step.signs_document}
    signing_roles.add(sop.reviewer_role)
    with clock.frozen_at(issued):
        create_authority(office=office, passphrase=DEMO_CA_PASSPHRASE)
        for staff in Staff.objects.filter(office=office, role__in=signing_roles).select_related(
            "user", "office"
        ):
            issue_certificate(
                staff=staff,
                ca_passphrase=DEMO_CA_PASSPHRASE,
                passphrase=DEMO_SIGNING_PASSPHRASE,
                days=365 * 5,
            )


# A neutral shield drawn for the demo, standing in for the Kabupaten's coat of arms.
DEMO_LOGO = Path(__file__).parent / "demo" / "logo-contoh.png"


def give_demo_logo(office: Office) -> None:
    """Loading the fixture again empties the logo field; the file from an earlier run stays."""
    if office.logo:
        return
    name = logo_path(office, DEMO_LOGO.name)
    if default_storage.exists(name):
        Office.objects.filter(pk=office.pk).update(logo=name)
        return
    with DEMO_LOGO.open("rb") as handle:
        office.logo.save(DEMO_LOGO.name, File(handle), save=True)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


class Command(BaseCommand):
    help = "Memuat SOP, kantor demo Kecamatan Sutera, pengguna demo, dan riwayat laporan."

    def handle(self, *args, **options):
        call_command("loaddata", *FIXTURES, verbosity=0)
        grant_indicator_admin(get_user_model().objects.get(username="kasubag"))
        office = Office.objects.get(code="sutera")
        give_demo_logo(office)
        if Report.objects.filter(office=office).exists():
            self.stdout.write("Data demo sudah ada; riwayat laporan tidak dibuat ulang.")
            return
        # The played history would otherwise mail every demo user about steps long past.
        with muted(), transaction.atomic():
            demo_certificates(office, clock.now())
            History(office).build(clock.now())
        self.stdout.write(self.style.SUCCESS("Data demo Kecamatan Sutera dimuat."))


class History:
    """Drives past quarters to the archive and the current quarter part-way, via the services."""

    def __init__(self, office: Office):
        self.office = office
        self.calendar = office_calendar(office)
        users = get_user_model().objects.select_related("staff").filter(staff__office=office)
        self.by_role: dict[str, object] = {}
        self.by_section: dict[int, object] = {}
        for user in users:
            self.by_role.setdefault(user.staff.role, user)
            if user.staff.section_id:
                self.by_section[user.staff.section_id] = user

    def build(self, now: datetime.datetime) -> None:
        year, quarter = quarter_of(now.astimezone(JAKARTA).date())
        self.data = DemoData(self.office, years=range(year - 2, year + 1))
        past = []
        y, q = year, quarter
        for _ in range(PAST_QUARTERS):
            y, q = previous_quarter(y, q)
            past.append((y, q))
        steps = current_sop(self.office).steps.all()
        decisions = [step.number for step in steps if step.kind == StepKind.DECISION]
        # The last past quarter waits at the approval (the last decision), after a return from
        # the first decision so there is a second draft version to compare; the older ones are
        # archived.
        approval = workflow.approval_step(Report(sop=current_sop(self.office)))
        for index, (y, q) in enumerate(reversed(past)):
            rng = random.Random(y * 10 + q)
            quarter_end = datetime.date(y + (q == 4), 1 if q == 4 else q * 3 + 1, 1)
            start = self._morning(quarter_end + datetime.timedelta(days=rng.randint(2, 6)))
            if index == len(past) - 1 and approval is not None:
                # Briskly, so it reaches the decision however early in a quarter the demo runs.
                first_return = {decisions[0]: RETURN_NOTES[0]} if decisions else {}
                self._play(
                    y, q, start, rng, until=now, returns=first_return, stop_at=approval.number,
                    pace=0.5,
                )  # fmt: skip
                continue
            returns = {decisions[0]: RETURN_NOTES[0]} if index % 3 == 1 and decisions else {}
            if index % 3 == 2 and decisions:
                returns = {decisions[-1]: RETURN_NOTES[1]}
            self._play(y, q, start, rng, until=now, returns=returns)
        # The current quarter: opened a few working days ago, sections part-way through step 2.
        rng = random.Random(year * 10 + quarter)
        opened = self._morning((now - datetime.timedelta(days=4)).date())
        opened = min(opened, now - datetime.timedelta(hours=1))
        self._play(year, quarter, opened, rng, until=now, stop_at=2)

    def _morning(self, day: datetime.date) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=JAKARTA)
        return self.calendar.add_working_seconds(moment, 0)

    def _after(self, moment, step, rng, low=0.4, high=1.5, pace=1.0) -> datetime.datetime:
        if step.standard_amount:
            base = standard_seconds(step.standard_amount, step.standard_unit, self.calendar, moment)
        else:
            base = self.calendar.day_seconds
        seconds = int(base * rng.uniform(low, high) * pace)
        return self.calendar.add_working_seconds(moment, seconds)

    def _play(
        self, year, quarter, start, rng, *, until, returns=None, stop_at=None, pace=1.0
    ) -> None:
        """Play one quarter; ``returns`` maps a decision step to the note it returns with once."""
        actor = self.by_role[current_sop(self.office).steps.order_by("number").first().role]
        with clock.frozen_at(start):
            report = services.report_open(
                office=self.office, year=year, quarter=quarter, actor=actor
            )
        moment = start
        pending_returns = dict(returns or {})
        while not report.is_archived:
            report = Report.objects.get(pk=report.pk)
            step = workflow.current_step(report)
            if step.per_section:
                moment = self._sections(report, step, moment, rng, until, stop_at, pace)
                if moment is None:
                    return
                continue
            low, high = FAST_STEPS.get(step.number, (0.4, 1.5))
            moment = self._after(moment, step, rng, low, high, pace=pace)
            if moment >= until or step.number == stop_at:
                return
            user = self.by_role[step.role]
            with clock.frozen_at(moment):
                if step.number in pending_returns:
                    report = services.report_return(
                        report_id=report.pk,
                        actor=user,
                        from_step=step.number,
                        note=pending_returns.pop(step.number),
                    )
                elif step.signs_document:
                    self.data.before_completing(report, step, user, rng)
                    report = report_approve(
                        report_id=report.pk,
                        actor=user,
                        from_step=step.number,
                        passphrase=DEMO_SIGNING_PASSPHRASE,
                        **decision_binding(report),
                    )
                else:
                    self.data.before_completing(report, step, user, rng)
                    report = services.report_complete_step(
                        report_id=report.pk,
                        actor=user,
                        from_step=step.number,
                        **decision_binding(report),
                    )

    def _sections(self, report, step, start, rng, until, stop_at, pace=1.0):
        """Each Kepala Seksi submits at their own pace; returns when the step is done."""
        sections = workflow.active_sections(report)
        times = sorted(
            ((self._after(start, step, rng, 0.3, 1.3, pace), s) for s in sections),
            key=lambda t: t[0],
        )
        partial = step.number == stop_at
        for index, (moment, section) in enumerate(times):
            if moment >= until or (partial and index >= max(1, len(times) // 2)):
                return None
            with clock.frozen_at(moment):
                if step.sheet == SheetKind.DATA:
                    self.data.fill(report, section, self.by_section[section.pk], rng)
                elif step.sheet == SheetKind.MONEV:
                    self.data.fill_monev(report, section, self.by_section[section.pk], rng)
                services.report_submit_section(
                    report_id=report.pk,
                    actor=self.by_section[section.pk],
                    from_step=step.number,
                    section_id=section.pk,
                )
        return times[-1][0]
