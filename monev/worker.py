"""The task worker: django-tasks-db's database worker plus what it lacks for jobs that must
survive a restart. Each worker writes a heartbeat; a job still marked running whose worker
has gone silent (killed, machine lost) is put back in the queue, where a live worker takes it
again from the start (the tasks are idempotent). After TASK_MAX_ATTEMPTS runs it is failed,
so a job that kills its worker cannot loop for ever."""

import datetime
import logging
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Heartbeats of workers gone this long are deleted.
FORGET_AFTER = datetime.timedelta(days=1)
# How often a worker does the housekeeping below, however few jobs come in.
HOUSEKEEPING_EVERY = datetime.timedelta(minutes=15)


def requeue_orphans() -> int:
    """Put the running jobs of silent workers back in the queue; returns how many."""
    now = timezone.now()
    silent_since = now - datetime.timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=silent_since).values_list(
            "worker_id", flat=True
        )
    )
    requeued = 0
    for job in DBTaskResult.objects.running().filter(started_at__lt=silent_since):
        if job.worker_ids and job.worker_ids[-1] in alive:
            continue
        # Guarded by started_at: if a worker claimed it meanwhile, leave it alone.
        claimed = DBTaskResult.objects.filter(
            pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at
        )
        if len(job.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            claimed.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="monev.worker.WorkerLost",
                traceback=f"worker berhenti {len(job.worker_ids)} kali di tengah pekerjaan ini",
            )
            logger.error("task %s failed: its worker died %s times", job.pk, len(job.worker_ids))
        elif claimed.update(status=TaskResultStatus.READY, started_at=None):
            logger.warning("task %s requeued: worker %s is silent", job.pk, job.worker_ids[-1:])
            requeued += 1
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    return requeued


def housekeeping() -> None:
    """Old year ZIPs and old finished job rows go, even when nobody asks for a new ZIP."""
    from .services.year_export import year_exports_clean

    year_exports_clean()
    keep = datetime.timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - keep).delete()


class Heartbeat(threading.Thread):
    """Beats for one worker in a thread of its own (with its own database connection), and
    looks after the jobs of dead workers while it is at it."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()
        self.housekept_at = None

    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id, defaults={"seen_at": now}
        )
        requeue_orphans()
        if self.housekept_at is None or now - self.housekept_at > HOUSEKEEPING_EVERY:
            self.housekept_at = now
            housekeeping()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    self.beat()
                except Exception:  # a busy database must not stop the beating
                    logger.exception("heartbeat of %s failed", self.worker_id)
                self.stopped.wait(settings.WORKER_HEARTBEAT_SECONDS)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


class BeatingWorker(Worker):
    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.beat()  # requeue what a dead worker left before taking the first job
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stop()
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
