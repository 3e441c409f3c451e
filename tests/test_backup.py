"""manage.py backup and restore: a round trip into an empty installation keeps every row and
every file byte for byte; damaged or hostile archives and non-empty targets are refused."""

import datetime
import hashlib
import io
import json
import shutil
import tarfile
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections
from django.test import Client
from django.urls import reverse

from monev import backup
from monev.models import (
    ArchivedFile,
    ArchiveKind,
    Evidence,
    Indicator,
    Office,
    RatingBand,
    Realisation,
    Report,
)
from monev.worktime import JAKARTA

from .conftest import make_report

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "sutera-demo-2025"
FIXTURES = ["office_sutera", "sop_pengukuran_kinerja", "demo_users", "rating_bands"]
WHEN = datetime.datetime(2025, 4, 10, 9, 30, tzinfo=JAKARTA)
EVIDENCE = "bukti/1/0f4c2a9e8d7b6a5f4e3d2c1b0a998877"
ARCHIVED = "arsip/1/2025/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"


def row_counts() -> dict[str, int]:
    """Rows per table, leaving out what migrate creates by itself."""
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.label_lower not in backup.FRAMEWORK_MODELS
    }


def media_files(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def wipe(media) -> None:
    """An empty installation: no rows (migrate's own excepted) and no files."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)
    media.mkdir()


def rewrite(source, target, change=lambda name, data: data, extra=(), *, sign=False) -> None:
    """Copy an archive member by member, letting a test alter bytes or add members; with
    ``sign``, the manifest is signed again with the installation's key (someone holding it)."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        members = [(m.name, old.extractfile(m).read()) for m in old]
        manifest = None
        for name, data in [*extra, *members]:
            data = change(name, data)
            if name == "manifest.json":
                manifest = data
            if name == "manifest.sig" and sign:
                data = backup.sign_manifest(manifest)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def installation(media):
    """The demo office with indicators, a report with two realisations, one evidence file, one
    archived file with its checksum, and a group holding model permissions."""
    call_command("loaddata", *FIXTURES, "demo_indicators", verbosity=0)
    office = Office.objects.get(code="sutera")
    report = make_report(office, step=13, archived=True)
    users = get_user_model().objects
    kasi = users.get(username="kasi_pemerintahan")
    realisations = [
        Realisation.objects.create(
            report=report,
            indicator=indicator,
            value=value,
            driving_factors="Sosialisasi rutin ke nagari – “tepat waktu”.",
            updated_by=kasi,
            updated_at=WHEN,
            revision=2,
        )
        for indicator, value in zip(
            Indicator.objects.filter(office=office).order_by("code")[:2],
            [Decimal("85.5000"), Decimal("1234.0625")],
            strict=True,
        )
    ]
    evidence_bytes = b"%PDF-1.7\n% daftar hadir sosialisasi\n" + bytes(range(256)) * 40
    (media / EVIDENCE).parent.mkdir(parents=True)
    (media / EVIDENCE).write_bytes(evidence_bytes)
    Evidence.objects.create(
        realisation=realisations[0],
        file=EVIDENCE,
        original_name="Daftar hadir.pdf",
        content_type="application/pdf",
        size=len(evidence_bytes),
        uploaded_by=kasi,
        uploaded_at=WHEN,
    )
    archived_bytes = b"%PDF-1.7\n% PDF/A-3b monev TW I\n" + bytes(reversed(range(256))) * 64
    (media / ARCHIVED).parent.mkdir(parents=True)
    (media / ARCHIVED).write_bytes(archived_bytes)
    ArchivedFile.objects.create(
        report=report,
        kind=ArchiveKind.PDF,
        file=ARCHIVED,
        filename="monev-sutera-2025-tw1.pdf",
        sha256=hashlib.sha256(archived_bytes).hexdigest(),
        size=len(archived_bytes),
        created_at=WHEN,
    )
    group = Group.objects.create(name="Pengelola indikator")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="monev", codename__endswith="indicator")
    )
    users.get(username="kasubag").groups.add(group)
    return report


def make_backup(tmp_path) -> Path:
    path = tmp_path / "cadangan.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def test_round_trip_keeps_rows_values_files_and_checksums(installation, media, tmp_path):
    counts = row_counts()
    files = media_files(media)
    camat = get_user_model().objects.get(username="camat")
    realisations = {
        r.indicator.code: (r.value, r.driving_factors, r.updated_at, r.updated_by.username)
        for r in Realisation.objects.select_related("indicator", "updated_by")
    }
    out = io.StringIO()

    path = tmp_path / "cadangan.tar.gz"
    call_command("backup", str(path), stdout=out)

    assert "Cadangan ditulis" in out.getvalue()
    # Nothing but the archive itself is left next to it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cadangan.tar.gz", "media"]
    with tarfile.open(path, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    expected = [
        "database.json",
        f"media/{EVIDENCE}",
        f"media/{ARCHIVED}",
        "manifest.json",
        "manifest.sig",
    ]
    assert sorted(names) == sorted(expected)
    assert manifest["format_version"] == 2
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["row_counts"]["monev.realisation"] == 2
    assert "contenttypes.contenttype" not in manifest["row_counts"]
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert listed[f"media/{EVIDENCE}"] == hashlib.sha256(files[EVIDENCE]).hexdigest()

    wipe(media)
    # migrate in another installation may number permissions differently; the group must
    # still get its permissions back by name.
    moved = Permission.objects.get(codename="change_indicator")
    old_id = moved.pk
    moved.delete()
    moved.pk = None
    moved.save()
    assert moved.pk != old_id
    assert row_counts() == dict.fromkeys(counts, 0)

    out = io.StringIO()
    call_command("restore", str(path), stdout=out)

    assert "Pemulihan selesai" in out.getvalue()
    assert "1 berkas arsip cocok" in out.getvalue()
    assert row_counts() == counts
    assert media_files(media) == files
    assert not list(media.glob(f"{backup.STAGING_PREFIX}*"))
    record = ArchivedFile.objects.get()
    assert hashlib.sha256((media / record.file.name).read_bytes()).hexdigest() == record.sha256
    report = Report.objects.get()
    assert (report.pk, report.quarter, report.current_step) == (installation.pk, 1, 13)
    assert report.archived_at == installation.archived_at
    assert {
        r.indicator.code: (r.value, r.driving_factors, r.updated_at, r.updated_by.username)
        for r in Realisation.objects.select_related("indicator", "updated_by")
    } == realisations
    assert Evidence.objects.get().file.name == EVIDENCE
    kasubag = get_user_model().objects.get(username="kasubag")
    assert kasubag.has_perm("monev.change_indicator")
    assert get_user_model().objects.get(username="camat").password == camat.password
    response = Client().post(reverse("login"), {"username": "camat", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("monev:home")
    # Sequences continue after the restored ids (PostgreSQL needs them reset).
    assert make_report(report.office, quarter=2).pk > report.pk


def test_restore_into_a_non_empty_database_is_refused_and_changes_nothing(
    installation, media, tmp_path
):
    path = make_backup(tmp_path)
    counts = row_counts()
    files = media_files(media)

    with pytest.raises(CommandError, match="basis data tujuan tidak kosong"):
        call_command("restore", str(path))

    assert row_counts() == counts
    assert media_files(media) == files
    assert sorted(p.name for p in media.iterdir()) == ["arsip", "bukti"]


def test_damaged_archives_are_refused_and_leave_the_installation_empty(
    installation, media, tmp_path
):
    path = make_backup(tmp_path)
    tampered = tmp_path / "rusak.tar.gz"
    rewrite(
        path,
        tampered,
        lambda name, data: bytes([data[0] ^ 1]) + data[1:] if name.endswith(EVIDENCE) else data,
    )
    # Archive and manifest agree, but the bytes are not what ArchivedFile.sha256 recorded:
    # only someone rewriting the manifest along with the file gets this far.
    forged = tmp_path / "palsu.tar.gz"
    new_bytes = b"%PDF-1.7\n% bukan dokumen yang disahkan\n"

    def forge(name, data):
        if name.endswith(ARCHIVED):
            return new_bytes
        if name == "manifest.json":
            manifest = json.loads(data)
            for entry in manifest["files"]:
                if entry["path"].endswith(ARCHIVED):
                    entry.update(sha256=hashlib.sha256(new_bytes).hexdigest(), size=len(new_bytes))
            return json.dumps(manifest).encode()
        return data

    rewrite(path, forged, forge)
    # The same forgery by someone who also holds BACKUP_SIGNING_KEY.
    forged_with_key = tmp_path / "palsu-bertanda.tar.gz"
    rewrite(path, forged_with_key, forge, sign=True)
    wipe(media)

    with pytest.raises(CommandError, match=f"SHA-256 tidak cocok untuk media/{EVIDENCE}"):
        call_command("restore", str(tampered))
    assert sum(row_counts().values()) == 0
    assert not list(media.iterdir())

    # A manifest recomputed to match the new bytes: its signature no longer verifies.
    with pytest.raises(CommandError, match="tanda tangan manifest tidak sah"):
        call_command("restore", str(forged))
    assert sum(row_counts().values()) == 0
    assert not list(media.iterdir())

    with pytest.raises(CommandError, match=f"SHA-256 berkas arsip {ARCHIVED} tidak cocok"):
        call_command("restore", str(forged_with_key))
    # The rows were loaded and the files placed before the check: all taken back.
    assert sum(row_counts().values()) == 0
    assert media_files(media) == {}
    assert not list(media.rglob("*"))


def tar_with(path, *members) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


def member(name: str, data: bytes = b"evil") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def test_hostile_or_broken_archives_are_refused(media, tmp_path):
    archive = tmp_path / "jahat.tar.gz"
    for name in ["../evil", "/tmp/evil", "media/../../evil", "media/a\\..\\b", "media//evil"]:
        archive.unlink(missing_ok=True)
        tar_with(archive, member(name), member("manifest.json"))
        with pytest.raises(CommandError, match="nama anggota arsip tidak aman"):
            call_command("restore", str(archive))

    link = tarfile.TarInfo("media/bukti/tautan")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    archive.unlink()
    tar_with(archive, (link, None))
    with pytest.raises(CommandError, match="bukan berkas biasa"):
        call_command("restore", str(archive))

    archive.unlink()
    tar_with(archive, member("database.json", b"[]"))
    with pytest.raises(CommandError, match="manifest.json tidak ada"):
        call_command("restore", str(archive))

    archive.unlink()
    tar_with(archive, member("manifest.json", b"{}"))
    with pytest.raises(CommandError, match="bukan cadangan Sutera Kinerja"):
        call_command("restore", str(archive))

    archive.write_bytes(b"PK\x03\x04 ini zip, bukan tar.gz")
    with pytest.raises(CommandError, match="bukan arsip cadangan .tar.gz yang utuh"):
        call_command("restore", str(archive))

    assert not (tmp_path / "evil").exists()
    assert not list(media.iterdir())
    assert sum(row_counts().values()) == 0


def test_a_failed_backup_leaves_no_file_and_none_is_overwritten(media, tmp_path, monkeypatch):
    (media / "bukti").mkdir()
    (media / "bukti" / "berkas").write_bytes(b"isi")
    existing = tmp_path / "ada.tar.gz"
    existing.write_bytes(b"cadangan lama")

    with pytest.raises(CommandError, match="sudah ada"):
        call_command("backup", str(existing))
    assert existing.read_bytes() == b"cadangan lama"

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    # Fails on the last member, after the dump and the media files were written.
    monkeypatch.setattr(backup, "_add_bytes", disk_full)
    with pytest.raises(OSError, match="No space left"):
        call_command("backup", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ada.tar.gz", "media"]


def test_the_snapshot_is_read_only_and_sees_one_state(media):
    with pytest.raises(DatabaseError), backup.read_snapshot("default"):
        RatingBand.objects.create(minimum=Decimal("1.00"), label="Uji")
    # Writable again afterwards.
    RatingBand.objects.create(minimum=Decimal("1.00"), label="Sebelum")

    if connection.vendor != "postgresql":
        return  # the SQLite test database lives in memory, where WAL snapshots do not apply

    def other_session():
        try:
            RatingBand.objects.create(minimum=Decimal("2.00"), label="Selama")
        finally:
            connections.close_all()

    with backup.read_snapshot("default"):
        assert RatingBand.objects.count() == 1
        writer = threading.Thread(target=other_session)
        writer.start()
        writer.join()
        assert RatingBand.objects.count() == 1
    assert RatingBand.objects.count() == 2


def test_a_backup_signed_with_another_key_or_unsigned_is_refused(
    installation, media, tmp_path, settings
):
    path = make_backup(tmp_path)
    unsigned = tmp_path / "tanpa-tanda.tar.gz"
    with tarfile.open(path, "r:gz") as old, tarfile.open(unsigned, "w:gz") as new:
        for member in old:
            if member.name != "manifest.sig":
                new.addfile(member, old.extractfile(member))
    wipe(media)

    with pytest.raises(CommandError, match="arsip tidak bertanda tangan"):
        call_command("restore", str(unsigned))
    settings.BACKUP_SIGNING_KEY = "kunci-kantor-lain"
    with pytest.raises(CommandError, match="tanda tangan manifest tidak sah"):
        call_command("restore", str(path))
    assert sum(row_counts().values()) == 0
    assert not list(media.iterdir())


def test_backup_needs_its_own_signing_key(installation, media, tmp_path, settings):
    settings.BACKUP_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="BACKUP_SIGNING_KEY belum diatur"):
        make_backup(tmp_path)
    settings.BACKUP_SIGNING_KEY = settings.SECRET_KEY
    with pytest.raises(CommandError, match="harus berbeda dari SECRET_KEY"):
        make_backup(tmp_path)
    assert not list(tmp_path.glob("*.tar.gz"))


def test_a_member_larger_than_its_manifest_is_refused_before_it_is_written(
    installation, media, tmp_path, monkeypatch
):
    """The manifest (signed, so from the installation) says 8 bytes; the tar header says
    64 MiB. Nothing of that member may reach the disk: the size is refused first."""
    path = make_backup(tmp_path)
    bloated = tmp_path / "besar.tar.gz"
    huge = 64 * 1024 * 1024
    with tarfile.open(path, "r:gz") as old, tarfile.open(bloated, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            if member.name == f"media/{EVIDENCE}":
                member.size = huge
                new.addfile(member, io.BytesIO(bytes(huge)))
            else:
                new.addfile(member, io.BytesIO(data))
    assert bloated.stat().st_size < 1024 * 1024
    wipe(media)
    written = []
    real_copy = backup._copy_member
    monkeypatch.setattr(
        backup,
        "_copy_member",
        lambda reader, writer, size: written.append(writer.name) or real_copy(reader, writer, size),
    )

    with pytest.raises(CommandError, match=f"ukuran media/{EVIDENCE} .* tidak sesuai manifest"):
        call_command("restore", str(bloated))
    assert not any(name.endswith(EVIDENCE) for name in written)
    assert sum(row_counts().values()) == 0
    assert not list(media.iterdir())
