"""Send the due reminders; run it from cron or a systemd timer (see README)."""

from django.core.management.base import BaseCommand

from monev.services.notifications import send_due_reminders


class Command(BaseCommand):
    help = (
        "Mengirim pengingat untuk langkah yang melewati batas waktu: paling banyak sekali "
        "per hari kerja untuk setiap orang dan langkah. Aman dijalankan berulang kali."
    )

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"{sent} pengingat dikirim.")
