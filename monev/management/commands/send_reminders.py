"""Send the due reminders; run it from cron or a systemd timer (see README). The e-mails
always go through the task queue; with --enqueue the whole pass runs on the worker too."""

from django.core.management.base import BaseCommand

from monev.services.notifications import send_due_reminders
from monev.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Mengirim pengingat untuk langkah yang melewati batas waktu: paling banyak sekali "
        "per hari kerja untuk setiap orang dan langkah. Aman dijalankan berulang kali."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Masukkan ke antrean tugas; worker yang menjalankannya.",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = send_reminders.enqueue()
            self.stdout.write(f"Pengingat dimasukkan ke antrean (tugas {result.id}).")
            return
        sent = send_due_reminders()
        self.stdout.write(f"{sent} pengingat dikirim.")
