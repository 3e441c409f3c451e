"""Checking evidence files ("bukti dukung") before they are stored.

The type is decided by the file's content only: the name and the browser's content type are
typed or guessed on the client and prove nothing. Every accepted type is then parsed far
enough to know it is what it claims to be, and containers that expand (images, zip-based
Office files) are bounded so a small upload cannot exhaust memory when someone opens it.

Pure Python: no models, no database.
"""

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from PIL import Image

from . import ooxml

__all__ = [
    "ALLOWED",
    "ALLOWED_LABEL",
    "MAX_EVIDENCE_BYTES",
    "InspectedFile",
    "display_name",
    "inspect_upload",
]

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
# How the allowed types are named to users (JPEG rather than the stored "jpg").
ALLOWED_LABEL = "PDF, JPEG, PNG, XLSX, DOCX"

MAX_NAME_LENGTH = 150
PACKAGE_LIMITS = ooxml.PackageLimits(members=1000, uncompressed_bytes=100 * 1024 * 1024)
# [Content_Types].xml and the relationships are short lists; megabytes of them are not an
# Office file worth reading.
MAX_PACKAGE_XML_BYTES = 4 * 1024 * 1024
# Other spellings of a stored extension that a name may keep.
_EXTENSION_SPELLINGS = {"jpg": {"jpg", "jpeg", "jpe"}}

_SNIFF_BYTES = 8192
_PDF = "application/pdf"
_JPEG = "image/jpeg"
_PNG = "image/png"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# What filetype may report for an image we accept -> (stored type, Pillow formats allowed).
# APNG is a PNG with extra chunks; MPO is the JPEG that some phone cameras write.
_IMAGES = {
    "image/jpeg": (_JPEG, ("JPEG", "MPO")),
    "image/png": (_PNG, ("PNG",)),
    "image/apng": (_PNG, ("PNG",)),
}
# filetype tells OOXML kinds apart by the order of the first zip members, which varies between
# producers, so every zip-like guess goes to the structural check, which decides.
_ZIP_GUESSES = {
    "application/zip",
    _XLSX,
    _DOCX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Per Office type: the part that must exist and the main content type it must be declared
# with. The declaration keeps out macro-enabled files (xlsm/docm) and templates renamed .xlsx.
_OFFICE_PARTS = {
    _XLSX: ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
    _DOCX: ("word/document.xml", b"wordprocessingml.document.main+xml"),
}
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class InspectedFile:
    """An upload whose content was checked; ``content_type`` and ``extension`` come from it."""

    content_type: str
    extension: str
    size: int
    original_name: str


def display_name(name: str | None) -> str:
    """The upload's name made safe to show: basename only, no control characters, <= 150."""
    # Old browsers send the full client path, with either separator.
    name = re.split(r"[\\/]", name or "")[-1]
    # Control and format characters include the right-to-left override that makes
    # "laporan\u202efdp.exe" display as "laporanexe.pdf".
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _WHITESPACE.sub(" ", name).strip()
    if name in ("", ".", ".."):
        return gettext("berkas tanpa nama")
    if len(name) <= MAX_NAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if stem and len(extension) <= 10:
        # Shorten the stem so the extension, which users recognise files by, stays visible.
        return stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + dot + extension
    return name[:MAX_NAME_LENGTH]


def inspect_upload(upload: UploadedFile) -> InspectedFile:
    """Check an uploaded evidence file by its content; raise ValidationError if refused.

    The file pointer is left at 0, ready for the caller to save the file.
    """
    name = display_name(upload.name)
    try:
        data = _read(upload, name)
        content_type = _detect(data, name)
    finally:
        upload.seek(0)
    extension = ALLOWED[content_type]
    return InspectedFile(
        content_type=content_type,
        extension=extension,
        size=len(data),
        original_name=named_for_content(name, extension),
    )


def named_for_content(name: str, extension: str) -> str:
    """The name with the extension of what the file really is: "bukti.html" holding a PNG is
    kept as "bukti.png", "laporan.exe" holding a PDF as "laporan.pdf"; an extension that is
    already right stays as the user wrote it."""
    stem, dot, current = name.rpartition(".")
    if dot and stem and current.lower() in _EXTENSION_SPELLINGS.get(extension, {extension}):
        return name
    if dot and stem and len(current) <= 5 and current.isalnum():
        name = stem  # a lying extension is replaced, not kept in front of the real one
    return name[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension


def _read(upload: UploadedFile, name: str) -> bytes:
    # The declared size lets an obviously large file be refused without reading it; the read
    # is bounded anyway in case the declared size is wrong.
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise _too_large(name)
    upload.seek(0)
    data = upload.read(MAX_EVIDENCE_BYTES + 1)
    if len(data) > MAX_EVIDENCE_BYTES:
        raise _too_large(name)
    if not data:
        raise ValidationError(
            gettext("Berkas “%(name)s” kosong."), code="empty", params={"name": name}
        )
    return data


def _detect(data: bytes, name: str) -> str:
    kind = filetype.guess(data[:_SNIFF_BYTES])
    guess = kind.mime if kind else None
    if guess == _PDF:
        # filetype also accepts "%PDF" after a byte-order mark or without the dash.
        if not data.startswith(b"%PDF-"):
            raise _corrupt(name, "PDF")
        return _PDF
    if guess in _IMAGES:
        content_type, formats = _IMAGES[guess]
        _check_image(data, name, content_type, formats)
        return content_type
    if guess in _ZIP_GUESSES:
        return _check_office(data, name, guess)
    raise _not_allowed(name)


def _check_image(data: bytes, name: str, content_type: str, formats: tuple[str, ...]) -> None:
    label = "JPEG" if content_type == _JPEG else "PNG"
    try:
        with warnings.catch_warnings():
            # Pillow warns (rather than raises) for images between its pixel limit and twice
            # that; such an image is refused too. Other Pillow warnings are irrelevant here and
            # must not surface as some other exception where warnings are errors (the tests).
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            found = _parse_image(data, formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            gettext(
                "Gambar “%(name)s” terlalu besar resolusinya. Perkecil ukuran gambar lalu "
                "unggah lagi."
            ),
            code="image_too_large",
            params={"name": name},
        ) from None
    except Exception as exc:
        # Pillow fails on malformed input with many exception types; all mean "corrupt".
        raise _corrupt(name, label) from exc
    if found not in formats:
        raise _corrupt(name, label)


def _parse_image(data: bytes, formats: tuple[str, ...]) -> str | None:
    """Open and verify the image; return Pillow's format name."""
    pillow_formats = [fmt for fmt in formats if fmt != "MPO"]  # MPO is opened by JPEG's plugin
    with Image.open(io.BytesIO(data), formats=pillow_formats) as image:
        found = image.format
        # For PNG this walks every chunk and checks its CRC, so a truncated file fails.
        image.verify()
    if found in ("JPEG", "MPO"):
        # verify() checks nothing for JPEG, so decode it; at 1/8 scale to bound memory, which
        # still reads the whole stream and so still catches truncation.
        with Image.open(io.BytesIO(data), formats=pillow_formats) as image:
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    return found


def _check_office(data: bytes, name: str, guess: str) -> str:
    try:
        archive = ooxml.open_package(data, PACKAGE_LIMITS)
    except ooxml.PackageError as error:
        if error.reason in ("members", "size", "ratio"):
            raise _archive_too_large(name) from None
        if error.reason == "unsafe_name":
            raise ValidationError(
                gettext("Berkas “%(name)s” ditolak: berisi nama bagian yang tidak aman."),
                code="unsafe_archive",
                params={"name": name},
            ) from None
        # A damaged Office file is more likely than a damaged plain zip; say so when the first
        # bytes looked like one.
        if guess in _OFFICE_PARTS:
            raise _corrupt(name, ALLOWED[guess].upper()) from None
        raise _not_allowed(name) from None
    with archive:
        names = set(archive.namelist())
        matches = [
            content_type for content_type, (part, _) in _OFFICE_PARTS.items() if part in names
        ]
        if "[Content_Types].xml" not in names or len(matches) != 1:
            raise _not_allowed(name)
        content_type = matches[0]
        budget = ooxml.Budget(MAX_PACKAGE_XML_BYTES)
        declared: list[str] = []
        try:
            ooxml.stream_part(
                archive,
                "[Content_Types].xml",
                budget,
                start=lambda tag, attrs: declared.append(attrs.get("ContentType", "")),
            )
            external = ooxml.external_references(archive, budget)
        except ooxml.PackageError as error:
            # Encrypted member, bad CRC, unknown compression, broken XML: not a usable file.
            raise _corrupt(name, ALLOWED[content_type].upper()) from error
    if not any(_OFFICE_PARTS[content_type][1] in text.encode() for text in declared):
        raise _not_allowed(name)
    if external:
        raise ValidationError(
            gettext(
                "Berkas “%(name)s” ditolak: dokumen ini mengambil isi dari luar berkas (templat, "
                "gambar atau tautan ke berkas lain). Simpan ulang tanpa tautan luar, misalnya "
                "sebagai PDF, lalu unggah lagi."
            ),
            code="external_reference",
            params={"name": name},
        )
    return content_type


def _archive_too_large(name: str) -> ValidationError:
    return ValidationError(
        gettext(
            "Berkas “%(name)s” ditolak: isinya setelah diekstrak terlalu besar atau "
            "terdiri dari terlalu banyak bagian."
        ),
        code="archive_too_large",
        params={"name": name},
    )


def _too_large(name: str) -> ValidationError:
    return ValidationError(
        gettext("Berkas “%(name)s” lebih dari %(limit)s MB."),
        code="too_large",
        params={"name": name, "limit": MAX_EVIDENCE_BYTES // (1024 * 1024)},
    )


def _not_allowed(name: str) -> ValidationError:
    return ValidationError(
        gettext(
            "Isi berkas “%(name)s” bukan jenis yang diizinkan. Jenis yang diizinkan: %(allowed)s."
        ),
        code="type_not_allowed",
        params={"name": name, "allowed": ALLOWED_LABEL},
    )


def _corrupt(name: str, label: str) -> ValidationError:
    return ValidationError(
        gettext("Berkas “%(name)s” tidak dapat dibaca sebagai %(kind)s; berkas mungkin rusak."),
        code="corrupt",
        params={"name": name, "kind": label},
    )
