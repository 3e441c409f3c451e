"""Revoke an official's signing certificates: they can no longer sign."""

from django.core.management.base import BaseCommand, CommandError

from monev.models import SigningCertificate
from monev.signing.local import revoke_certificate


class Command(BaseCommand):
    help = "Mencabut sertifikat elektronik (semua milik pengguna, atau satu nomor seri)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Nama pengguna pejabat")
        parser.add_argument("--seri", help="Hanya sertifikat dengan nomor seri ini")

    def handle(self, *args, **options):
        certificates = SigningCertificate.objects.filter(
            user__username=options["username"], revoked_at__isnull=True
        )
        if options["seri"]:
            certificates = certificates.filter(serial_number=options["seri"])
        if not certificates.exists():
            raise CommandError("Tidak ada sertifikat aktif yang cocok.")
        for certificate in certificates:
            revoke_certificate(certificate)
            self.stdout.write(f"Dicabut: {certificate}")
