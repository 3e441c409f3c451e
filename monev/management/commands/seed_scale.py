"""Build a large installation for load tests: many kecamatan, many years, many indicators.

Everything is written with bulk_create in one transaction, so 15 offices x 10 years x 60
indicators take seconds, not the hours that playing each transition through the services
would. The rows look like what the services write (step logs with working time against the
SOP's standard, realisations with their change history), but no PDF is rendered and no file is
archived: the archive list of these offices stays empty.

Their closed quarters are therefore not an approved record: the signing step's log row exists,
but no document was signed (no CA, no certificate, no DocumentSignature, nothing to verify at
/verifikasi/), which the services would never allow (report_complete_step refuses a signing
step; only report_approve, with a certificate and its passphrase, completes it). Signing ~500
quarters would cost a PDF render each; seed_demo is the data with signed, verifiable archives.
"""

import datetime
import json
import random
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from monev import clock
from monev.frozen import sha256_text
from monev.log_chain import chain_unsaved
from monev.models import (
    Activity,
    ActivityBudget,
    ActivityLevel,
    ActivityRealisation,
    Aggregation,
    Direction,
    DraftVersion,
    Indicator,
    IndicatorTarget,
    LogAction,
    MonevEntry,
    Office,
    RatingBand,
    Realisation,
    RealisationChange,
    Report,
    Role,
    Section,
    SectionAnalysis,
    SectionSheet,
    SectionSubmission,
    SheetKind,
    Sop,
    SopStep,
    Staff,
    StepKind,
    StepLog,
)
from monev.models.report import quarter_of
from monev.performance import achievement
from monev.selectors.snapshots import live_content
from monev.services.step_log import step_log
from monev.worktime import JAKARTA, WorkCalendar, standard_seconds

CODE_PREFIX = "skala-"
DEMO_PASSWORD = "sutera-demo-2025"
SECTIONS = [
    ("pemerintahan", "Pemerintahan"),
    ("trantibum", "Ketenteraman dan Ketertiban Umum"),
    ("pmn", "Pemberdayaan Masyarakat dan Nagari"),
    ("kesos", "Kesejahteraan Sosial"),
    ("pelayanan", "Pelayanan Umum"),
]
# Username suffix, role, section code, first name: the demo's accounts, once per office.
PEOPLE = [
    ("camat", Role.CAMAT, None, "Camat"),
    ("sekretaris", Role.SEKRETARIS, None, "Sekretaris"),
    ("kasubag", Role.KASUBAG_PKP, None, "Kasubag PKP"),
    *[(f"kasi_{code}", Role.KEPALA_SEKSI, code, f"Kasi {code.upper()}") for code, _ in SECTIONS],
    ("admin", Role.ADMIN, None, "Operator"),
]
# Where each office's current report stands; office 1 waits on its Sekretaris (step 9), so
# the load test's user has something in Tugas Saya. The others spread over every role.
CURRENT_STEPS = [9, 2, 5, 3, 11, 8, 12, 4, 6, 7, 10, 1, 13]
# (unit, direction, aggregation, typical quarterly target)
INDICATOR_KINDS = [
    ("%", Direction.HIGHER, Aggregation.LAST, 85),
    ("indeks", Direction.HIGHER, Aggregation.LAST, 80),
    ("dokumen", Direction.HIGHER, Aggregation.SUM, 12),
    ("orang", Direction.HIGHER, Aggregation.SUM, 150),
    ("kasus", Direction.LOWER, Aggregation.SUM, 8),
    ("hari", Direction.LOWER, Aggregation.AVERAGE, 3),
]
TEXTS = {
    "driving": "Koordinasi yang baik dengan wali nagari dan perangkat nagari.",
    "inhibiting": "Keterbatasan personel dan data nagari yang terlambat masuk.",
    "follow_up": "Menjadwalkan ulang kegiatan dan memperkuat rapat koordinasi bulanan.",
    "findings": "Pelaksanaan dipantau ke lapangan; data dukung lengkap di seksi.",
    "problems": "Sebagian laporan nagari masih menyusul.",
    "recommendation": "Percepat pengiriman data nagari melalui grup koordinasi.",
    "analysis": "Capaian seksi umumnya sesuai target; indikator di bawah target dipengaruhi "
    "keterlambatan data dari nagari. Koordinasi bulanan akan diperkuat.",
}
DRAFT_HTML = (
    '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Draf</title></head>'
    "<body><p>Draf laporan data uji beban (dibuat oleh seed_scale, tanpa PDF).</p></body></html>"
)


def quarter_end(year: int, quarter: int) -> datetime.date:
    """The first day after the quarter: reporting on it can start from then."""
    return datetime.date(year + (quarter == 4), 1 if quarter == 4 else quarter * 3 + 1, 1)


def _decimal(value: float, unit: str) -> Decimal:
    places = Decimal("0.01") if unit in {"%", "indeks", "hari"} else Decimal("1")
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


@dataclass
class OfficeData:
    """One seeded office with the rows its reports refer to."""

    number: int
    office: Office
    sop: Sop
    steps: list[SopStep]
    sections: list[Section]
    users: dict[str, object]
    kasi: dict[int, object]  # section id -> its Kepala Seksi
    indicators: list[Indicator] = field(default_factory=list)
    targets: dict[tuple[int, int], IndicatorTarget] = field(default_factory=dict)
    sub_activities: list[Activity] = field(default_factory=list)
    budgets: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def decisions(self) -> list[int]:
        """The steps that may return the draft: the quarters with a return pick one."""
        return [step.number for step in self.steps if step.kind == StepKind.DECISION]


@dataclass
class Timeline:
    """A report's step history as the services would have logged it."""

    logs: list[StepLog]
    submissions: list[SectionSubmission]
    current_step: int
    step_started_at: datetime.datetime
    archived_at: datetime.datetime | None
    drafts: list[tuple[int, datetime.datetime]]  # (step number, created at)
    end: datetime.datetime


class Command(BaseCommand):
    help = (
        "Membangun instalasi besar untuk uji beban: banyak kecamatan, banyak tahun, banyak "
        "indikator (bawaan 15 kecamatan, 10 tahun, 60 indikator). Menolak berjalan dua kali."
    )

    def add_arguments(self, parser):
        parser.add_argument("--offices", type=int, default=15, help="jumlah kecamatan")
        parser.add_argument("--years", type=int, default=10, help="jumlah tahun laporan")
        parser.add_argument(
            "--indicators", type=int, default=60, help="jumlah indikator per kecamatan"
        )
        parser.add_argument("--seed", type=int, default=2025, help="benih bilangan acak")
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="kata sandi semua pengguna skala"
        )

    def handle(self, *args, **options):
        offices, years, indicators = options["offices"], options["years"], options["indicators"]
        if not (1 <= offices <= 99 and 1 <= years <= 50 and 5 <= indicators <= 500):
            raise CommandError(
                "Rentang yang diizinkan: 1-99 kecamatan, 1-50 tahun, 5-500 indikator."
            )
        existing = Office.objects.filter(code__startswith=CODE_PREFIX).count()
        if existing:
            raise CommandError(
                f"Data skala sudah ada ({existing} kantor berkode '{CODE_PREFIX}*'); perintah "
                "ini tidak dijalankan dua kali. Pakai basis data baru untuk membangunnya ulang."
            )
        started = time.perf_counter()
        if not RatingBand.objects.exists():
            call_command("loaddata", "rating_bands", verbosity=0)
        builder = ScaleBuilder(
            offices=offices,
            years=years,
            indicators=indicators,
            rng=random.Random(options["seed"]),
            password_hash=make_password(options["password"]),
            now=clock.now(),
        )
        with transaction.atomic():
            counts = builder.build()
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Data skala dimuat dalam {elapsed:.1f} detik ({connection.vendor}): {summary}."
            )
        )
        self.stdout.write(
            f"Pengguna: {CODE_PREFIX.rstrip('-')}01_sekretaris, ..._camat, ..._kasubag, "
            f"..._kasi_pemerintahan, dst.; kata sandi: {options['password']}"
        )


class ScaleBuilder:
    """Creates the offices, their master data, then every report with its history."""

    def __init__(self, *, offices, years, indicators, rng, password_hash, now):
        self.office_count = offices
        self.indicator_count = indicators
        self.rng = rng
        self.password_hash = password_hash
        self.now = now
        today = now.astimezone(JAKARTA).date()
        self.current = quarter_of(today)
        self.years = list(range(today.year - years + 1, today.year + 1))
        self.calendar = WorkCalendar()  # seeded offices keep the default office hours
        self.counts: dict[str, int] = {}

    def _count(self, name: str, rows: list) -> list:
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return rows

    def build(self) -> dict[str, int]:
        sop_source = json.loads(
            (settings.BASE_DIR / "fixtures" / "sop_pengukuran_kinerja.json").read_text("utf-8")
        )
        for number in range(1, self.office_count + 1):
            data = self._office(number, sop_source)
            self._indicators(data)
            self._reports(data)
        return self.counts

    # --- master data -----------------------------------------------------------------------

    def _office(self, number: int, sop_source: list[dict]) -> OfficeData:
        label = f"{number:02d}"
        office = Office.objects.create(
            code=f"{CODE_PREFIX}{label}",
            name=f"Kecamatan Skala {label}",
            regency="Kabupaten Pesisir Selatan",
            province="Sumatera Barat",
            place=f"Skala {label}",
            head_title=f"Camat Skala {label}",
        )
        self._count("kantor", [office])
        sections = Section.objects.bulk_create(
            Section(office=office, code=code, name=name, order=index)
            for index, (code, name) in enumerate(SECTIONS, start=1)
        )
        by_code = {s.code: s for s in sections}
        user_model = get_user_model()
        users = user_model.objects.bulk_create(
            user_model(
                username=f"{CODE_PREFIX.rstrip('-')}{label}_{suffix}",
                first_name=first,
                last_name=f"Skala {label}",
                password=self.password_hash,
            )
            for suffix, _role, _section, first in PEOPLE
        )
        self._count("pengguna", users)
        Staff.objects.bulk_create(
            Staff(
                user=user,
                office=office,
                role=role,
                section=by_code[section] if section else None,
                job_title=first,
            )
            for user, (_suffix, role, section, first) in zip(users, PEOPLE, strict=True)
        )
        named = {suffix: user for user, (suffix, *_rest) in zip(users, PEOPLE, strict=True)}
        kasi = {by_code[code].pk: named[f"kasi_{code}"] for code, _name in SECTIONS}
        sop_fields = next(row["fields"] for row in sop_source if row["model"] == "monev.sop")
        sop = Sop.objects.create(**{**sop_fields, "office": office})
        steps = SopStep.objects.bulk_create(
            SopStep(**{**row["fields"], "sop": sop})
            for row in sop_source
            if row["model"] == "monev.sopstep"
        )
        steps.sort(key=lambda s: s.number)
        return OfficeData(number, office, sop, steps, sections, named, kasi)

    def _indicators(self, data: OfficeData) -> None:
        rng = self.rng
        office = data.office
        activities = []
        for section in data.sections:
            program = Activity(
                office=office,
                section=section,
                level=ActivityLevel.PROGRAM,
                code=f"7.01.{section.order:02d}",
                name=f"Program Seksi {section.name}",
                order=1,
            )
            activities.append(program)
        Activity.objects.bulk_create(activities)
        subs = []
        for program in activities:
            for index in (1, 2):
                subs.append(
                    Activity(
                        office=office,
                        section=program.section,
                        parent=program,
                        level=ActivityLevel.SUB_KEGIATAN,
                        code=f"{program.code}.2.{index:02d}",
                        name=f"Sub kegiatan {index} {program.section.name}",
                        order=index + 1,
                    )
                )
        data.sub_activities = Activity.objects.bulk_create(subs)
        self._count("kegiatan", activities + subs)
        budgets = []
        for activity in data.sub_activities:
            base = rng.randrange(40, 200) * 1_000_000
            for offset, year in enumerate(self.years):
                amount = int(base * (1.04**offset))
                data.budgets[(activity.pk, year)] = amount
                budgets.append(ActivityBudget(activity=activity, year=year, budget=amount))
        self._count("pagu", ActivityBudget.objects.bulk_create(budgets))

        indicators = []
        for index in range(self.indicator_count):
            section = data.sections[index % len(data.sections)]
            unit, direction, aggregation, _typical = INDICATOR_KINDS[index % len(INDICATOR_KINDS)]
            is_iku = index < len(data.sections) * 2
            indicators.append(
                Indicator(
                    office=office,
                    section=section,
                    activity=None if is_iku else data.sub_activities[index % len(subs)],
                    code=f"{'IKU' if is_iku else 'IK'}-{index + 1:03d}",
                    name=f"Indikator {index + 1} Seksi {section.name} ({unit})",
                    goal="Meningkatnya kualitas penyelenggaraan pemerintahan kecamatan",
                    unit=unit,
                    direction=direction,
                    aggregation=aggregation,
                    data_source="Laporan seksi",
                    is_iku=is_iku,
                    order=index + 1,
                )
            )
        data.indicators = Indicator.objects.bulk_create(indicators)
        self._count("indikator", data.indicators)
        targets = []
        for index, indicator in enumerate(data.indicators):
            typical = INDICATOR_KINDS[index % len(INDICATOR_KINDS)][3]
            for offset, year in enumerate(self.years):
                level = typical * (1 + 0.02 * offset) * rng.uniform(0.9, 1.1)
                if indicator.unit == "%":
                    level = min(level, 98)
                if indicator.aggregation == Aggregation.SUM:
                    quarters = [_decimal(level, indicator.unit) for _q in range(4)]
                    annual = sum(quarters)
                else:
                    quarters = [
                        _decimal(level * (0.97 + 0.01 * q), indicator.unit) for q in range(4)
                    ]
                    annual = quarters[-1]
                target = IndicatorTarget(
                    indicator=indicator,
                    year=year,
                    annual=annual,
                    q1=quarters[0],
                    q2=quarters[1],
                    q3=quarters[2],
                    q4=quarters[3],
                    renstra_target=annual,
                )
                data.targets[(indicator.pk, year)] = target
                targets.append(target)
        self._count("target", IndicatorTarget.objects.bulk_create(targets))

    # --- reports ---------------------------------------------------------------------------

    def _quarters(self) -> list[tuple[int, int]]:
        return [(y, q) for y in self.years for q in range(1, 5) if (y, q) <= self.current]

    def _reports(self, data: OfficeData) -> None:
        quarters = self._quarters()
        current_step = CURRENT_STEPS[(data.number - 1) % len(CURRENT_STEPS)]
        # The current quarter's report opened a few weeks ago and is on its way; every earlier
        # one is archived, each finished before the next one opened.
        current_open = self.calendar.add_working_seconds(self.now - datetime.timedelta(days=40), 0)
        timelines = {}
        limit = current_open - datetime.timedelta(days=1)
        for year, quarter in reversed(quarters):
            if (year, quarter) == self.current:
                timelines[(year, quarter)] = self._timeline(
                    data, current_open, stop_at=current_step, scale=0.35
                )
                continue
            start = self.calendar.add_working_seconds(
                datetime.datetime.combine(
                    quarter_end(year, quarter) + datetime.timedelta(days=self.rng.randint(2, 6)),
                    datetime.time(8, 0),
                    tzinfo=JAKARTA,
                ),
                0,
            )
            seed = self.rng.random()
            returns = self.rng.choice([None, None, *data.decisions])
            timeline = self._timeline(data, start, returns=returns, rng_seed=seed)
            # A quarter whose natural pace would run into the next report's start is played
            # again from earlier; the working durations stay the same, only the dates move.
            # A day of slack per try: a start moved into a night or a weekend slides forward.
            for attempt in range(1, 6):
                if timeline.end <= limit:
                    break
                shift = timeline.end - limit + datetime.timedelta(days=attempt)
                start = self.calendar.add_working_seconds(start - shift, 0)
                timeline = self._timeline(data, start, returns=returns, rng_seed=seed)
            timelines[(year, quarter)] = timeline
            limit = min(limit, timeline.logs[0].started_at) - datetime.timedelta(days=1)

        opener = self._actor(data, data.steps[0])
        reports = Report.objects.bulk_create(
            Report(
                office=data.office,
                year=year,
                quarter=quarter,
                sop=data.sop,
                current_step=timelines[(year, quarter)].current_step,
                step_started_at=timelines[(year, quarter)].step_started_at,
                opened_by=opener,
                opened_at=timelines[(year, quarter)].logs[0].started_at,
                archived_at=timelines[(year, quarter)].archived_at,
            )
            for year, quarter in quarters
        )
        self._count("laporan", reports)
        logs, submissions = [], []
        for report in reports:
            timeline = timelines[(report.year, report.quarter)]
            for row in timeline.logs:
                row.report = report
            for row in timeline.submissions:
                row.report = report
            logs.extend(timeline.logs)
            submissions.extend(timeline.submissions)
        # bulk_create skips StepLog.save: chain the hashes here, in the order of the ids.
        chain_unsaved(logs)
        self._count("log langkah", StepLog.objects.bulk_create(logs, batch_size=2000))
        self._count("kiriman seksi", SectionSubmission.objects.bulk_create(submissions))
        self._report_data(data, reports, timelines)

    def _timeline(
        self, data: OfficeData, start, *, returns=None, stop_at=None, scale=1.0, rng_seed=None
    ) -> Timeline:
        """Walk the SOP from `start`; stop (open) at `stop_at`, or run to the archive."""
        rng = random.Random(rng_seed if rng_seed is not None else self.rng.random())
        steps = {s.number: s for s in data.steps}
        sequence = [s.number for s in data.steps]
        if returns:
            at = sequence.index(returns) + 1
            back = steps[returns].return_to
            sequence[at:at] = list(range(back, returns + 1))
        returned = False
        first = steps[sequence[0]]
        logs = [
            step_log(
                first,
                action=LogAction.OPEN,
                actor=self._actor(data, first),
                started_at=start,
                finished_at=start,
            )
        ]
        submissions, drafts = [], []
        moment = start
        for number in sequence:
            step = steps[number]
            if number == stop_at:
                half = len(data.sections) // 2 if step.per_section else 0
                for section in data.sections[:half]:
                    at = self._later(moment, step, rng, scale * 0.5)
                    submissions.append(self._submission(data, step, section, at))
                    logs.append(self._log(data, step, LogAction.SUBMIT, moment, at, section))
                return Timeline(logs, submissions, number, moment, None, drafts, moment)
            if step.per_section:
                times = sorted(
                    (self._later(moment, step, rng, scale * rng.uniform(0.3, 1.3)), section.pk)
                    for section in data.sections
                )
                by_pk = {s.pk: s for s in data.sections}
                for at, section_pk in times:
                    section = by_pk[section_pk]
                    submissions.append(self._submission(data, step, section, at))
                    logs.append(self._log(data, step, LogAction.SUBMIT, moment, at, section))
                finished = times[-1][0]
                last = by_pk[times[-1][1]]
                logs.append(
                    self._log(
                        data,
                        step,
                        LogAction.COMPLETE,
                        moment,
                        finished,
                        actor=data.kasi[last.pk],
                        note="Semua seksi telah mengirim.",
                    )
                )
                moment = finished
                continue
            finished = self._later(moment, step, rng, scale * rng.uniform(0.4, 1.5))
            if number == returns and not returned:
                returned = True
                logs.append(
                    self._log(
                        data,
                        step,
                        LogAction.RETURN,
                        moment,
                        finished,
                        note="Mohon analisis diperjelas dan angka disesuaikan.",
                    )
                )
            else:
                logs.append(self._log(data, step, LogAction.COMPLETE, moment, finished))
                if step.requires_new_version:
                    drafts.append((number, finished))
            moment = finished
        return Timeline(logs, submissions, sequence[-1], moment, moment, drafts, moment)

    def _later(self, moment, step: SopStep, rng, factor: float) -> datetime.datetime:
        if step.standard_amount:
            base = standard_seconds(step.standard_amount, step.standard_unit, self.calendar, moment)
        else:
            base = self.calendar.day_seconds
        seconds = max(60, int(base * factor * rng.uniform(0.8, 1.2)))
        return min(self.calendar.add_working_seconds(moment, seconds), self.now)

    def _submission(self, data, step, section, at) -> SectionSubmission:
        return SectionSubmission(
            step_number=step.number,
            section=section,
            submitted_by=data.kasi[section.pk],
            submitted_at=at,
        )

    def _log(
        self, data, step, action, started, finished, section=None, *, actor=None, note=""
    ) -> StepLog:
        if actor is None:
            actor = data.kasi[section.pk] if section else self._actor(data, step)
        return step_log(
            step,
            action=action,
            actor=actor,
            calendar=self.calendar,
            started_at=started,
            finished_at=finished,
            section=section,
            note=note,
        )

    @staticmethod
    def _actor(data: OfficeData, step: SopStep):
        return {
            Role.CAMAT: data.users["camat"],
            Role.SEKRETARIS: data.users["sekretaris"],
            Role.KASUBAG_PKP: data.users["kasubag"],
            Role.ADMIN: data.users["admin"],
        }.get(step.role, data.users["kasubag"])

    def _report_data(self, data: OfficeData, reports: list[Report], timelines) -> None:
        """Realisations (with their first change), activity spending, monev rows, analyses,
        sheets and draft versions, as far as each report's step has got."""
        rng = self.rng
        data_step = next(s.number for s in data.steps if s.sheet == SheetKind.DATA)
        monev_step = next(s.number for s in data.steps if s.sheet == SheetKind.MONEV)
        realisations, activity_rows, monev_rows = [], [], []
        analyses, sheets, versions = [], [], []
        kasubag = data.users["kasubag"]
        for report in reports:
            timeline = timelines[(report.year, report.quarter)]
            done = {(s.step_number, s.section_id): s.submitted_at for s in timeline.submissions}
            for section in data.sections:
                kasi = data.kasi[section.pk]
                saved = done.get((data_step, section.pk))
                if saved is None:
                    continue
                sheets.append(
                    SectionSheet(
                        report=report,
                        section=section,
                        kind=SheetKind.DATA,
                        revision=1,
                        updated_by=kasi,
                        updated_at=saved,
                    )
                )
                for indicator in data.indicators:
                    if indicator.section_id != section.pk:
                        continue
                    target = data.targets[(indicator.pk, report.year)].for_quarter(report.quarter)
                    spread = (0.85, 1.1) if indicator.direction == Direction.HIGHER else (0.9, 1.2)
                    value = _decimal(float(target) * rng.uniform(*spread), indicator.unit)
                    if indicator.unit == "%":
                        value = min(value, Decimal(100))
                    result = achievement(target, value, indicator.direction)
                    below = result.percent is not None and result.percent < 100
                    realisations.append(
                        Realisation(
                            report=report,
                            indicator=indicator,
                            value=value,
                            driving_factors="" if below else TEXTS["driving"],
                            inhibiting_factors=TEXTS["inhibiting"] if below else "",
                            follow_up=TEXTS["follow_up"] if below else "",
                            updated_by=kasi,
                            updated_at=saved,
                            revision=1,
                        )
                    )
                for activity in data.sub_activities:
                    if activity.section_id != section.pk:
                        continue
                    budget = data.budgets[(activity.pk, report.year)]
                    progress = report.quarter / 4 * rng.uniform(0.75, 0.98) * 100
                    activity_rows.append(
                        ActivityRealisation(
                            report=report,
                            activity=activity,
                            spent=int(budget / 4 * rng.uniform(0.7, 0.98)),
                            physical_progress=min(Decimal(100), _decimal(progress, "%")),
                            updated_by=kasi,
                            updated_at=saved,
                        )
                    )
                monev_saved = done.get((monev_step, section.pk))
                if monev_saved is None:
                    continue
                sheets.append(
                    SectionSheet(
                        report=report,
                        section=section,
                        kind=SheetKind.MONEV,
                        revision=1,
                        updated_by=kasi,
                        updated_at=monev_saved,
                    )
                )
                monev_rows.extend(
                    MonevEntry(
                        report=report,
                        indicator=indicator,
                        findings=TEXTS["findings"],
                        problems=TEXTS["problems"],
                        recommendation=TEXTS["recommendation"],
                        updated_by=kasi,
                        updated_at=monev_saved,
                    )
                    for indicator in data.indicators
                    if indicator.section_id == section.pk
                )
            analysed = next(
                (log.finished_at for log in timeline.logs if log.step_number == 7), None
            )
            if analysed is not None:
                analyses.extend(
                    SectionAnalysis(
                        report=report,
                        section=section,
                        text=TEXTS["analysis"],
                        updated_by=kasubag,
                        updated_at=analysed,
                    )
                    for section in data.sections
                )
            versions.extend(
                DraftVersion(
                    report=report,
                    number=index,
                    step_number=step_number,
                    html=DRAFT_HTML,
                    summary={},
                    created_by=kasubag,
                    created_at=created,
                )
                for index, (step_number, created) in enumerate(timeline.drafts, start=1)
            )
        realisations = Realisation.objects.bulk_create(realisations, batch_size=2000)
        self._count("realisasi", realisations)
        self._count(
            "riwayat realisasi",
            RealisationChange.objects.bulk_create(
                (
                    RealisationChange(
                        realisation=r,
                        old_value=None,
                        new_value=r.value,
                        changed_by=r.updated_by,
                        changed_at=r.updated_at,
                        source="form",
                    )
                    for r in realisations
                ),
                batch_size=2000,
            ),
        )
        self._count("realisasi kegiatan", ActivityRealisation.objects.bulk_create(activity_rows))
        self._count("blangko monev", MonevEntry.objects.bulk_create(monev_rows, batch_size=2000))
        self._count("analisis", SectionAnalysis.objects.bulk_create(analyses))
        self._count("lembar seksi", SectionSheet.objects.bulk_create(sheets))
        self._freeze_open_versions(versions)
        self._count("versi draf", DraftVersion.objects.bulk_create(versions))

    @staticmethod
    def _freeze_open_versions(versions: list[DraftVersion]) -> None:
        """The open report's versions freeze what it shows, so its decisions (11, 12) can
        name them as in the app; archived history keeps the rows it was built from."""
        frozen = {}
        for version in versions:
            report = version.report
            if report.archived_at is not None:
                continue
            if report.pk not in frozen:
                snapshot = live_content(report).as_json()
                frozen[report.pk] = (snapshot, sha256_text(snapshot))
            version.snapshot, version.snapshot_sha256 = frozen[report.pk]
