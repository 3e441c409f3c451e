"""manage.py backup: the database and MEDIA_ROOT in one verifiable archive (see monev.backup)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monev import backup
from monev.backup import RawHelpCommand


class Command(RawHelpCommand):
    help = gettext_lazy(
        "Mencadangkan basis data dan semua berkas unggahan/arsip (MEDIA_ROOT) ke satu arsip\n"
        ".tar.gz yang dapat diperiksa.\n"
        "\n"
        "Isi arsip:\n"
        "  database.json   semua data (JSON Django, kunci alami untuk pengguna/izin), dapat\n"
        "                  dipulihkan ke SQLite maupun PostgreSQL; content type, izin dan sesi\n"
        "                  tidak disertakan karena dibuat ulang oleh migrate\n"
        "  media/...       semua berkas di MEDIA_ROOT (bukti/, arsip/, ...)\n"
        "  manifest.json   versi format, waktu dibuat, versi Django, jenis basis data, migrasi\n"
        "                  yang terpasang, jumlah baris per model, SHA-256 setiap berkas\n"
        "\n"
        "Data dibaca dalam satu transaksi baca-saja (PostgreSQL: REPEATABLE READ; SQLite: satu\n"
        "transaksi baca) sehingga konsisten walau aplikasi tetap dipakai. Arsip ditulis ke berkas\n"
        "sementara lalu diganti nama di akhir: pencadangan yang gagal tidak meninggalkan berkas\n"
        "setengah jadi. Berkas yang sudah ada tidak ditimpa. Arsip berisi hash kata sandi dan\n"
        "data pribadi; simpan dengan aman. Pulihkan dengan `manage.py restore BERKAS`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=".",
            help=_(
                "berkas arsip baru, atau folder tempat menyimpannya "
                "(bawaan: folder kerja, nama sutera-kinerja-TANGGAL-JAM.tar.gz)"
            ),
        )
        parser.add_argument(
            "--database", default="default", help=_("alias basis data (bawaan: default)")
        )

    def handle(self, *args, **options):
        result = backup.create_backup(options["path"], using=options["database"])
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Peringatan: %(text)s") % {"text": warning}))
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Cadangan ditulis ke %(path)s (%(size)s): %(rows)s baris dari %(tables)s "
                    "tabel, %(files)s berkas (%(bytes)s)."
                )
                % {
                    "path": result.path,
                    "size": backup.describe_size(result.size),
                    "rows": result.rows,
                    "tables": result.tables,
                    "files": result.files,
                    "bytes": backup.describe_size(result.file_bytes),
                }
            )
        )
