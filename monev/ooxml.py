"""Office Open XML packages (.xlsx, .docx) sent by users, opened without trusting them.

One place for what every reader of an uploaded Office file needs before a real parser
(openpyxl) sees it: the zip container checked from its central directory, and the XML parts
read as a stream, in bounded chunks, with a budget of bytes, so a small file that unpacks into
millions of cells is refused after a bounded amount of work and memory.

Pure Python: no models, no database. Problems raise PackageError with a reason code; callers
turn it into their own message for the user.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from xml.parsers import expat

__all__ = [
    "PackageError",
    "PackageLimits",
    "external_references",
    "open_package",
    "part_targets",
    "stream_part",
]

_CHUNK = 64 * 1024
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
_RELATIONSHIPS = re.compile(r"(^|/)_rels/[^/]*\.rels$")


class PackageError(Exception):
    """``reason``: "not_zip", "members", "size", "ratio", "unsafe_name", "corrupt", "xml" or
    "budget" (a stream went past its limit; ``detail`` says which)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class StopParsing(Exception):
    """Raised by a handler that has read what it needs; ends stream_part early, quietly."""


@dataclass(frozen=True)
class PackageLimits:
    members: int
    uncompressed_bytes: int
    ratio: int = 100
    # Small parts of real files (styles, repeated empty cells) compress better than the ratio;
    # a part this small cannot be a bomb, so the ratio only applies above it.
    ratio_from_bytes: int = 1024 * 1024


def open_package(data: bytes, limits: PackageLimits) -> zipfile.ZipFile:
    """The zip of an Office file, after checks that read only its central directory.

    zipfile never returns more than a member's declared size (a lie fails the CRC check), so
    the declared sizes bound what any later reader can unpack. The caller closes it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:
        # A damaged central directory surfaces as BadZipFile, OSError, ValueError, EOFError...
        raise PackageError("not_zip") from None
    try:
        if len(members) > limits.members:
            raise PackageError("members")
        if sum(member.file_size for member in members) > limits.uncompressed_bytes:
            raise PackageError("size")
        for member in members:
            if member.file_size > limits.ratio_from_bytes and (
                member.file_size > limits.ratio * max(member.compress_size, 1)
            ):
                raise PackageError("ratio", member.filename)
            if _unsafe_name(member.filename):
                raise PackageError("unsafe_name", member.filename)
    except PackageError:
        archive.close()
        raise
    return archive


def _unsafe_name(name: str) -> bool:
    """True for a member name that would escape the folder it is extracted into."""
    return name.startswith(("/", "\\")) or bool(_WINDOWS_DRIVE.match(name)) or ".." in name


class Budget:
    """Bytes of XML a whole reading may stream; shared across parts so many small parts cannot
    add up to a large one."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, amount: int, part: str) -> None:
        self.left -= amount
        if self.left < 0:
            raise PackageError("budget", part)


def _local(name: str) -> str:
    # Producers differ in namespace prefixes ("x:row" or "row"); the local name decides.
    return name.rpartition(":")[2]


def stream_part(
    archive: zipfile.ZipFile,
    name: str,
    budget: Budget,
    *,
    start: Callable[[str, dict], None] | None = None,
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Feed one XML part through expat in chunks, calling the handlers with local names.

    Documents with a DTD are refused (no entity expansion, no external entities); a handler
    raising StopParsing ends the reading early.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args):
        raise PackageError("xml", f"{name}: DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if start is not None:
        parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
    if end is not None:
        parser.EndElementHandler = lambda tag: end(_local(tag))
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                budget.spend(len(chunk), name)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except StopParsing:
        return
    except expat.ExpatError as error:
        raise PackageError("xml", f"{name}: {error}") from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        RuntimeError,
        NotImplementedError,
        OSError,
        EOFError,
        ValueError,
        KeyError,
    ) as error:
        # Bad CRC, damaged deflate data, encryption, unknown compression, a missing member.
        raise PackageError("corrupt", f"{name}: {error}") from None


@dataclass(frozen=True)
class Relationship:
    type: str
    target: str  # a member name for internal targets, the raw target for external ones
    external: bool


def _relationships_part(source: str) -> str:
    folder, _slash, base = source.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relationships(archive: zipfile.ZipFile, source: str, budget: Budget) -> dict[str, Relationship]:
    """Id -> relationship of one part ("" for the package itself)."""
    part = _relationships_part(source) if source else "_rels/.rels"
    if part not in archive.NameToInfo:
        return {}
    found: dict[str, Relationship] = {}

    def start(tag: str, attrs: dict) -> None:
        if tag == "Relationship" and "Id" in attrs:
            external = attrs.get("TargetMode", "") == "External"
            target = attrs.get("Target", "")
            found[attrs["Id"]] = Relationship(
                type=attrs.get("Type", "").rpartition("/")[2],
                target=target if external else _resolve(source, target),
                external=external,
            )

    stream_part(archive, part, budget, start=start)
    return found


def part_targets(archive: zipfile.ZipFile, source: str, kind: str, budget: Budget) -> list[str]:
    """Members that ``source`` refers to with relationships of type ``kind`` (for example the
    package's "officeDocument", or a workbook's "sharedStrings")."""
    return [
        rel.target
        for rel in relationships(archive, source, budget).values()
        if rel.type == kind and not rel.external
    ]


# External targets that only say where a reader may go when clicking; opening the document does
# not fetch them.
_PASSIVE_EXTERNAL = {"hyperlink"}


def external_references(archive: zipfile.ZipFile, budget: Budget) -> list[str]:
    """Types of the relationships that make a reader fetch something from outside the file when
    it opens it (a remote template, linked images or frames, links to other workbooks, data
    connections).

    Every relationships part is read, and parts that only exist to point outside (Excel's
    externalLinks, connections and query tables) count too, whatever their relationships say.
    """
    found = []
    for name in archive.namelist():
        if name.startswith("xl/externalLinks/") and name.endswith(".xml"):
            found.append("externalLink")
        if name == "xl/connections.xml" or name.startswith("xl/queryTables/"):
            found.append("connection")  # data connections and web queries refresh from outside
        if not _RELATIONSHIPS.search(name):
            continue
        source = name.replace("_rels/", "").removesuffix(".rels")
        found += [
            rel.type
            for rel in relationships(archive, source, budget).values()
            if rel.external and rel.type not in _PASSIVE_EXTERNAL
        ]
    return found
