"""Backup and restore of a whole installation: the database and the files under MEDIA_ROOT.

Archive format (version 1): one gzip-compressed tar (``.tar.gz``, PAX) holding only

* ``database.json`` – every row of every installed model, written with Django's JSON serializer
  (natural foreign keys, primary keys kept). ``contenttypes.ContentType`` and
  ``auth.Permission`` are left out because ``migrate`` recreates them, possibly with other ids;
  rows pointing at them (group and user permissions, admin log) name them by natural key, so
  the dump loads into a freshly migrated SQLite or PostgreSQL database alike.
  ``sessions.Session`` is left out too: restoring logins is never wanted.
* ``media/<path>`` – every regular file under MEDIA_ROOT (``bukti/``, ``arsip/``, ``ekspor/``…),
  at its path relative to MEDIA_ROOT.
* ``manifest.json`` – written after the files: format name and version, ``created_at``,
  Django version, database vendor and isolation used, the applied migrations per app, row
  counts per model (auto-created many-to-many tables included), the SHA-256 and size of every
  other member, and the problems found in the source (referenced files missing on disk,
  archived files whose bytes no longer match ``ArchivedFile.sha256``) so a restore reports
  rather than hides them.
* ``manifest.sig`` – last: the HMAC-SHA256 of the manifest's exact bytes with
  ``BACKUP_SIGNING_KEY``, a key kept apart from SECRET_KEY (and from the backups). Checksums
  catch corruption; the signature catches forgery: whoever rewrites a file and recomputes its
  checksum in the manifest cannot sign the new manifest without the key.

Consistency: all rows, counts, the migration state and the list of referenced files are read
in one read-only transaction: ``REPEATABLE READ, READ ONLY`` on PostgreSQL (one snapshot, as
pg_dump takes), and on SQLite one deferred read transaction with ``query_only`` (a WAL reader
sees one snapshot and blocks no writer). Files are copied after that snapshot: evidence and
archive files are written once under fresh random names and never changed, so every file the
snapshot references is either still there or reported as missing; files added later are
merely extra. Each file is hashed from the very bytes written into the archive. The archive is
written to a hidden temporary file next to the destination, synced and renamed at the end, so a
failed backup leaves no partial archive. A backup is refused while migrations are pending.

Restore works only into an empty installation (no rows except the content types and
permissions that ``migrate`` creates); there is deliberately no way to force it. Steps: a
first pass over the archive checks every member's name and type (absolute, ``..``, links,
devices, unknown names, duplicates are refused) and reads only the manifest and its signature,
which must verify; a second pass unpacks into a staging directory inside MEDIA_ROOT, refusing
a member before writing it when its size is not the manifest's, copying at most that many
bytes, and refusing any whose SHA-256 differs; run ``migrate`` and require exactly the
migrations the backup was made with; then in one transaction load the dump, compare the row
counts, move the files into place, hash them again, and check every file reference and every
``ArchivedFile.sha256``. Any failure rolls the transaction back and removes the files placed so
far. Files already present with the same content are accepted and left alone; a different file
at the same path is refused.

Assumes the default storage is a FileSystemStorage rooted at MEDIA_ROOT.
"""

import argparse
import contextlib
import datetime
import gzip
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import connections, models, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT_NAME = "sutera-kinerja-cadangan"
FORMAT_VERSION = 2  # 2: signed (manifest.sig)
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DUMP = "database.json"
MEDIA_PREFIX = "media"
# Created by migrate (post_migrate) in every installation, with ids of their own.
FRAMEWORK_MODELS = frozenset({"contenttypes.contenttype", "auth.permission"})
# Not worth restoring (sessions would revive old logins); counted as data all the same.
EXCLUDED_MODELS = FRAMEWORK_MODELS | {"sessions.session"}
STAGING_PREFIX = ".pemulihan-"
SUPPORTED_VENDORS = ("sqlite", "postgresql")
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DRIVE = re.compile(r"^[A-Za-z]:")


class BackupError(CommandError):
    """A refusal or failure with a message for the operator; exits non-zero."""


@dataclass
class BackupResult:
    path: Path
    size: int
    rows: int
    tables: int
    files: int
    file_bytes: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    created_at: str
    vendor: str
    rows: int
    tables: int
    files: int
    file_bytes: int
    archived_verified: int
    warnings: list[str] = field(default_factory=list)


class _RawHelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


class RawHelpCommand(BaseCommand):
    """Keeps the line breaks of a command's long Indonesian help text."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = _RawHelpFormatter
        parser.description = str(self.help)
        return parser


# --- shared helpers -------------------------------------------------------------------------


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stored_models(using: str) -> list[type[models.Model]]:
    """Concrete models with a table in this database, auto-created m2m tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and router.allow_migrate_model(using, model)
    ]


def _count_rows(using: str, labels=None) -> dict[str, int]:
    counts = {}
    for model in _stored_models(using):
        label = model._meta.label_lower
        if label in EXCLUDED_MODELS or (labels is not None and label not in labels):
            continue
        counts[label] = model._base_manager.using(using).count()
    return counts


def _file_references(using: str) -> set[str]:
    """Every non-empty FileField value, as a path relative to MEDIA_ROOT."""
    names = set()
    for model in _stored_models(using):
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                values = (
                    model._base_manager.using(using)
                    .exclude(**{f"{model_field.attname}__isnull": True})
                    .exclude(**{model_field.attname: ""})
                    .values_list(model_field.attname, flat=True)
                )
                names.update(PurePosixPath(value).as_posix() for value in values)
    return names


def _archived_checksums(using: str) -> dict[str, str]:
    from .models import ArchivedFile

    rows = ArchivedFile._base_manager.using(using).values_list("file", "sha256")
    return {PurePosixPath(name).as_posix(): sha for name, sha in rows}


def _applied_migrations(using: str) -> set[tuple[str, str]]:
    return set(MigrationRecorder(connections[using]).applied_migrations())


def _migrations_by_app(applied) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for app_label, name in sorted(applied):
        result.setdefault(app_label, []).append(name)
    return result


def _refuse_inside_transaction(using: str) -> None:
    if connections[using].in_atomic_block:
        raise BackupError(_("Perintah ini tidak boleh dijalankan di dalam transaksi basis data."))


# --- backup ---------------------------------------------------------------------------------


@contextlib.contextmanager
def read_snapshot(using: str):
    """One read-only transaction: every query inside sees the same committed state."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                # Must be the transaction's first statement; the snapshot is taken at the
                # first query after it.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield "REPEATABLE READ, READ ONLY"
        return
    if connection.vendor != "sqlite":
        raise BackupError(
            _("Basis data %(vendor)s tidak didukung; hanya SQLite dan PostgreSQL.")
            % {"vendor": connection.vendor}
        )
    # settings.py makes SQLite transactions BEGIN IMMEDIATE (the write lock). A backup needs
    # only a read snapshot and must not stall writers, so this one transaction is DEFERRED.
    connection.ensure_connection()
    mode = connection.transaction_mode
    connection.transaction_mode = "DEFERRED"
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = ON")
            yield "DEFERRED, query_only"
    finally:
        connection.transaction_mode = mode
        # Outside the transaction, so a failed one cannot keep the connection read-only.
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")


def _dump_database(using: str, stream) -> None:
    """Serialize what dumpdata --all --natural-foreign would, minus EXCLUDED_MODELS."""
    app_list = []
    for app_config in apps.get_app_configs():
        if app_config.models_module is None:
            continue
        chosen = [
            model
            for model in app_config.get_models()
            if model._meta.label_lower not in EXCLUDED_MODELS
            and not model._meta.proxy
            and router.allow_migrate_model(using, model)
        ]
        if chosen:
            app_list.append((app_config, chosen))

    def objects():
        # Models with natural keys first, so natural references resolve while loading.
        for model in serializers.sort_dependencies(app_list, allow_cycles=True):
            queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
            yield from queryset.iterator()

    serializers.serialize("json", objects(), stream=stream, use_natural_foreign_keys=True)


class _HashingReader:
    """Hashes exactly the bytes tarfile copies into the archive."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, source: Path, name: str) -> dict:
    with open(source, "rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o644
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": name, "sha256": reader.digest.hexdigest(), "size": info.size}


def _media_files(root: Path, warnings: list[str]):
    """Regular files under MEDIA_ROOT as (absolute path, posix path relative to it), sorted."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        # A crashed restore's staging directory is not part of the installation.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(STAGING_PREFIX))
        for name in [d for d in dirnames if Path(directory, d).is_symlink()]:
            dirnames.remove(name)
            relative = Path(directory, name).relative_to(root).as_posix()
            warnings.append(_("Dilewati (tautan folder): %(path)s") % {"path": relative})
        for filename in sorted(filenames):
            path = Path(directory, filename)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                warnings.append(_("Dilewati (bukan berkas biasa): %(path)s") % {"path": relative})
                continue
            yield path, relative


def default_backup_name() -> str:
    return timezone.localtime().strftime("sutera-kinerja-%Y%m%d-%H%M%S.tar.gz")


def create_backup(destination, *, using: str = "default") -> BackupResult:
    """Write the archive to destination (a new file, or a directory to put it in)."""
    connection = connections[using]
    if connection.vendor not in SUPPORTED_VENDORS:
        raise BackupError(
            _("Basis data %(vendor)s tidak didukung; hanya SQLite dan PostgreSQL.")
            % {"vendor": connection.vendor}
        )
    _refuse_inside_transaction(using)
    destination = Path(destination).expanduser().absolute()
    if destination.is_dir():
        destination = destination / default_backup_name()
    _signing_key()  # refuse before any work when there is nothing to sign with
    if destination.exists():
        raise BackupError(
            _("Berkas %(path)s sudah ada; cadangan tidak menimpa berkas lain.")
            % {"path": destination}
        )
    if not destination.parent.is_dir():
        raise BackupError(_("Folder %(path)s tidak ada.") % {"path": destination.parent})
    root = media_root()
    if destination.resolve().is_relative_to(root):
        raise BackupError(
            _("Cadangan tidak boleh disimpan di dalam MEDIA_ROOT (%(root)s).") % {"root": root}
        )
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError(
            _("Masih ada migrasi yang belum dijalankan; jalankan `manage.py migrate` dahulu.")
        )

    warnings: list[str] = []
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".cadangan-") as work:
        dump_path = Path(work, DUMP)
        with read_snapshot(using) as isolation:
            with open(dump_path, "w", encoding="utf-8") as stream:
                _dump_database(using, stream)
            row_counts = _count_rows(using)
            applied = _applied_migrations(using)
            references = _file_references(using)
            archived = _archived_checksums(using)

        # mkstemp creates it 0600: the archive holds password hashes and personal data.
        descriptor, temporary = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                with tarfile.open(fileobj=handle, mode="w:gz", compresslevel=6) as tar:
                    entries, problems = _write_members(
                        tar, dump_path, root, references, archived, warnings
                    )
                    manifest = {
                        "format": FORMAT_NAME,
                        "format_version": FORMAT_VERSION,
                        "created_at": timezone.now().isoformat(),
                        "django_version": django.get_version(),
                        "database": {
                            "vendor": connection.vendor,
                            "isolation": isolation,
                            "dump": DUMP,
                            "serializer": "json",
                            "natural_foreign_keys": True,
                            "excluded_models": sorted(EXCLUDED_MODELS),
                        },
                        "migrations": _migrations_by_app(applied),
                        "row_counts": row_counts,
                        "files": entries,
                        "problems": problems,
                    }
                    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                    _add_bytes(tar, MANIFEST, manifest_bytes)
                    _add_bytes(tar, SIGNATURE, sign_manifest(manifest_bytes))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, destination)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
    _fsync_directory(destination.parent)
    media = entries[1:]
    return BackupResult(
        path=destination,
        size=destination.stat().st_size,
        rows=sum(row_counts.values()),
        tables=len(row_counts),
        files=len(media),
        file_bytes=sum(entry["size"] for entry in media),
        warnings=warnings,
    )


def _write_members(tar, dump_path, root, references, archived, warnings):
    """The dump, then every media file; returns their entries and the source's problems."""
    entries = [_add_file(tar, dump_path, DUMP)]
    hashes = {}
    for path, relative in _media_files(root, warnings):
        entry = _add_file(tar, path, f"{MEDIA_PREFIX}/{relative}")
        entries.append(entry)
        hashes[relative] = entry["sha256"]
    missing = sorted(references - hashes.keys())
    mismatched = sorted(
        name for name, sha in archived.items() if name in hashes and hashes[name] != sha
    )
    for name in missing:
        warnings.append(_("Berkas dirujuk tetapi tidak ada: %(path)s") % {"path": name})
    for name in mismatched:
        warnings.append(
            _("SHA-256 berkas arsip tidak cocok dengan catatannya: %(path)s") % {"path": name}
        )
    return entries, {"missing_files": missing, "archive_mismatches": mismatched}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _signing_key() -> bytes:
    key = getattr(settings, "BACKUP_SIGNING_KEY", "")
    if not key:
        raise BackupError(
            _(
                "BACKUP_SIGNING_KEY belum diatur. Cadangan ditandatangani dengan kunci ini "
                "(terpisah dari SECRET_KEY); atur kunci yang sama di server yang membuat dan "
                "yang memulihkan cadangan."
            )
        )
    if key == settings.SECRET_KEY:
        raise BackupError(_("BACKUP_SIGNING_KEY harus berbeda dari SECRET_KEY."))
    return key.encode()


def sign_manifest(manifest: bytes) -> bytes:
    """The manifest.sig member for these exact manifest bytes."""
    digest = hmac.new(_signing_key(), manifest, hashlib.sha256).hexdigest()
    return json.dumps({"algorithm": "HMAC-SHA256", "signature": digest}).encode()


def _verify_signature(manifest: bytes, signature: bytes | None) -> None:
    if signature is None:
        raise _refuse(
            _(
                "arsip tidak bertanda tangan (manifest.sig tidak ada); hanya cadangan yang "
                "ditandatangani dengan BACKUP_SIGNING_KEY yang dapat dipulihkan."
            )
        )
    try:
        claimed = json.loads(signature).get("signature", "")
    except (ValueError, UnicodeError, AttributeError):
        claimed = ""
    expected = json.loads(sign_manifest(manifest))["signature"]
    if not isinstance(claimed, str) or not hmac.compare_digest(claimed, expected):
        raise _refuse(
            _(
                "tanda tangan manifest tidak sah: arsip diubah setelah dibuat, atau dibuat "
                "dengan BACKUP_SIGNING_KEY lain."
            )
        )


def _fsync_directory(path: Path) -> None:
    # Makes the rename itself durable; not every platform lets a directory be opened.
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# --- restore --------------------------------------------------------------------------------


def _refuse(message: str, **values) -> BackupError:
    return BackupError(_("Pemulihan ditolak: %(reason)s") % {"reason": message % values})


def _safe_member_name(name: str) -> PurePosixPath:
    """The member's relative path; absolute paths, '..' and odd names are refused."""
    parts = name.split("/")
    unsafe = (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or _DRIVE.match(name)
        or any(part in ("", ".", "..") for part in parts)
    )
    if unsafe:
        raise _refuse(_("nama anggota arsip tidak aman: %(name)r."), name=name)
    return PurePosixPath(name)


def _nonempty_tables(using: str) -> list[str]:
    """Labels of the models that already hold rows (tables not yet created count as empty)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    found = []
    for model in _stored_models(using):
        label = model._meta.label_lower
        if label in FRAMEWORK_MODELS or model._meta.db_table not in existing:
            continue
        if model._base_manager.using(using).exists():
            found.append(label)
    return found


def _refuse_unless_empty(using: str) -> None:
    tables = _nonempty_tables(using)
    if tables:
        shown = ", ".join(tables[:8]) + (", …" if len(tables) > 8 else "")
        raise _refuse(
            _(
                "basis data tujuan tidak kosong (berisi data pada %(tables)s). Pemulihan hanya "
                "dilakukan ke instalasi kosong: buat basis data baru, lalu ulangi."
            ),
            tables=shown,
        )


@dataclass
class _Unpacked:
    manifest: dict
    dump: Path
    media: dict[str, dict]  # path relative to MEDIA_ROOT -> {"sha256", "size", "staged", "mtime"}


def _member_path(member: tarfile.TarInfo) -> PurePosixPath | None:
    """The checked path of a file member (None for a directory); anything odd is refused."""
    path = _safe_member_name(member.name)
    name = path.as_posix()
    if member.isdir():
        return None
    if not member.isreg():
        raise _refuse(
            _("anggota arsip %(name)r bukan berkas biasa (tautan atau perangkat)."), name=name
        )
    allowed = name in (MANIFEST, SIGNATURE, DUMP) or (
        path.parts[0] == MEDIA_PREFIX and len(path.parts) > 1
    )
    if not allowed:
        raise _refuse(_("anggota arsip tak dikenal: %(name)r."), name=name)
    if name in (MANIFEST, SIGNATURE) and member.size > MAX_MANIFEST_BYTES:
        raise _refuse(_("%(name)s terlalu besar."), name=name)
    return path


_BROKEN = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeError, OSError)


@contextlib.contextmanager
def _reading(source: Path):
    """(tar, its file members as (member, name)); a damaged archive, noticed wherever the
    reading is, becomes one refusal."""
    try:
        with tarfile.open(source, mode="r:gz") as tar:
            yield tar, _file_members(tar)
    except BackupError:
        raise
    except FileNotFoundError as error:
        raise BackupError(_("Berkas cadangan tidak ditemukan: %(path)s") % {"path": source}) from (
            error
        )
    except _BROKEN as error:
        raise _refuse(
            _("berkas bukan arsip cadangan .tar.gz yang utuh (%(error)s)."), error=error
        ) from error


def _file_members(tar: tarfile.TarFile):
    for member in tar:
        path = _member_path(member)
        if path is not None:
            yield member, path.as_posix()


def _signed_manifest(source: Path) -> dict:
    """First pass: every member's name and type checked, nothing written; the manifest, once
    its signature verifies."""
    seen: set[str] = set()
    found: dict[str, bytes] = {}
    with _reading(source) as (tar, members):
        for member, name in members:
            if name in seen:
                raise _refuse(_("anggota arsip ganda: %(name)r."), name=name)
            seen.add(name)
            if name in (MANIFEST, SIGNATURE):
                with tar.extractfile(member) as reader:
                    found[name] = reader.read(MAX_MANIFEST_BYTES + 1)
    if MANIFEST not in found:
        raise _refuse(_("manifest.json tidak ada di dalam arsip."))
    return _read_manifest(found[MANIFEST], found.get(SIGNATURE))


def _copy_member(reader, writer, size: int) -> tuple[str, int]:
    """Copy at most ``size`` bytes; (SHA-256, bytes copied)."""
    digest = hashlib.sha256()
    copied = 0
    while copied < size:
        chunk = reader.read(min(CHUNK, size - copied))
        if not chunk:
            break
        digest.update(chunk)
        writer.write(chunk)
        copied += len(chunk)
    return digest.hexdigest(), copied


def _unpack(source: Path, staging: Path) -> _Unpacked:
    """Extract every member listed by the signed manifest into staging, each bounded by the
    size the manifest gives it, and check its checksum."""
    manifest = _signed_manifest(source)
    listed = {entry["path"]: entry for entry in manifest["files"]}
    seen: dict[str, dict] = {}
    unlisted: list[str] = []
    with _reading(source) as (tar, members):
        for member, name in members:
            expected = listed.get(name)
            if expected is None:
                if name not in (MANIFEST, SIGNATURE):
                    unlisted.append(name)  # never written; reported below
                continue
            if member.size != expected["size"]:
                # Refused before a byte is written: a member far larger than the manifest says
                # must not fill the disk first.
                raise _refuse(
                    _("ukuran %(name)s (%(size)s) tidak sesuai manifest (%(expected)s)."),
                    name=name,
                    size=filesizeformat(member.size),
                    expected=filesizeformat(expected["size"]),
                )
            target = staging.joinpath(*PurePosixPath(name).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as reader, open(target, "xb") as writer:
                digest, size = _copy_member(reader, writer, expected["size"])
            seen[name] = {"sha256": digest, "size": size, "staged": target, "mtime": member.mtime}

    if unlisted or listed.keys() != seen.keys():
        extra = sorted(unlisted)
        absent = sorted(listed.keys() - seen.keys())
        raise _refuse(
            _("isi arsip tidak sesuai manifest (tidak tercatat: %(extra)s; hilang: %(absent)s)."),
            extra=", ".join(extra) or "-",
            absent=", ".join(absent) or "-",
        )
    for name, actual in sorted(seen.items()):
        expected = listed[name]
        if actual["sha256"] != expected["sha256"] or actual["size"] != expected["size"]:
            raise _refuse(_("checksum SHA-256 tidak cocok untuk %(name)s."), name=name)
    if DUMP not in seen:
        raise _refuse(_("database.json tidak ada di dalam arsip."))
    media = {
        name.removeprefix(MEDIA_PREFIX + "/"): info
        for name, info in seen.items()
        if name.startswith(MEDIA_PREFIX + "/")
    }
    return _Unpacked(manifest=manifest, dump=seen[DUMP]["staged"], media=media)


def _read_manifest(data: bytes, signature: bytes | None) -> dict:
    if len(data) > MAX_MANIFEST_BYTES:
        raise _refuse(_("%(name)s terlalu besar."), name=MANIFEST)
    try:
        manifest = json.loads(data)
    except (ValueError, UnicodeError) as error:
        raise _refuse(_("manifest.json bukan JSON yang sah.")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _refuse(_("berkas ini bukan cadangan Sutera Kinerja."))
    _verify_signature(data, signature)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse(
            _("versi format %(version)r tidak dikenal (yang didukung: %(supported)s)."),
            version=manifest.get("format_version"),
            supported=FORMAT_VERSION,
        )
    files = manifest.get("files")
    migrations = manifest.get("migrations")
    counts = manifest.get("row_counts")
    problems = manifest.get("problems")
    valid = (
        isinstance(files, list)
        and all(
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("sha256"), str)
            and _SHA256.match(entry["sha256"])
            and isinstance(entry.get("size"), int)
            for entry in files
        )
        and len({entry["path"] for entry in files}) == len(files)
        and isinstance(migrations, dict)
        and all(
            isinstance(names, list) and all(isinstance(n, str) for n in names)
            for names in migrations.values()
        )
        and isinstance(counts, dict)
        and all(isinstance(n, int) for n in counts.values())
        and isinstance(problems, dict)
        and all(isinstance(problems.get(key), list) for key in PROBLEM_KEYS)
        and isinstance(manifest.get("database"), dict)
    )
    if not valid:
        raise _refuse(_("manifest.json tidak lengkap atau rusak."))
    return manifest


PROBLEM_KEYS = ("missing_files", "archive_mismatches")


def _check_media_targets(root: Path, media: dict[str, dict]) -> set[str]:
    """Refuse if a different file already sits where one is restored; return identical ones."""
    identical = set()
    for relative, info in sorted(media.items()):
        target = root.joinpath(*PurePosixPath(relative).parts)
        # A symlinked directory inside MEDIA_ROOT must not lead a file outside it.
        if not target.parent.resolve().is_relative_to(root):
            raise _refuse(_("jalur %(path)s keluar dari MEDIA_ROOT."), path=relative)
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise _refuse(_("%(path)s sudah ada di MEDIA_ROOT dan bukan berkas."), path=relative)
        if target.exists():
            if _sha256_file(target) != info["sha256"]:
                raise _refuse(
                    _("berkas lain sudah ada di MEDIA_ROOT/%(path)s; pemulihan tidak menimpanya."),
                    path=relative,
                )
            identical.add(relative)
    return identical


def _check_migrations(using: str, manifest: dict, *, after_migrate: bool) -> None:
    recorded = {
        (app_label, name) for app_label, names in manifest["migrations"].items() for name in names
    }
    if not after_migrate:
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        unknown = sorted(recorded - known)
        if unknown:
            raise _refuse(
                _(
                    "cadangan dibuat oleh versi aplikasi lain (migrasi tak dikenal: %(names)s). "
                    "Pulihkan dengan versi aplikasi yang sama."
                ),
                names=", ".join(f"{a}.{n}" for a, n in unknown[:5]),
            )
        return
    applied = _applied_migrations(using)
    if applied != recorded:
        differ = sorted(applied ^ recorded)
        raise _refuse(
            _(
                "skema basis data berbeda dengan cadangan (migrasi berbeda: %(names)s). "
                "Pulihkan dengan versi aplikasi yang sama dengan saat pencadangan."
            ),
            names=", ".join(f"{a}.{n}" for a, n in differ[:5]),
        )


class _Placement:
    """Moves staged files into MEDIA_ROOT and can take them all back out again."""

    def __init__(self, root: Path):
        self.root = root
        self.files: list[Path] = []
        self.directories: list[Path] = []

    def place(self, relative: str, info: dict) -> None:
        target = self.root.joinpath(*PurePosixPath(relative).parts)
        missing = []
        parent = target.parent
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        for directory in reversed(missing):
            directory.mkdir()
            self.directories.append(directory)
        if target.exists() or target.is_symlink():
            raise _refuse(_("%(path)s muncul di MEDIA_ROOT selama pemulihan."), path=relative)
        shutil.move(info["staged"], target)
        self.files.append(target)
        os.utime(target, (info["mtime"], info["mtime"]))

    def undo(self) -> None:
        for path in reversed(self.files):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        for directory in reversed(self.directories):
            with contextlib.suppress(OSError):
                directory.rmdir()


def restore_backup(source, *, using: str = "default") -> RestoreResult:
    """Bring a backup back into an empty installation, or change nothing."""
    _refuse_inside_transaction(using)
    source = Path(source).expanduser().absolute()
    if not source.is_file():
        raise BackupError(_("Berkas cadangan tidak ditemukan: %(path)s") % {"path": source})
    _refuse_unless_empty(using)
    root = media_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=STAGING_PREFIX))
    try:
        unpacked = _unpack(source, staging)
        manifest = unpacked.manifest
        identical = _check_media_targets(root, unpacked.media)
        _check_migrations(using, manifest, after_migrate=False)
        call_command("migrate", database=using, interactive=False, verbosity=0)
        _check_migrations(using, manifest, after_migrate=True)
        if apps.is_installed("django.contrib.contenttypes"):
            from django.contrib.contenttypes.models import ContentType

            # Natural keys are resolved through this cache; ids may have changed under it.
            ContentType.objects.clear_cache()
        placement = _Placement(root)
        try:
            with transaction.atomic(using=using):
                # Re-checked under the transaction: someone may have written meanwhile.
                _refuse_unless_empty(using)
                if sum(manifest["row_counts"].values()):
                    call_command("loaddata", str(unpacked.dump), database=using, verbosity=0)
                _check_counts(using, manifest["row_counts"])
                for relative, info in sorted(unpacked.media.items()):
                    if relative not in identical:
                        placement.place(relative, info)
                hashes = _verify_placed(root, unpacked.media)
                warnings, archived = _check_references(using, hashes, manifest["problems"])
        except BaseException:
            placement.undo()
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # The restored rows reuse ids and revisions that cache keys are made of. Page parts also
    # carry their report's step times in the key, so even a running server's copy can only
    # match the very same data; emptying the caches here makes that certain for shared ones.
    for alias in settings.CACHES:
        caches[alias].clear()
    counts = manifest["row_counts"]
    return RestoreResult(
        created_at=manifest.get("created_at", "?"),
        vendor=manifest["database"].get("vendor", "?"),
        rows=sum(counts.values()),
        tables=len(counts),
        files=len(unpacked.media),
        file_bytes=sum(info["size"] for info in unpacked.media.values()),
        archived_verified=archived,
        warnings=warnings,
    )


def _check_counts(using: str, expected: dict[str, int]) -> None:
    actual = _count_rows(using, labels=set(expected))
    for label, count in sorted(expected.items()):
        if actual.get(label) != count:
            raise _refuse(
                _(
                    "jumlah baris %(label)s berbeda setelah dimuat "
                    "(%(actual)s, seharusnya %(count)s)."
                ),
                label=label,
                actual=actual.get(label, "-"),
                count=count,
            )


def _verify_placed(root: Path, media: dict[str, dict]) -> dict[str, str]:
    """Hash every restored file where it now lies; all must match the manifest."""
    hashes = {}
    for relative, info in sorted(media.items()):
        digest = _sha256_file(root.joinpath(*PurePosixPath(relative).parts))
        if digest != info["sha256"]:
            raise _refuse(_("checksum SHA-256 tidak cocok untuk %(name)s."), name=relative)
        hashes[relative] = digest
    return hashes


def _check_references(using: str, hashes: dict[str, str], problems: dict) -> tuple[list, int]:
    """Every referenced file restored and every ArchivedFile matching its SHA-256, except the
    problems the backup already found in its source, which are reported, not hidden."""
    known_missing = set(problems["missing_files"])
    known_mismatch = set(problems["archive_mismatches"])
    warnings = []
    for name in sorted(_file_references(using) - hashes.keys()):
        if name not in known_missing:
            raise _refuse(_("berkas %(path)s dirujuk basis data tetapi tidak ada."), path=name)
        warnings.append(_("Berkas %(path)s sudah tidak ada ketika dicadangkan.") % {"path": name})
    verified = 0
    for name, sha in sorted(_archived_checksums(using).items()):
        if name not in hashes:
            continue  # reported above as missing
        if hashes[name] == sha:
            verified += 1
        elif name in known_mismatch:
            warnings.append(
                _("SHA-256 berkas arsip %(path)s sudah tidak cocok ketika dicadangkan.")
                % {"path": name}
            )
        else:
            raise _refuse(_("SHA-256 berkas arsip %(path)s tidak cocok."), path=name)
    return warnings, verified


def describe_size(size: int) -> str:
    return filesizeformat(size)


def format_timestamp(value: str) -> str:
    """An ISO timestamp from the manifest in local time, or as it is if unreadable."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")
