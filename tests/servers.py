"""Real servers for the tests that need them: gunicorn serving the test database, nginx in
front of it, and raw HTTP clients. Everything listens on 127.0.0.1 only, every wait has a
deadline, and every process started here is stopped by its own id."""

from __future__ import annotations

import contextlib
import http.client
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.test import Client

from bench._harness import HOST, Server, free_port, server_env

__all__ = ["HOST", "free_port", "gunicorn", "login_cookies", "post_multipart", "get"]

GUNICORN_APP = "sutera_kinerja.wsgi:application"


@contextlib.contextmanager
def gunicorn(*, workers: int = 3, log: Path | None = None) -> Iterator[Server]:
    """gunicorn on a free port, serving the test database this test committed to.

    DEBUG is on only so static files come from the finders, as in the tests, without a
    collectstatic run; the secret key is the tests' own, so sessions made by a test client work.
    """
    env = server_env(
        _database_url(),
        DEBUG="1",
        SECRET_KEY=settings.SECRET_KEY,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    server = Server(GUNICORN_APP, free_port(), env, workers=workers, log_path=log)
    try:
        server.start(ready_timeout=60)
        yield server
    finally:
        server.stop()


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = f"{quote(db.get('USER') or '', safe='')}{password}@" if db.get("USER") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{host}{port}/{db['NAME']}"


def login_cookies(user) -> dict[str, str]:
    """Cookies of a session for ``user`` (saved in the database) with a CSRF secret."""
    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the bare secret as the token
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}


def _headers(cookies: dict[str, str] | None) -> dict[str, str]:
    if not cookies:
        return {}
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


def get(base_port: int, path: str, *, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, base_port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def post_multipart(
    port: int,
    path: str,
    *,
    cookies: dict[str, str],
    fields: dict[str, str],
    files: dict[str, tuple[str, bytes]],
    timeout: float = 60,
) -> tuple[int, bytes]:
    boundary = secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    headers = {
        **_headers(cookies),
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(body)),
    }
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def timed_get(port: int, path: str, *, timeout: float) -> tuple[int, float]:
    """(status, seconds) of one GET; status 0 when it did not answer within ``timeout``."""
    started = time.monotonic()
    try:
        status, _body = get(port, path, timeout=timeout)
    except (TimeoutError, OSError):
        status = 0
    return status, time.monotonic() - started


def wait_for_port(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return True
        time.sleep(0.1)
    return False


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
