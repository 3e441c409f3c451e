"""manage.py restore: bring a backup back into an empty installation (see monev.backup)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monev import backup
from monev.backup import RawHelpCommand


class Command(RawHelpCommand):
    help = gettext_lazy(
        "Memulihkan arsip dari `manage.py backup` ke instalasi yang KOSONG.\n"
        "\n"
        "Ditolak (tanpa mengubah apa pun) bila basis data tujuan sudah berisi data, bila arsip\n"
        "bukan cadangan Sutera Kinerja yang utuh (format salah, manifest.json tidak ada, nama\n"
        "anggota berbahaya seperti '../' atau jalur absolut, ukuran atau SHA-256 tidak cocok),\n"
        "bila tanda tangan manifest tidak sah (kunci BACKUP_SIGNING_KEY harus sama dengan\n"
        "server yang membuat cadangan), atau bila versi skema (migrasi) berbeda. Tidak ada opsi\n"
        "untuk memaksa.\n"
        "\n"
        "Langkah: periksa dan buka arsip ke folder sementara, jalankan migrate, muat data dalam\n"
        "satu transaksi, pindahkan berkas ke MEDIA_ROOT, lalu periksa SHA-256 setiap berkas\n"
        "terhadap manifest dan setiap berkas arsip terhadap SHA-256 yang tercatat di basis data.\n"
        "Bila satu langkah gagal, transaksi dibatalkan dan berkas yang sudah dipulihkan dihapus."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("berkas arsip .tar.gz dari manage.py backup"))
        parser.add_argument(
            "--database", default="default", help=_("alias basis data (bawaan: default)")
        )

    def handle(self, *args, **options):
        result = backup.restore_backup(options["path"], using=options["database"])
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Peringatan: %(text)s") % {"text": warning}))
        lines = [
            _("Pemulihan selesai dari %(path)s.") % {"path": options["path"]},
            _("  cadangan dibuat %(when)s dari basis data %(vendor)s")
            % {"when": backup.format_timestamp(result.created_at), "vendor": result.vendor},
            _("  %(rows)s baris dalam %(tables)s tabel dimuat; jumlah baris cocok")
            % {"rows": result.rows, "tables": result.tables},
            _("  %(files)s berkas (%(bytes)s) dipulihkan; SHA-256 semuanya cocok dengan manifest")
            % {"files": result.files, "bytes": backup.describe_size(result.file_bytes)},
            _("  %(count)s berkas arsip cocok dengan SHA-256 yang tercatat")
            % {"count": result.archived_verified},
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
