"""Create the office's certificate authority for electronic signatures (TTE)."""

from django.core.management.base import BaseCommand, CommandError

from monev.models import Office
from monev.signing import SigningError
from monev.signing.local import create_authority

from ._passphrase import read_passphrase


class Command(BaseCommand):
    help = "Membuat CA kantor untuk tanda tangan elektronik (TTE)."

    def add_arguments(self, parser):
        parser.add_argument("office", help="Kode kantor, misalnya: sutera")
        parser.add_argument("--nama", default="", help="Nama CA (bawaan: CA TTE <kantor>)")
        parser.add_argument(
            "--passphrase-env", help="Baca passphrase CA dari variabel lingkungan ini"
        )

    def handle(self, *args, **options):
        office = Office.objects.filter(code=options["office"]).first()
        if office is None:
            raise CommandError(f"Kantor dengan kode {options['office']} tidak ada.")
        passphrase = read_passphrase("Passphrase CA", options["passphrase_env"], confirm=True)
        try:
            authority = create_authority(office=office, passphrase=passphrase, name=options["nama"])
        except SigningError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"CA dibuat: {authority.name}"))
