"""Run the task worker (year ZIPs, e-mail, reminders); `make run` starts one, production runs
it under systemd (README)."""

from django_tasks_db.management.commands import db_worker

from monev.worker import BeatingWorker


class Command(db_worker.Command):
    help = (
        "Menjalankan worker antrean tugas (ZIP arsip tahunan, e-mail, pengingat). Pekerjaan "
        "yang workernya mati diambil lagi oleh worker yang hidup."
    )

    def handle(self, *args, **options):
        # db_worker builds its Worker by name: hand it ours for this run.
        original = db_worker.Worker
        db_worker.Worker = BeatingWorker
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
