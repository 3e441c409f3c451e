"""Check every report's step log against its hash chain; exit 1 when any is broken."""

from django.core.management.base import BaseCommand, CommandError

from monev.log_chain import check_report
from monev.models import Report


class Command(BaseCommand):
    help = "Memeriksa rantai hash riwayat langkah setiap laporan (keluar dengan kode 1 bila rusak)."

    def handle(self, *args, **options):
        broken = 0
        reports = Report.objects.select_related("office").order_by(
            "office__code", "year", "quarter"
        )
        for report in reports:
            check = check_report(report)
            if check.intact:
                continue
            broken += 1
            entry = check.broken_at
            self.stdout.write(
                self.style.ERROR(
                    f"{report.office.code} {report} (id {report.pk}): catatan ke-{check.position} "
                    f"(id {entry.pk}, langkah {entry.step_number}, {entry.action}) tidak cocok."
                )
            )
        if broken:
            raise CommandError(f"{broken} laporan dengan riwayat tidak utuh.", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Riwayat {reports.count()} laporan utuh."))
