"""Issue a signing certificate to an official, bound to their name, NIP and jabatan."""

from django.core.management.base import BaseCommand, CommandError

from monev.models import Staff
from monev.signing import SigningError
from monev.signing.local import issue_certificate

from ._passphrase import read_passphrase


class Command(BaseCommand):
    help = (
        "Menerbitkan sertifikat elektronik untuk pejabat penanda tangan (nama, NIP, jabatan "
        "diambil dari data pegawai). Pejabat mengetik passphrase-nya sendiri."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Nama pengguna pejabat")
        parser.add_argument("--hari", type=int, default=730, help="Masa berlaku (hari)")
        parser.add_argument("--ca-passphrase-env", help="Baca passphrase CA dari variabel ini")
        parser.add_argument(
            "--passphrase-env", help="Baca passphrase pejabat dari variabel lingkungan ini"
        )

    def handle(self, *args, **options):
        staff = (
            Staff.objects.select_related("user", "office")
            .filter(user__username=options["username"])
            .first()
        )
        if staff is None:
            raise CommandError(f"Pegawai dengan nama pengguna {options['username']} tidak ada.")
        ca_passphrase = read_passphrase(
            "Passphrase CA", options["ca_passphrase_env"], confirm=False
        )
        passphrase = read_passphrase("Passphrase pejabat", options["passphrase_env"], confirm=True)
        try:
            certificate = issue_certificate(
                staff=staff,
                ca_passphrase=ca_passphrase,
                passphrase=passphrase,
                days=options["hari"],
            )
        except SigningError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Sertifikat {certificate.serial_number} diterbitkan untuk {certificate.name} "
                f"(NIP {certificate.nip}, {certificate.job_title}), berlaku sampai "
                f"{certificate.not_after:%d-%m-%Y}."
            )
        )
