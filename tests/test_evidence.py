"""Evidence uploads are judged by their content, built here as real files in memory."""

import io
import warnings
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

from monev.evidence import (
    ALLOWED,
    MAX_EVIDENCE_BYTES,
    InspectedFile,
    display_name,
    inspect_upload,
)

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_ALLOWED = (
    "Isi berkas “{}” bukan jenis yang diizinkan. Jenis yang diizinkan: PDF, JPEG, PNG, XLSX, DOCX."
)

MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)
CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
DOCUMENT_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Bukti dukung</w:t></w:r></w:p></w:body></w:document>"
)


def upload(content: bytes, name: str, browser_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=browser_type)


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), **options) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    image.paste((250, 200, 0), (8, 8, 40, 30))  # some detail, so the JPEG has real scans
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content)
    return buffer.getvalue()


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    return zip_bytes(
        {"[Content_Types].xml": CONTENT_TYPES_DOCX, "word/document.xml": DOCUMENT_XML}
        | (extra or {})
    )


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Realisasi triwulan I"
    workbook.active["B1"] = 85.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refusal(file: SimpleUploadedFile) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        inspect_upload(file)
    assert file.tell() == 0
    return caught.value


def message(error: ValidationError) -> str:
    (text,) = error.messages
    return text


# --- accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type", "extension"),
    [
        (MINIMAL_PDF, "laporan.pdf", PDF_TYPE, "pdf"),
        (image_bytes("PNG"), "foto kegiatan.png", "image/png", "png"),
        (image_bytes("JPEG", quality=85), "foto.jpg", "image/jpeg", "jpg"),
        (xlsx_bytes(), "rekap.xlsx", XLSX_TYPE, "xlsx"),
        (docx_bytes(), "notulen.docx", DOCX_TYPE, "docx"),
    ],
    ids=["pdf", "png", "jpeg", "xlsx", "docx"],
)
def test_accepts_each_allowed_type(content, name, content_type, extension):
    file = upload(content, name, browser_type="application/octet-stream")

    inspected = inspect_upload(file)

    assert inspected == InspectedFile(content_type, extension, len(content), name)
    assert ALLOWED[inspected.content_type] == inspected.extension
    assert file.tell() == 0
    assert file.read() == content  # still whole, for the caller to save


def test_content_decides_not_the_name_or_browser_type():
    content = image_bytes("PNG")

    inspected = inspect_upload(upload(content, "laporan.pdf", browser_type="application/pdf"))

    assert (inspected.content_type, inspected.extension) == ("image/png", "png")
    # Kept under the name of what it is: downloaded later, it opens as the image it is.
    assert inspected.original_name == "laporan.png"


@pytest.mark.parametrize(
    ("content", "name", "kept"),
    [
        (image_bytes("PNG") + b"<html><script>alert(1)</script></html>", "bukti.html", "bukti.png"),
        (MINIMAL_PDF, "laporan.exe", "laporan.pdf"),
        (MINIMAL_PDF, "LAPORAN.PDF", "LAPORAN.PDF"),
        (image_bytes("JPEG"), "foto.jpeg", "foto.jpeg"),
        (image_bytes("JPEG"), "foto", "foto.jpg"),
        (MINIMAL_PDF, "laporan triwulan 1.5 final", "laporan triwulan 1.5 final.pdf"),
        (xlsx_bytes(), "rekap.xlsx.pdf", "rekap.xlsx.xlsx"),
        (MINIMAL_PDF, "a" * 200 + ".exe", "a" * 146 + ".pdf"),
    ],
)
def test_the_kept_name_always_ends_in_the_detected_type(content, name, kept):
    inspected = inspect_upload(upload(content, name))

    assert inspected.original_name == kept
    assert inspected.original_name.lower().endswith(
        ("." + inspected.extension, ".jpeg")
        if inspected.extension == "jpg"
        else "." + inspected.extension
    )


RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/{kind}" Target="{target}" {mode}/></Relationships>'
)


def rels(kind: str, target: str, external: bool = True) -> bytes:
    return RELS.format(
        kind=kind, target=target, mode='TargetMode="External"' if external else ""
    ).encode()


@pytest.mark.parametrize(
    ("part", "kind", "target"),
    [
        ("word/_rels/settings.xml.rels", "attachedTemplate", "http://198.51.100.7/t.dotm"),
        ("word/_rels/document.xml.rels", "image", "http://198.51.100.7/pixel.png"),
        ("word/_rels/document.xml.rels", "oleObject", "file://///198.51.100.7/share/x.xls"),
        ("word/_rels/webSettings.xml.rels", "frame", "https://198.51.100.7/frame.html"),
    ],
)
def test_refuses_docx_that_fetches_from_outside(part, kind, target):
    error = refusal(upload(docx_bytes({part: rels(kind, target)}), "notulen.docx"))

    assert error.code == "external_reference"
    assert "mengambil isi dari luar berkas" in message(error)


@pytest.mark.parametrize(
    "part", ["xl/externalLinks/externalLink1.xml", "xl/connections.xml", "xl/queryTables/q1.xml"]
)
def test_refuses_xlsx_with_links_to_other_workbooks_or_data_connections(part):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(part, b"<x/>")

    assert refusal(upload(buffer.getvalue(), "rekap.xlsx")).code == "external_reference"


def test_accepts_docx_with_internal_relationships_and_plain_hyperlinks():
    """A hyperlink only says where a click goes; nothing is fetched when the file opens."""
    relationships = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/hyperlink" Target="https://pesisirselatankab.go.id/" '
        b'TargetMode="External"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/styles" Target="styles.xml"/></Relationships>'
    )
    parts = {"word/_rels/document.xml.rels": relationships, "word/styles.xml": b"<w:styles/>"}

    assert inspect_upload(upload(docx_bytes(parts), "notulen.docx")).extension == "docx"


def test_docx_is_recognised_whatever_order_its_parts_are_in():
    # filetype guesses OOXML kinds from the first members; here it can only say "zip".
    content = zip_bytes(
        {
            "customXml/item1.xml": b"<x/>",
            "customXml/item2.xml": b"<y/>",
            "customXml/item3.xml": b"<z/>",
            "customXml/item4.xml": b"<w/>",
            "customXml/item5.xml": b"<v/>",
            "[Content_Types].xml": CONTENT_TYPES_DOCX,
            "word/document.xml": DOCUMENT_XML,
        }
    )

    assert inspect_upload(upload(content, "notulen.docx")).content_type == DOCX_TYPE


def test_phone_camera_mpo_is_a_jpeg():
    first = Image.new("RGB", (32, 24), "red")
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (32, 24), "blue")])

    inspected = inspect_upload(upload(buffer.getvalue(), "IMG_0001.JPG"))

    assert (inspected.content_type, inspected.extension) == ("image/jpeg", "jpg")


def test_reads_from_the_start_and_rewinds_even_if_the_caller_had_read():
    file = upload(MINIMAL_PDF, "laporan.pdf")
    file.read(5)

    assert inspect_upload(file).size == len(MINIMAL_PDF)
    assert file.tell() == 0


def test_exactly_the_limit_is_accepted():
    content = MINIMAL_PDF + b"%" * (MAX_EVIDENCE_BYTES - len(MINIMAL_PDF))

    assert inspect_upload(upload(content, "besar.pdf")).size == MAX_EVIDENCE_BYTES


# --- refused: size ----------------------------------------------------------------------------


def test_refuses_empty_file():
    error = refusal(upload(b"", "kosong.pdf"))

    assert message(error) == "Berkas “kosong.pdf” kosong."
    assert error.code == "empty"


def test_refuses_file_over_10_mb():
    error = refusal(upload(MINIMAL_PDF + b"0" * (11 * 1024 * 1024), "scan.pdf"))

    assert message(error) == "Berkas “scan.pdf” lebih dari 10 MB."
    assert error.code == "too_large"


def test_size_limit_holds_when_the_declared_size_is_wrong():
    file = upload(MINIMAL_PDF + b"0" * MAX_EVIDENCE_BYTES, "scan.pdf")
    file.size = 100

    assert refusal(file).code == "too_large"


# --- refused: type ----------------------------------------------------------------------------


def test_refuses_executable_renamed_pdf():
    error = refusal(upload(b"MZ" + b"\x90\x00" * 512, "laporan.pdf"))

    assert message(error) == NOT_ALLOWED.format("laporan.pdf")
    assert error.code == "type_not_allowed"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (zip_bytes({"data.csv": b"a,b\n1,2\n"}), "data.xlsx"),
        (image_bytes("GIF"), "animasi.png"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "bukti.pdf"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "grafik.png",
        ),
        (b"Realisasi 85,5 persen\n", "catatan.docx"),
        (b"%PDX-1.4 not quite\n", "hampir.pdf"),
    ],
    ids=["plain-zip", "gif", "html", "svg", "text", "pdf-lookalike"],
)
def test_refuses_other_types(content, name):
    error = refusal(upload(content, name))

    assert message(error) == NOT_ALLOWED.format(name)


def test_refuses_macro_enabled_workbook_renamed_xlsx():
    content_types = (
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/xl/workbook.xml" '
        b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
    )
    content = zip_bytes(
        {
            "[Content_Types].xml": content_types,
            "xl/workbook.xml": b"<workbook/>",
            "xl/vbaProject.bin": b"\x00" * 64,
        }
    )

    assert message(refusal(upload(content, "rekap.xlsx"))) == NOT_ALLOWED.format("rekap.xlsx")


def test_refuses_pdf_header_after_byte_order_mark():
    error = refusal(upload(b"\xef\xbb\xbf" + MINIMAL_PDF, "laporan.pdf"))

    assert message(error) == (
        "Berkas “laporan.pdf” tidak dapat dibaca sebagai PDF; berkas mungkin rusak."
    )


# --- refused: corrupt images ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "label"),
    [
        (image_bytes("PNG")[:-30], "PNG"),
        (image_bytes("PNG")[:60], "PNG"),
        (image_bytes("JPEG", quality=85)[:-200], "JPEG"),
    ],
    ids=["png-cut-at-end", "png-cut-early", "jpeg-truncated"],
)
def test_refuses_truncated_images(content, label):
    error = refusal(upload(content, "foto.png"))

    assert message(error) == (
        f"Berkas “foto.png” tidak dapat dibaca sebagai {label}; berkas mungkin rusak."
    )
    assert error.code == "corrupt"


def test_refuses_png_with_damaged_data():
    content = bytearray(image_bytes("PNG"))
    content[len(content) // 2] ^= 0xFF

    assert refusal(upload(bytes(content), "foto.png")).code == "corrupt"


# --- refused: decompression bombs -------------------------------------------------------------


@pytest.mark.parametrize(
    "pixel_limit",
    # 64x48 = 3072 pixels: over the limit Pillow warns, over twice the limit it raises.
    [2000, 1000],
    ids=["warning-range", "error-range"],
)
# Production shows warnings at most once ("default") and the test settings turn them into
# errors; the refusal must not depend on either.
@pytest.mark.parametrize("warning_action", ["default", "ignore", "error"])
def test_refuses_images_with_too_many_pixels(monkeypatch, pixel_limit, warning_action):
    # Lowering Pillow's limit stands in for a real bomb, which would be slow to build.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pixel_limit)

    with warnings.catch_warnings():
        warnings.simplefilter(warning_action)
        error = refusal(upload(image_bytes("PNG"), "peta.png"))

    assert message(error) == (
        "Gambar “peta.png” terlalu besar resolusinya. Perkecil ukuran gambar lalu unggah lagi."
    )
    assert error.code == "image_too_large"


def test_refuses_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_DOCX)
        archive.writestr("word/document.xml", DOCUMENT_XML)
        with archive.open("word/media/image1.png", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(101):
                member.write(chunk)
    assert len(buffer.getvalue()) < 1024 * 1024  # small upload, 101 MB once extracted

    error = refusal(upload(buffer.getvalue(), "notulen.docx"))

    assert message(error) == (
        "Berkas “notulen.docx” ditolak: isinya setelah diekstrak terlalu besar atau terdiri "
        "dari terlalu banyak bagian."
    )
    assert error.code == "archive_too_large"


def test_refuses_zip_with_too_many_members():
    parts = {f"word/media/image{number}.png": b"" for number in range(1000)}

    assert refusal(upload(docx_bytes(parts), "notulen.docx")).code == "archive_too_large"


def test_accepts_zip_with_exactly_the_member_limit():
    parts = {f"word/media/image{number}.png": b"" for number in range(998)}

    assert inspect_upload(upload(docx_bytes(parts), "notulen.docx")).extension == "docx"


@pytest.mark.parametrize(
    "member", ["../../etc/cron.d/x", "/etc/passwd", "\\windows\\x.dll", "C:\\x.dll", "word/../x"]
)
def test_refuses_zip_with_unsafe_member_names(member):
    error = refusal(upload(docx_bytes({member: b"x"}), "notulen.docx"))

    assert message(error) == "Berkas “notulen.docx” ditolak: berisi nama bagian yang tidak aman."
    assert error.code == "unsafe_archive"


def test_refuses_damaged_office_file_as_corrupt():
    content = xlsx_bytes()[:-100]  # central directory cut off

    assert message(refusal(upload(content, "rekap.xlsx"))) == (
        "Berkas “rekap.xlsx” tidak dapat dibaca sebagai XLSX; berkas mungkin rusak."
    )


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("C:\\fakepath\\Laporan  Triwulan I.pdf", "Laporan Triwulan I.pdf"),
        ("../../etc/passwd", "passwd"),
        ("laporan\u202efdp.exe", "laporanfdp.exe"),
        ("bukti\x00\n.pdf", "bukti.pdf"),
        ("..", "berkas tanpa nama"),
        ("", "berkas tanpa nama"),
        ("a" * 200 + ".pdf", "a" * 146 + ".pdf"),
        ("a" * 200, "a" * 150),
    ],
)
def test_display_name(raw, shown):
    assert display_name(raw) == shown
    assert len(display_name(raw)) <= 150


def test_refusal_names_the_cleaned_file():
    error = refusal(upload(b"", "C:\\Users\\kasi\\bukti kosong.pdf"))

    assert message(error) == "Berkas “bukti kosong.pdf” kosong."
