"""The task queue with its real database backend: one year ZIP per office and year however
many ask at once, a job survives the death of its worker, old ZIPs are cleaned, and e-mail
goes through the queue. The worker tests start ``manage.py run_worker`` as a subprocess."""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from monev import services
from monev.models import ArchivedFile, ExportStatus, Notification, YearExport
from monev.services.year_export import year_export_start
from monev.worker import BeatingWorker

from .conftest import at_once, make_report

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ZIP_TASK = "monev.tasks.build_year_export"


@pytest.fixture
def queue(settings, tmp_path):
    """The real database backend, and a shared media folder for the test and its workers."""
    settings.TASKS = DATABASE_BACKEND
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def archived_year(office, year=2026, quarters=(1, 2)):
    """Archived reports with small stored files (the ZIP job only copies them)."""
    records = []
    for quarter in quarters:
        report = make_report(office, year=year, quarter=quarter, step=13, archived=True)
        for kind in ("pdf", "xlsx"):
            filename = f"monev-{office.code}-{year}-tw{quarter}.{kind}"
            content = f"{kind} TW{quarter}".encode() * 100
            name = default_storage.save(f"arsip/{filename}", ContentFile(content))
            records.append(
                ArchivedFile.objects.create(
                    report=report,
                    kind=kind,
                    file=name,
                    filename=filename,
                    sha256="0" * 64,
                    size=len(content),
                    created_at=timezone.now() - datetime.timedelta(days=1),
                )
            )
    return records


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, tmp_path: Path, media: Path, *, slow=False):
        self.log_path = tmp_path / f"worker-{time.monotonic_ns()}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sutera_kinerja.settings",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media),
            "DEBUG": "0",
            "WORKER_HEARTBEAT_SECONDS": "0.5",
            "WORKER_DEAD_AFTER_SECONDS": "2",
        }
        args = [sys.executable, "-m", "tests.queue_worker", *(["--slow"] if slow else [])]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, timeout=60.0, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s for {what}")


def test_concurrent_zip_requests_make_one_job(queue, sutera, users):
    archived_year(sutera)
    url = reverse("monev:archive_export", args=[2026])

    statuses = at_once(users, ["camat", "admin"] * 2, lambda client: client.post(url).status_code)

    assert statuses == [302] * 4
    export = YearExport.objects.get()
    assert export.status == ExportStatus.PENDING  # no worker yet: nothing built in the web
    assert DBTaskResult.objects.filter(task_path=ZIP_TASK).count() == 1
    assert str(DBTaskResult.objects.get(task_path=ZIP_TASK).id) == export.task_id
    # Asked again later, the same job is shown, with the page saying so.
    page = Client()
    page.force_login(users["camat"])
    answer = page.post(url, follow=True).content.decode()
    assert "sudah sedang dibuat" in answer
    assert YearExport.objects.count() == 1


def test_a_killed_worker_leaves_a_job_that_a_restarted_worker_finishes(
    queue, sutera, users, tmp_path
):
    records = archived_year(sutera)
    export, created = year_export_start(office=sutera, year=2026, actor=users["admin"])
    assert created and export.status == ExportStatus.PENDING

    first = WorkerProcess(tmp_path, queue.MEDIA_ROOT, slow=True)
    second = None
    try:
        wait_for(
            lambda: YearExport.objects.filter(pk=export.pk, done__gte=1).exists(),
            what="the first worker to start the ZIP",
        )
        first.kill()
        export.refresh_from_db()
        assert export.status == ExportStatus.RUNNING and export.done < export.total

        second = WorkerProcess(tmp_path, queue.MEDIA_ROOT)
        wait_for(
            lambda: YearExport.objects.get(pk=export.pk).status != ExportStatus.RUNNING,
            what="the restarted worker to finish the ZIP",
        )
    finally:
        first.stop()
        if second:
            second.stop()
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, second.log() if second else first.log()
    job = DBTaskResult.objects.get(task_path=ZIP_TASK)
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert len(job.worker_ids) == 2 and job.worker_ids[0] != job.worker_ids[1]
    with default_storage.open(export.file.name, "rb") as handle:
        names = set(zipfile.ZipFile(handle).namelist())
    for record in records:
        quarter = record.report.quarter
        assert {f"TW{quarter}/{record.filename}", f"TW{quarter}/{record.filename}.sha256"} <= names
    # The ZIP lives in the shared storage, where every app server reads it.
    assert (queue.MEDIA_ROOT / export.file.name).is_file()


def test_old_zips_are_cleaned_when_a_new_one_is_asked_for(settings, sutera, users):
    settings.YEAR_EXPORT_KEEP_HOURS = 24
    now = timezone.now()

    def done_export(year, age_hours):
        name = default_storage.save(f"ekspor/arsip-{year}.zip", ContentFile(b"PK"))
        return YearExport.objects.create(
            office=sutera,
            year=year,
            status=ExportStatus.DONE,
            file=name,
            requested_by=users["admin"],
            requested_at=now - datetime.timedelta(hours=age_hours),
        )

    old, fresh = done_export(2024, 25), done_export(2025, 1)
    archived_year(sutera, year=2026, quarters=(1,))

    year_export_start(office=sutera, year=2026, actor=users["admin"])

    assert not YearExport.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.file.name)
    assert YearExport.objects.filter(pk=fresh.pk).exists()
    assert default_storage.exists(fresh.file.name)


def test_a_finished_zip_is_reused_until_the_year_changes(sutera, users):
    archived_year(sutera, quarters=(1,))
    first, created = year_export_start(office=sutera, year=2026, actor=users["admin"])
    again, created_again = year_export_start(office=sutera, year=2026, actor=users["camat"])
    assert created and not created_again and again.pk == first.pk

    archived_year(sutera, quarters=(2,))
    ArchivedFile.objects.filter(report__quarter=2).update(created_at=timezone.now())
    third, created_third = year_export_start(office=sutera, year=2026, actor=users["camat"])
    assert created_third and third.pk != first.pk and third.total == 4


def test_mail_goes_through_the_queue(queue, sutera, users, django_capture_on_commit_callbacks):
    # The Sekretaris opens step 2 to the Kepala Seksi (nobody is told of their own move).
    users["kasi_pmn"].email = "kasi.pmn@kecamatan.example"
    users["kasi_pmn"].save()
    report = make_report(sutera, step=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_complete_step(report_id=report.pk, actor=users["sekretaris"], from_step=1)

    notification = Notification.objects.get(user=users["kasi_pmn"])
    assert mail.outbox == [] and not notification.emailed  # not sent by the request
    assert DBTaskResult.objects.filter(task_path="monev.tasks.send_notification_email").exists()

    run_queue_here()

    assert [m.to for m in mail.outbox] == [["kasi.pmn@kecamatan.example"]]
    notification.refresh_from_db()
    assert notification.emailed
    run_queue_here()  # nothing left, nothing sent twice
    assert len(mail.outbox) == 1


def test_reminders_can_be_queued(queue, sutera, users):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("send_reminders", "--enqueue", stdout=out)

    assert "antrean" in out.getvalue()
    job = DBTaskResult.objects.get(task_path="monev.tasks.send_reminders")
    run_queue_here()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL and job.return_value == 0


def run_queue_here():
    """Run every queued job in this process (so mail lands in mail.outbox), as the worker
    would, then stop."""
    BeatingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"test-{os.getpid()}",
        excluded_queue_names=[],
    ).run()
    assert django_settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")


def test_jobs_of_silent_workers_are_requeued_and_given_up_after_three_runs(queue):
    from monev.models import WorkerHeartbeat
    from monev.tasks import clean_year_exports
    from monev.worker import requeue_orphans

    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="hidup", seen_at=now)
    WorkerHeartbeat.objects.create(worker_id="mati", seen_at=now - datetime.timedelta(hours=1))
    jobs = {}
    for name, worker_ids in {
        "alive": ["hidup"],
        "dead": ["mati"],
        "unknown": ["tanpa-detak"],
        "dead thrice": ["a", "b", "mati"],
    }.items():
        job = clean_year_exports.enqueue().db_result
        DBTaskResult.objects.filter(pk=job.pk).update(
            status=TaskResultStatus.RUNNING,
            started_at=now - datetime.timedelta(minutes=10),
            worker_ids=worker_ids,
        )
        jobs[name] = job.pk

    assert requeue_orphans() == 2

    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[jobs["alive"]] == TaskResultStatus.RUNNING
    assert status[jobs["dead"]] == status[jobs["unknown"]] == TaskResultStatus.READY
    assert status[jobs["dead thrice"]] == TaskResultStatus.FAILED


def test_an_export_whose_job_failed_does_not_block_a_new_one(queue, sutera, users):
    archived_year(sutera, quarters=(1,))
    first, _created = year_export_start(office=sutera, year=2026, actor=users["admin"])
    DBTaskResult.objects.filter(pk=first.task_id).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )

    second, created = year_export_start(office=sutera, year=2026, actor=users["camat"])

    assert created and second.pk != first.pk and second.status == ExportStatus.PENDING
    first.refresh_from_db()
    assert first.status == ExportStatus.FAILED and "berhenti" in first.error
