"""A small .xlsx that unpacks into millions of cells is refused cheaply: the report's state
and the file's identity are checked first, then the sheet XML is counted on a stream, and only
a file that passes reaches openpyxl. Measured in a child process (time and peak memory) and
under gunicorn, where three such uploads at once must not keep the login page from answering."""

import io
import json
import random
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monev.models import Realisation
from monev.sheets import SheetMeta, build_section_workbook

from .conftest import make_report, section_url, submit_sections
from .servers import gunicorn, login_cookies, post_multipart, timed_get

ROOT = Path(__file__).resolve().parent.parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
META = SheetMeta(
    report_id=7, section_id=3, office_name="Kecamatan Sutera", section_name="Pemerintahan",
    year=2025, quarter=1,
)  # fmt: skip
COLUMNS = 50
CELLS = 3_000_000


def inflate(workbook: bytes, path: Path) -> Path:
    """The workbook with its first sheet replaced by ~3 million small cells, written to path:
    the upload that took a server down (a couple of MB, ~50 MB of XML)."""
    rng = random.Random(12)
    values = [str(rng.randrange(100)) for _ in range(4096)]
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
                continue
            with target.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                for row in range(1, CELLS // COLUMNS + 1):
                    cells = "".join(
                        f"<c><v>{values[(row * 7 + c) % 4096]}</v></c>" for c in range(COLUMNS)
                    )
                    sheet.write(f'<row r="{row}">{cells}</row>'.encode())
                sheet.write(b"</sheetData></worksheet>")
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = inflate(
        build_section_workbook(META, [], []), tmp_path_factory.mktemp("bomb") / "bom.xlsx"
    )
    with zipfile.ZipFile(path) as archive:
        xml_size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert path.stat().st_size < 5 * 1024 * 1024  # under the upload limit: it gets read
    assert xml_size > 40 * 1024 * 1024
    return path


CHILD = """
import json, resource, sys, time
import django
django.setup()
from monev.sheets import SheetError, SheetMeta, read_section_workbook
meta = SheetMeta(**json.loads(sys.argv[2]))
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    read_section_workbook(data, meta, set(), set())
    outcome = "accepted"
except SheetError as error:
    outcome = " ".join(error.errors)
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "seconds": seconds, "grown_kib": after - before}))
"""


def test_bomb_is_refused_fast_and_in_bounded_memory(bomb):
    env = {"DJANGO_SETTINGS_MODULE": "sutera_kinerja.settings", "PATH": "/usr/bin:/bin"}
    meta = json.dumps(META.__dict__)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(bomb), meta],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert "terlalu banyak" in measured["outcome"]
    assert measured["seconds"] < 2
    assert measured["grown_kib"] < 100 * 1024


def test_rows_cells_and_bytes_are_each_limited(tmp_path):
    """Each limit on its own: a sheet with too many rows (few cells), one with too many cells
    in few rows, and one whose XML is too large in bytes."""
    workbook = build_section_workbook(META, [], [])

    def replaced(xml: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(workbook)) as src, zipfile.ZipFile(out, "w", 8) as dst:
            for info in src.infolist():
                data = xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
                dst.writestr(info.filename, data)
        return out.getvalue()

    from monev.sheets import SheetError, read_section_workbook

    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    rows = head + b"<sheetData><row r='6000'><c><v>1</v></c></row></sheetData></worksheet>"
    wide = head + b"<sheetData><row r='1'>" + b"<c/>" * 250_000 + b"</row></sheetData></worksheet>"
    # Random a/b text: compresses about 7:1, so neither the size nor the ratio of the
    # container gives it away.
    text = (
        random.Random(3)
        .randbytes(25 * 1024 * 1024)
        .translate(bytes(97 + (i & 1) for i in range(256)))
    )
    fat = head + b"<sheetData/><x>" + text + b"</x></worksheet>"
    expected = {
        rows: "Lembar Indikator: terlalu banyak baris",
        wide: "terlalu banyak sel",
        fat: "ukuran setelah dibuka terlalu besar",
    }
    for xml, message in expected.items():
        with pytest.raises(SheetError) as refused:
            read_section_workbook(replaced(xml), META, set(), set())
        assert message in " ".join(refused.value.errors)


@pytest.fixture
def report(demo_indicators, users):
    return make_report(demo_indicators, step=2)


def download(client, report) -> bytes:
    response = client.get(section_url(report, "pemerintahan", "monev:section_sheet_download"))
    assert response.status_code == 200
    return response.content


def test_bomb_made_from_a_real_download_is_refused_and_saves_nothing(report, client_for, tmp_path):
    kasi = client_for("kasi_pemerintahan")
    bomb = inflate(download(kasi, report), tmp_path / "data-pemerintahan.xlsx")
    started = time.monotonic()
    response = kasi.post(
        section_url(report, "pemerintahan", "monev:section_sheet_upload"),
        {"workbook": SimpleUploadedFile("data.xlsx", bomb.read_bytes(), content_type=XLSX)},
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    page = response.content.decode()
    assert "Berkas tidak disimpan sama sekali" in page
    assert "terlalu banyak" in page
    assert not Realisation.objects.filter(report=report).exists()


def test_a_locked_sheet_refuses_before_reading_the_file(report, client_for):
    """Once the section has handed its data in, any upload gets the state's message, even one
    that is not a workbook at all: the file was never opened."""
    submit_sections(report, 2, {"pemerintahan"})
    kasi = client_for("kasi_pemerintahan")
    response = kasi.post(
        section_url(report, "pemerintahan", "monev:section_sheet_upload"),
        {"workbook": SimpleUploadedFile("x.xlsx", b"not a zip at all", content_type=XLSX)},
    )
    page = response.content.decode()
    assert "sudah dikirim dan dikunci" in page
    assert "bukan file Excel" not in page


@pytest.mark.django_db(transaction=True)
def test_login_answers_during_three_bomb_uploads_under_gunicorn(report, users, tmp_path):
    kasi = users["kasi_pemerintahan"]
    from django.test import Client

    client = Client()
    client.force_login(kasi)
    bomb = inflate(download(client, report), tmp_path / "bom.xlsx").read_bytes()
    cookies = login_cookies(kasi)
    path = section_url(report, "pemerintahan", "monev:section_sheet_upload")
    results: list[tuple[int, bytes, float]] = []

    def upload():
        started = time.monotonic()
        status, body = post_multipart(
            server.port,
            path,
            cookies=cookies,
            fields={"csrfmiddlewaretoken": cookies["csrftoken"]},
            files={"workbook": ("bom.xlsx", bomb)},
        )
        results.append((status, body, time.monotonic() - started))

    with gunicorn(workers=3, log=tmp_path / "gunicorn.log") as server:
        threads = [threading.Thread(target=upload) for _ in range(3)]
        for thread in threads:
            thread.start()
        # The login page, asked again and again for as long as the uploads are under way.
        logins = [timed_get(server.port, "/masuk/", timeout=10)]
        while any(thread.is_alive() for thread in threads):
            logins.append(timed_get(server.port, "/masuk/", timeout=10))
        for thread in threads:
            thread.join(timeout=60)
    assert all(status == 200 and seconds < 5 for status, seconds in logins), logins
    assert len(results) == 3
    for status, body, seconds in results:
        assert status == 200, (tmp_path / "gunicorn.log").read_text()[-2000:]
        assert b"terlalu banyak" in body
        assert seconds < 10
