"""Two app servers, one PostgreSQL, one Redis, one task worker and one shared MEDIA_ROOT: a user
logged in on one server is served by the other, and so are the files.

Run: ``.venv/bin/python bench/two_servers.py`` (Redis on 127.0.0.1:6379 and PostgreSQL on
127.0.0.1:5432, or set REDIS_URL / BENCH_PG_URL).

It creates the database ``sutera_bench_two`` with a small ``seed_scale`` (two offices: office 2
is at step 2, where sections upload evidence), starts two gunicorns of the real application
(``sutera_kinerja.wsgi``) on two ports and one task worker (``manage.py run_worker``), all with
the same SECRET_KEY, DATABASE_URL, REDIS_URL and a temporary MEDIA_ROOT they share, then:

1. logs in as ``skala01_sekretaris`` on server A;
2. opens Tugas Saya on server B with A's cookies: 200 with the user's name;
3. checks that no session row was written to the database (sessions live in Redis);
4. completes office 1's current step on B and checks that A shows it at once, although A
   keeps the report page's parts from before in its own memory;
5. uploads an evidence file through the section data form on A and downloads it on B;
6. asks for office 1's year ZIP on A: the worker builds it (not a web server), and the same
   ZIP downloads from A and from B;
7. logs out on B, and checks that A now sends the same cookie to the login page.

Prints each check and exits 0 when all pass. Stops both servers and drops the database.
"""

import hashlib
import html.parser
import http.client
import io
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    PYTHON,
    ROOT,
    BenchError,
    Server,
    drop_database,
    free_port,
    login,
    prepare_database,
    query,
    recreate_database,
    request,
    running,
    server_env,
)

DATABASE = "sutera_bench_two"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
USER = "skala01_sekretaris"
USER_NAME = b"Sekretaris Skala 01"


def check(label: str, ok: bool, detail: str = "") -> bool:
    print(f"[{'OK' if ok else 'GAGAL'}] {label}{': ' + detail if detail else ''}")
    return ok


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    except redis.RedisError:
        return False


def main() -> int:
    if not redis_reachable():
        print(f"GAGAL: Redis tidak terjangkau di {REDIS_URL}", file=sys.stderr)
        return 2
    database = recreate_database(DATABASE)
    media = None
    try:
        # One secret for both: the session's auth hash and the CSRF checks must agree.
        media = Path(tempfile.mkdtemp(prefix="sutera-bench-media-"))
        env = server_env(database, REDIS_URL=REDIS_URL, MEDIA_ROOT=str(media))
        prepare_database(env, "--offices=2", "--years=1", "--indicators=10")
        log_dir = Path(tempfile.gettempdir())
        first, second = (
            Server(
                "sutera_kinerja.wsgi:application",
                free_port(),
                env,
                workers=2,
                log_path=log_dir / f"sutera-bench-server-{name}.log",
            )
            for name in "ab"
        )
        with running(first, second), worker(env, log_dir / "sutera-bench-worker.log"):
            return 0 if scenario(first, second, database, media) else 1
    except BenchError as error:
        print(f"GAGAL: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Dihentikan; server sudah dimatikan.", file=sys.stderr)
        return 130
    finally:
        drop_database(DATABASE)
        if media is not None:
            shutil.rmtree(media, ignore_errors=True)


def scenario(first: Server, second: Server, database: str, media: Path) -> bool:
    print(f"server A {first.base}, server B {second.base}, Redis {REDIS_URL}")
    cookies = login(first.base, USER)
    results = [check(f"masuk sebagai {USER} di server A", "sessionid" in cookies)]

    status, _headers, body = request(second.base, "/", cookies=cookies)
    results.append(
        check(
            "Tugas Saya di server B dengan kuki dari A",
            status == 200 and USER_NAME in body,
            f"HTTP {status}, nama pengguna {'ada' if USER_NAME in body else 'tidak ada'}",
        )
    )

    rows = query(database, "SELECT count(*) FROM django_session")[0][0]
    results.append(check("tidak ada sesi di basis data (sesi di Redis)", rows == 0, f"{rows}"))
    results.append(step_on_one_seen_on_the_other(first, second, database, cookies))
    results.append(evidence_on_one_downloads_on_the_other(first, second, database))
    results.append(zip_by_the_worker_downloads_from_both(first, second, database, cookies, media))

    status, headers, _body = request(
        second.base,
        "/keluar/",
        cookies=cookies,
        data={"csrfmiddlewaretoken": cookies["csrftoken"]},
    )
    results.append(check("keluar di server B", status == 302, f"HTTP {status}"))
    status, headers, _body = request(first.base, "/", cookies=cookies)
    location = headers.get("Location", "")
    results.append(
        check(
            "server A menolak sesi yang sudah keluar",
            status == 302 and location.startswith("/masuk/"),
            f"HTTP {status} -> {location}",
        )
    )
    ok = all(results)
    print("HASIL: server tanpa status, siap diskalakan" if ok else "HASIL: GAGAL")
    return ok


def step_on_one_seen_on_the_other(first: Server, second: Server, database: str, cookies) -> bool:
    """Each server keeps rendered page parts in its own memory: a step completed on B must
    show on A at once, although A has the page from before in its cache."""
    ((report, step),) = query(
        database,
        "SELECT r.id, r.current_step FROM monev_report r JOIN monev_office o "
        "ON o.id = r.office_id WHERE o.code = 'skala-01' AND r.archived_at IS NULL",
    )
    page = f"/laporan/{report}/"
    for server in (first, second, first, second, first, second):  # warm every worker
        request(server.base, page, cookies=cookies)
    note = "Diperiksa di server B"
    status, _headers, _body = request(
        second.base,
        f"/laporan/{report}/selesaikan/",
        cookies=cookies,
        data={"csrfmiddlewaretoken": cookies["csrftoken"], "from_step": step, "note": note},
    )
    seen = [request(first.base, page, cookies=cookies)[2] for _ in range(4)]
    return check(
        f"langkah {step} diselesaikan di server B, langsung terlihat di server A",
        status == 302 and all(note.encode() in body for body in seen),
        f"HTTP {status}, catatan terlihat di {sum(note.encode() in b for b in seen)} dari 4",
    )


class worker:
    """``manage.py run_worker`` in a session of its own, stopped however the block ends."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env, self.log_path = env, log_path

    def __enter__(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--no-reload", "--interval=0.5"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


class _FormFields(html.parser.HTMLParser):
    """The fields of the page's multipart form (the section data form), as a browser would
    send them without changes."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.file_fields: list[str] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("enctype") == "multipart/form-data" and not a.get("action")
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "file":
                self.file_fields.append(name)
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind != "submit":
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select and ("selected" in a or self._select_value is None):
            self._select_value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None


def _multipart(fields, files) -> tuple[str, bytes]:
    boundary = secrets.token_hex(16)
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, content in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", out.getvalue()


def _post_multipart(base, path, cookies, fields, files):
    content_type, body = _multipart(fields, files)
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "Content-Type": content_type,
    }
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def evidence_on_one_downloads_on_the_other(first: Server, second: Server, database: str) -> bool:
    """A Kepala Seksi of office 2 (at step 2) uploads a photo on A; B serves the same bytes."""
    # A Kepala Seksi whose section has not handed in yet, so the form is editable.
    rows = query(
        database,
        "SELECT r.id, s.section_id, u.username FROM monev_report r "
        "JOIN monev_office o ON o.id = r.office_id JOIN monev_staff s ON s.office_id = o.id "
        "JOIN auth_user u ON u.id = s.user_id WHERE o.code = 'skala-02' AND r.current_step = 2 "
        "AND r.archived_at IS NULL AND s.section_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        "monev_sectionsubmission m WHERE m.report_id = r.id AND m.section_id = s.section_id "
        "AND m.step_number = 2) ORDER BY u.username LIMIT 1",
    )
    if not rows:
        return check("bukti dukung diunggah di server A", False, "tidak ada seksi di langkah 2")
    ((report, section, kasi),) = rows
    cookies = login(first.base, kasi)
    page = f"/laporan/{report}/seksi/{section}/data/"
    status, _headers, body = request(first.base, page, cookies=cookies)
    form = _FormFields()
    form.feed(body.decode())
    if status != 200 or not form.file_fields:
        return check("bukti dukung diunggah di server A", False, f"HTTP {status}, tanpa formulir")
    photo = _png()
    status, _body = _post_multipart(
        first.base, page, cookies, form.fields, [(form.file_fields[0], "foto-kegiatan.png", photo)]
    )
    rows = query(
        database,
        "SELECT e.id FROM monev_evidence e WHERE e.original_name = 'foto-kegiatan.png' "
        "ORDER BY e.id DESC LIMIT 1",
    )
    if status != 302 or not rows:
        return check("bukti dukung diunggah di server A", False, f"HTTP {status}, tidak tersimpan")
    status, _headers, downloaded = request(second.base, f"/bukti/{rows[0][0]}/", cookies=cookies)
    return check(
        "bukti dukung diunggah di server A, diunduh utuh di server B",
        status == 200 and downloaded == photo,
        f"HTTP {status}, {len(downloaded)} dari {len(photo)} bita",
    )


def zip_by_the_worker_downloads_from_both(
    first: Server, second: Server, database: str, cookies, media: Path
) -> bool:
    """Office 1's year ZIP, asked for on A, is built by the worker; A and B serve the same."""
    ((year,),) = query(
        database,
        "SELECT max(r.year) FROM monev_report r JOIN monev_office o ON o.id = r.office_id "
        "WHERE o.code = 'skala-01' AND r.archived_at IS NOT NULL",
    )
    # seed_scale stores no archive files: place one, as step 13 would, for the ZIP to carry.
    ((report,),) = query(
        database,
        "SELECT max(r.id) FROM monev_report r JOIN monev_office o ON o.id = r.office_id "
        "WHERE o.code = 'skala-01' AND r.archived_at IS NOT NULL AND r.year = %s",
        [year],
    )
    content = b"%PDF-1.7\n% arsip uji dua server\n" * 1000
    (media / "arsip").mkdir(exist_ok=True)
    (media / "arsip" / "bench-dua-server.pdf").write_bytes(content)
    query(
        database,
        "INSERT INTO monev_archivedfile (report_id, kind, file, filename, sha256, size, "
        "created_at) VALUES (%s, 'pdf', 'arsip/bench-dua-server.pdf', 'bench-dua-server.pdf', "
        "%s, %s, now() - interval '1 day') RETURNING id",
        [report, hashlib.sha256(content).hexdigest(), len(content)],
    )
    status, _headers, _body = request(
        first.base,
        f"/arsip/{year}/zip/",
        cookies=cookies,
        data={"csrfmiddlewaretoken": cookies["csrftoken"]},
    )
    deadline = time.monotonic() + 60
    row = None
    while time.monotonic() < deadline:
        rows = query(
            database,
            "SELECT e.id, e.status, e.task_id FROM monev_yearexport e "
            "JOIN monev_office o ON o.id = e.office_id WHERE o.code = 'skala-01' AND e.year = %s",
            [year],
        )
        row = rows[0] if rows else None
        if row and row[1] in {"done", "failed"}:
            break
        time.sleep(0.5)
    if status != 302 or row is None or row[1] != "done":
        return check("ZIP tahunan dibuat oleh worker", False, f"HTTP {status}, ekspor {row}")
    workers = query(
        database,
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
        [row[2]],
    )
    downloads = [
        request(server.base, f"/arsip/ekspor/{row[0]}/unduh/", cookies=cookies)
        for server in (first, second)
    ]
    same = all(s == 200 and b.startswith(b"PK") for s, _h, b in downloads) and (
        downloads[0][2] == downloads[1][2]
    )
    if same:
        with zipfile.ZipFile(io.BytesIO(downloads[0][2])) as archive:
            names = archive.namelist()
            same = any(n.endswith("/bench-dua-server.pdf") for n in names) and any(
                archive.read(n) == content for n in names if n.endswith(".pdf")
            )
    return check(
        f"ZIP arsip {year} dibuat oleh worker, diunduh sama dari server A dan B",
        same and bool(workers and workers[0][0]),
        f"HTTP {[s for s, _h, _b in downloads]}, {len(downloads[0][2])} bita, "
        f"worker {workers[0][0] if workers else '-'}",
    )


if __name__ == "__main__":
    sys.exit(main())
