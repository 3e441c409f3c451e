"""Load the Renstra budget (E.81 columns 5, 6, 13, 14) of many programmes and kegiatan from a
CSV file, all rows or none."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monev.models import Office
from monev.services.renstra import RenstraImportError, import_renstra_budget


class Command(BaseCommand):
    help = (
        "Memuat anggaran Renstra per program/kegiatan dari berkas CSV dengan kolom: kode, "
        "tahun, pagu_renstra, realisasi_sd_tahun_lalu (pemisah koma atau titik koma). Semua "
        "baris dimuat atau tidak sama sekali."
    )

    def add_arguments(self, parser):
        parser.add_argument("office", help="kode kantor, misalnya: sutera")
        parser.add_argument("path", type=Path, help="berkas CSV")

    def handle(self, *args, office, path, **options):
        try:
            target = Office.objects.get(code=office)
        except Office.DoesNotExist as error:
            raise CommandError(f"Kantor dengan kode {office!r} tidak ada.") from error
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Berkas tidak dapat dibaca: {error}") from error
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
        try:
            count = import_renstra_budget(
                target, csv.DictReader(text.splitlines(), dialect=dialect)
            )
        except RenstraImportError as error:
            raise CommandError("\n".join(error.problems)) from error
        self.stdout.write(self.style.SUCCESS(f"{count} baris anggaran Renstra dimuat."))
