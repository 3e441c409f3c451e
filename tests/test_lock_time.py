"""No transition holds the database write lock for heavy work (issue 12): a whole quarter runs
through the services on SQLite, with both returns, the signed approval and the archive, and
every write transaction is timed from its BEGIN IMMEDIATE (which takes the write lock) to its
COMMIT, as SQLite itself sees them.

Besides wall time, each transaction's CPU time (this process and the renderer child
processes it waited for) is measured: on a busy machine wall time stretches while CPU time
does not, so the CPU limit is strict and the wall limit keeps a margin for the machine's load.
Rendering a PDF or a draft inside a transaction costs seconds of CPU and fails both."""

import dataclasses
import io
import resource
import time
import traceback
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from monev import services, workflow
from monev.models import (
    ActivityLevel,
    ArchivedFile,
    Evidence,
    Indicator,
    Report,
    SectionSheet,
    SheetKind,
)
from monev.selectors.snapshots import decision_binding
from monev.services.approval import report_approve, step_signs
from monev.services.data_checks import ActivityEntry, IndicatorEntry
from monev.services.documents import analysis_save
from monev.services.monev_sheet import MonevInput, monev_sheet_save
from monev.services.section_data import section_data_save

from .test_documents import at_step
from .test_signing import PASSPHRASE, camat_certificate, media  # noqa: F401
from .test_sop_engine import Quarter

# The write lock measured is SQLite's (one for the whole database, held from BEGIN IMMEDIATE to
# COMMIT): the bound is for it. PostgreSQL locks the report's row only.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="measures SQLite's database-wide write lock"
    ),
]

LOCK_LIMIT = 0.200  # seconds
# Wall time may stretch on a loaded machine; CPU time may not.
WALL_MARGIN = 3


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _caller() -> str:
    for frame in traceback.extract_stack():  # the outermost service: the transition
        if "/monev/services/" in frame.filename:
            return f"{frame.name} ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"
    return "?"


@dataclass
class Held:
    caller: str
    wall: float
    cpu: float
    statements: int


class LockClock:
    """SQLite's trace callback sees every statement the connection runs, BEGIN and COMMIT
    included (which Django issues outside its cursor wrappers)."""

    def __init__(self):
        self.held: list[Held] = []
        self._open = None

    def __call__(self, statement: str) -> None:
        word = statement.lstrip().split(" ", 1)[0].upper()
        if word == "BEGIN":
            self._open = (time.perf_counter(), _cpu(), "", 0)
        elif word in ("COMMIT", "ROLLBACK") and self._open:
            started, cpu, caller, statements = self._open
            self.held.append(Held(caller, time.perf_counter() - started, _cpu() - cpu, statements))
            self._open = None
        elif self._open:
            # A decorated transition's own frame only exists once its body runs.
            started, cpu, caller, statements = self._open
            self._open = (started, cpu, caller or _caller(), statements + 1)

    def __enter__(self):
        connection.ensure_connection()
        connection.connection.set_trace_callback(self)
        return self

    def __exit__(self, *exc):
        connection.connection.set_trace_callback(None)

    def longest(self) -> Held:
        return max(self.held, key=lambda h: h.cpu)


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.effect_noise((1600, 1200), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    return SimpleUploadedFile("bukti-kegiatan.jpg", buffer.getvalue(), "image/jpeg")


class SignedQuarter(Quarter):
    """The services' quarter with real documents: the approval renders and signs the PDF/A,
    the archive step stores it, and the analysis is written before drafting."""

    def act(self, report, step) -> None:
        if step.per_section and step.sheet:
            for section in workflow.active_sections(report):
                kasi = next(u for u in self.users.values() if u.staff.section_id == section.pk)
                self.fill(report, section, step.sheet, kasi)
        if step.kind == "draft" and not report.versions.exists():
            analysis_save(
                report_id=report.pk,
                actor=self.user_of(step.role),
                texts={s.pk: f"Analisis {s.name}." for s in workflow.active_sections(report)},
            )
        if step_signs(report, step.number) and step.number not in self.pending_returns:
            report_approve(
                report_id=report.pk,
                actor=self.user_of(step.role),
                from_step=step.number,
                passphrase=PASSPHRASE,
                **decision_binding(report),
            )
            return
        super().act(report, step)

    def fill(self, report, section, kind, kasi) -> None:
        """The section's sheet saved through its service, as the page's form would."""
        sheet = SectionSheet.objects.filter(report=report, section=section, kind=kind).first()
        common = {
            "report_id": report.pk,
            "section_id": section.pk,
            "actor": kasi,
            "revision": sheet.revision if sheet else 0,
        }
        indicators = Indicator.objects.filter(section=section, is_active=True)
        if kind == SheetKind.MONEV:
            entries = [MonevInput(i.pk, "Berjalan.", "-", "Lanjutkan.") for i in indicators]
            monev_sheet_save(**common, entries=entries)
            return
        values = [
            IndicatorEntry(
                i.pk,
                next(t for t in i.targets.all() if t.year == report.year).for_quarter(
                    report.quarter
                ),
                "Koordinasi baik.",
                "Tidak ada.",
                "Lanjutkan.",
            )
            for i in indicators.prefetch_related("targets")
        ]
        spent = [
            ActivityEntry(a.pk, 1_000_000, Decimal("50"))
            for a in section.activities.filter(level=ActivityLevel.SUB_KEGIATAN)
        ]
        # A photo as evidence on the first row: it is read and decoded before the lock.
        values[0] = dataclasses.replace(values[0], files=(_photo(),))
        section_data_save(**common, indicators=values, activities=spent)


@pytest.mark.usefixtures("camat_certificate", "media")
def test_no_write_transaction_of_a_quarter_holds_the_lock_for_long(sutera, users, demo_indicators):
    assert connection.vendor == "sqlite"
    quarter = SignedQuarter(sutera, users, year=2026, returns=(11, 12), check=False)

    with LockClock() as lock:
        report = quarter.run()

    assert report.is_archived
    assert ArchivedFile.objects.filter(report=report).count() == 2
    assert Evidence.objects.filter(realisation__report=report).count() == len(
        workflow.active_sections(report)
    )
    assert len(lock.held) > 30  # every move, each section's hand-in, drafts, approval
    longest = lock.longest()
    assert longest.cpu < LOCK_LIMIT, longest
    worst_wall = max(lock.held, key=lambda h: h.wall)
    assert worst_wall.wall < LOCK_LIMIT * WALL_MARGIN, worst_wall
    archive = [h for h in lock.held if "report_complete_step" in h.caller][-1]
    assert archive.cpu < LOCK_LIMIT and archive.wall < LOCK_LIMIT * WALL_MARGIN, archive


@pytest.mark.usefixtures("media")
def test_an_archive_step_without_a_signed_approval_renders_before_the_lock(
    sutera, users, demo_indicators
):
    """Reports approved without a signature (an SOP whose approval does not sign) get their
    documents at the archive step: rendered first, then stored in a short transaction."""
    report = at_step(sutera, 13)

    with LockClock() as lock:
        services.report_complete_step(report_id=report.pk, actor=users["kasubag"], from_step=13)

    assert Report.objects.get(pk=report.pk).is_archived
    assert ArchivedFile.objects.filter(report=report).count() == 2
    (archive,) = [h for h in lock.held if "report_complete_step" in h.caller]
    assert archive.cpu < LOCK_LIMIT and archive.wall < LOCK_LIMIT * WALL_MARGIN, archive
