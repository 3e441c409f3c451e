"""What the bench scripts share: a throw-away PostgreSQL database, the server environment,
gunicorn processes that are always stopped, and logging in through the real login form.

Everything listens on 127.0.0.1 only, and every wait has a deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
HOST = "127.0.0.1"
# Where to create the bench databases; only databases named sutera_bench* are ever dropped.
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_DB_NAME = re.compile(r"^sutera_bench[a-z0-9_]*$")
SCALE_PASSWORD = "sutera-demo-2025"


class BenchError(RuntimeError):
    """A bench step failed; the message says which, in Indonesian."""


def database_url(name: str) -> str:
    parts = urllib.parse.urlsplit(PG_ADMIN_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10)


def recreate_database(name: str) -> str:
    """Drop and create the bench database; returns its DATABASE_URL."""
    if not BENCH_DB_NAME.match(name):
        raise BenchError(f"Nama basis data uji harus diawali 'sutera_bench': {name!r}")
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    if not BENCH_DB_NAME.match(name):
        raise BenchError(f"Nama basis data uji harus diawali 'sutera_bench': {name!r}")
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_exists(name: str) -> bool:
    with _admin_connection() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def query(url: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def server_env(database: str, **extra: str) -> dict[str, str]:
    """A production-like environment: DEBUG off, plain HTTP on 127.0.0.1, a fresh SECRET_KEY."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "HTTPS", "SECRET_KEY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sutera_kinerja.settings",
        DATABASE_URL=database,
        DEBUG="0",
        # No TLS proxy in front of the bench: HTTPS would redirect every request.
        HTTPS="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """Run a manage.py command to completion (bounded); returns its output."""
    try:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"manage.py {args[0]} melebihi {timeout:g} detik") from None
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} gagal:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare_database(env: dict[str, str], *seed_args: str) -> float:
    """Migrate, collect static files (DEBUG=0 serves from the manifest) and seed; returns the
    seconds seed_scale took."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    started = time.perf_counter()
    print(manage(env, "seed_scale", *seed_args).strip().splitlines()[0])
    return time.perf_counter() - started


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers of its master)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds used so far by each of these processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            # The command name is in parentheses and may hold spaces: split after it.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """One gunicorn (master and workers) in its own process group."""

    app: str
    port: int
    env: dict[str, str]
    workers: int = 2
    log_path: Path | None = None
    process: subprocess.Popen | None = field(default=None, init=False)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, ready_timeout: float = 30) -> None:
        log = open(self.log_path or os.devnull, "ab")  # noqa: SIM115 (closed in stop)
        self._log = log
        self.process = subprocess.Popen(
            [
                GUNICORN,
                self.app,
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
                "--chdir",
                str(ROOT),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            # Its own session: stopping it never touches anything else on the machine.
            start_new_session=True,
        )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn {self.app} berhenti saat mulai; lihat {self.log_path}")
            with contextlib.suppress(OSError):
                status, _headers, _body = request(self.base, "/masuk/", timeout=5)
                if status == 200:
                    return
            time.sleep(0.3)
        raise BenchError(f"gunicorn {self.app} tidak siap dalam {ready_timeout:g} detik")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)  # graceful: the master stops workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # Master and workers share the group, which stays ours until the master is
                # reaped: one kill takes them all.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()
        self.process = None


@contextlib.contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    """Start the servers; stop all of them however the block ends (also on Ctrl-C)."""
    started: list[Server] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        for server in servers:
            started.append(server)
            server.start()
        yield servers
    finally:
        for server in started:
            server.stop()
        signal.signal(signal.SIGTERM, previous)


def request(
    base: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One HTTP request (GET, or POST when ``data`` is given); redirects are not followed."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request("POST" if data is not None else "GET", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _set_cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    found = {}
    for line in headers.get_all("Set-Cookie") or []:
        name, _eq, rest = line.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def login(base: str, username: str, password: str = SCALE_PASSWORD) -> dict[str, str]:
    """Log in through the login form (CSRF token included, as a browser does); returns the
    cookies of the new session. The form goes through django-axes like any other login."""
    status, headers, body = request(base, "/masuk/")
    if status != 200:
        raise BenchError(f"halaman masuk menjawab {status}")
    cookies = _set_cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match or "csrftoken" not in cookies:
        raise BenchError("token CSRF tidak ditemukan di halaman masuk")
    form = {
        "csrfmiddlewaretoken": match.group(1).decode(),
        "username": username,
        "password": password,
        "next": "/",
    }
    status, headers, _body = request(base, "/masuk/", cookies=cookies, data=form)
    cookies.update(_set_cookies(headers))
    if status != 302 or "sessionid" not in cookies:
        raise BenchError(f"gagal masuk sebagai {username} (status {status})")
    return cookies
