"""Crash safety: a process killed in the middle of a transition leaves the report in its old
state, and a runaway PDF render is stopped at its own time limit instead of taking the
worker with it."""

import multiprocessing
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from monev.exports.render_limit import (
    DEFAULT_LIMIT_SECONDS,
    RenderError,
    RenderTimeout,
    default_limit,
    render_with_limit,
)
from monev.models import Report, StepLog

from .conftest import make_report

ROOT = Path(settings.BASE_DIR)

# --- a worker killed mid-transition ----------------------------------------------------------

# The child completes step 3 through the real service. Its step-log writer is wrapped: after
# the log row is written (inside the transaction, before the commit) the child says so and,
# in "hang" mode, sleeps until the test kills it with SIGKILL.
TRANSITION = """
import sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from monev.services import reports

mode, report_id, user_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
original = reports.log_step

def write_log_then_wait(*args, **kwargs):
    log = original(*args, **kwargs)
    backend = connection.connection.info.backend_pid if connection.vendor == "postgresql" else 0
    print(f"LOGGED {log.pk} {backend}", flush=True)
    if mode == "hang":
        time.sleep(120)
    return log

reports.log_step = write_log_then_wait
user = get_user_model().objects.get(pk=user_id)
reports.report_complete_step(report_id=report_id, actor=user, from_step=3)
print("DONE", flush=True)
"""
LINE_TIMEOUT = 20


class Database:
    """Where the child runs, and how the parent reads the outcome afterwards."""

    def __init__(self, url: str, sqlite_path: Path | None):
        self.url = url
        self.sqlite_path = sqlite_path

    def state(self, report_id: int) -> tuple[int, list[tuple[int, int, str]]]:
        """(current step, [(log id, step, action)]) as committed in the database."""
        if self.sqlite_path is None:
            report = Report.objects.get(pk=report_id)
            logs = StepLog.objects.filter(report_id=report_id).values_list(
                "pk", "step_number", "action"
            )
            return report.current_step, sorted(logs)
        reader = sqlite3.connect(self.sqlite_path)
        try:
            step = reader.execute(
                "SELECT current_step FROM monev_report WHERE id = ?", [report_id]
            ).fetchone()[0]
            logs = reader.execute(
                "SELECT id, step_number, action FROM monev_steplog WHERE report_id = ?",
                [report_id],
            ).fetchall()
        finally:
            reader.close()
        return step, sorted(logs)


def _postgres_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def _start(database: Database, mode: str, report_id: int, user_id: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="sutera_kinerja.settings",
        DATABASE_URL=database.url,
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONPATH=str(ROOT),
    )
    return subprocess.Popen(
        [sys.executable, "-c", TRANSITION, mode, str(report_id), str(user_id)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_line(child: subprocess.Popen, timeout: float) -> str:
    ready, _w, _x = select.select([child.stdout], [], [], timeout)
    if not ready:
        raise AssertionError(f"no word from the child within {timeout} s")
    line = child.stdout.readline()
    if not line:
        child.wait(timeout=5)
        raise AssertionError(f"child ended early: {child.stderr.read()}")
    return line.strip()


def _finish(child: subprocess.Popen) -> None:
    """Never leave the child behind, whatever the test's outcome."""
    if child.poll() is None:
        child.kill()
    child.wait(timeout=10)
    child.stdout.close()
    child.stderr.close()


def _wait_for_backend_gone(backend_pid: int) -> None:
    """PostgreSQL notices the dead client and rolls its transaction back; wait for that."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
    raise AssertionError(f"backend {backend_pid} still alive 10 s after its client was killed")


@pytest.fixture
def step3_report(sutera, users):
    """A committed report at step 3 (the Kasubag PKP's), and the Kasubag's user id."""
    report = make_report(sutera, step=3)
    return report.pk, users["kasubag"].pk


@pytest.fixture
def child_database(step3_report, tmp_path) -> Database:
    if connection.vendor == "sqlite":
        # The in-memory test database as a file, which a second process can open.
        path = tmp_path / "sutera.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return Database(f"sqlite:///{path}", path)
    if connection.vendor == "postgresql":
        return Database(_postgres_url(), None)
    pytest.skip(f"no child process setup for {connection.vendor}")


@pytest.mark.django_db(transaction=True)
def test_killed_mid_transition_leaves_old_state_then_a_retry_completes(
    step3_report, child_database
):
    report_id, kasubag_id = step3_report
    before = child_database.state(report_id)
    assert before[0] == 3

    child = _start(child_database, "hang", report_id, kasubag_id)
    try:
        word, log_id, backend = _read_line(child, LINE_TIMEOUT).split()
        assert word == "LOGGED"
        # The log row exists inside the child's open transaction; now the worker dies.
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        _finish(child)
    assert child.returncode == -signal.SIGKILL
    if int(backend):
        _wait_for_backend_gone(int(backend))

    after = child_database.state(report_id)
    assert after == before  # old step, and no orphan step log
    assert int(log_id) not in {pk for pk, _step, _action in after[1]}

    # The database is not left locked: the same transition, run to the end, moves the report.
    child = _start(child_database, "finish", report_id, kasubag_id)
    try:
        assert _read_line(child, LINE_TIMEOUT).startswith("LOGGED ")
        assert _read_line(child, LINE_TIMEOUT) == "DONE"
        child.wait(timeout=LINE_TIMEOUT)
    finally:
        _finish(child)
    assert child.returncode == 0
    step, logs = child_database.state(report_id)
    assert step == 4
    assert [(s, a) for _pk, s, a in logs if s == 3] == [(3, "complete")]


# --- the PDF render's own time limit -----------------------------------------------------------


def slow_render(seconds: float) -> bytes:
    time.sleep(seconds)
    return b"%PDF-never"


def failing_render() -> bytes:
    raise ValueError("templat rusak")


def test_slow_render_is_cut_off_at_its_limit():
    started = time.monotonic()
    with pytest.raises(RenderTimeout, match="batas waktu 1 detik"):
        render_with_limit(slow_render, 60, timeout_seconds=1)
    assert time.monotonic() - started < 5
    assert multiprocessing.active_children() == []  # the render's process is gone


def test_limit_comes_from_pdf_time_limit(monkeypatch):
    monkeypatch.setenv("PDF_TIME_LIMIT", "0.5")
    assert default_limit() == 0.5
    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        render_with_limit(slow_render, 60)
    assert time.monotonic() - started < 5
    monkeypatch.setenv("PDF_TIME_LIMIT", "bukan angka")
    assert default_limit() == DEFAULT_LIMIT_SECONDS


def test_normal_render_returns_its_pdf_bytes():
    from monev.exports.pdf import html_to_pdf

    pdf = render_with_limit(html_to_pdf, "<p>Laporan triwulan</p>", timeout_seconds=60)
    assert pdf.startswith(b"%PDF-")


def test_render_error_reaches_the_caller():
    with pytest.raises(ValueError, match="templat rusak"):
        render_with_limit(failing_render, timeout_seconds=30)


def count_offices() -> int:
    from monev.models import Office

    return Office.objects.count()


@pytest.mark.django_db
def test_render_may_not_use_the_parents_database_connection(sutera):
    with pytest.raises(RenderError, match="basis data"):
        render_with_limit(count_offices, timeout_seconds=30)
    assert count_offices() == 1  # the parent's connection still works
