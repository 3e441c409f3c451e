"""Behind Debian's nginx with deploy/nginx-app.conf, clients that hold connections open with
half-sent headers or bodies, and a 200 MB anonymous POST, no longer keep people from logging
in: nginx holds them, refuses the oversized body before reading it, and gunicorn's two
workers stay free."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password

from bench._harness import login

from .conftest import PASSWORD
from .servers import HOST, free_port, gunicorn, nginx_binary, timed_get, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
APP_CONF = ROOT / "deploy" / "nginx-app.conf"
NGINX = nginx_binary()

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        NGINX is None,
        reason="nginx tidak terpasang (make system-deps memasang nginx-light dari Debian)",
    ),
]


def nginx_config(folder: Path, port: int, upstream: int) -> Path:
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream sutera_kinerja {{ server {HOST}:{upstream}; }}
    server {{
        listen {HOST}:{port};
        include {APP_CONF};
    }}
}}
"""
    )
    return conf


@contextlib.contextmanager
def nginx(folder: Path, upstream: int):
    port = free_port()
    conf = nginx_config(folder, port, upstream)
    check = subprocess.run(
        [NGINX, "-t", "-c", str(conf), "-e", str(folder / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert wait_for_port(port, time.monotonic() + 15), (folder / "error.log").read_text()
        yield port
    finally:
        # Only this nginx: its own process group (master and worker).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def stalled(port: int, first_bytes: bytes) -> socket.socket:
    """A connection that sends the start of a request, then nothing."""
    sock = socket.create_connection((HOST, port), timeout=5)
    sock.sendall(first_bytes)
    return sock


def test_slow_clients_and_a_huge_post_do_not_block_logins(users, tmp_path):
    camat = users["camat"]
    # gunicorn runs without the tests' fast MD5 hasher.
    camat.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    camat.save()
    (tmp_path / "nginx").mkdir()
    with (
        gunicorn(workers=2, log=tmp_path / "gunicorn.log") as server,
        nginx(tmp_path / "nginx", server.port) as port,
    ):
        base = f"http://{HOST}:{port}"
        # More stalled clients than gunicorn has workers: half-sent headers, and complete
        # headers of a POST whose body never comes.
        holders = [
            stalled(port, b"GET /masuk/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ") for _ in range(4)
        ]
        holders += [
            stalled(
                port,
                b"POST /masuk/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nusername=",
            )
            for _ in range(4)
        ]
        # 200 MB, anonymous: refused from its Content-Length, before the body is read.
        huge = socket.create_connection((HOST, port), timeout=10)
        huge.sendall(
            b"POST /masuk/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 209715200\r\n"
            b"Content-Type: application/octet-stream\r\n\r\n" + bytes(64 * 1024)
        )
        started = time.monotonic()
        answer = huge.recv(200)
        assert answer.startswith(b"HTTP/1.1 413"), answer
        assert time.monotonic() - started < 5

        status, seconds = timed_get(port, "/masuk/", timeout=10)
        assert (status, seconds < 3) == (200, True)
        started = time.monotonic()
        cookies = login(base, "camat", PASSWORD)
        assert "sessionid" in cookies
        assert time.monotonic() - started < 10

        # The same stalled clients straight at gunicorn take both workers: what the proxy
        # is for.
        direct = [
            stalled(server.port, b"GET /masuk/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
            for _ in range(2)
        ]
        time.sleep(0.5)
        assert timed_get(server.port, "/masuk/", timeout=3)[0] == 0

        for sock in [*holders, huge, *direct]:
            sock.close()


def test_a_chunked_upload_over_the_limit_is_cut_off(users, tmp_path):
    """Without a Content-Length nginx counts as it reads and stops at the limit."""
    (tmp_path / "nginx").mkdir()
    with (
        gunicorn(workers=1, log=tmp_path / "gunicorn.log") as server,
        nginx(tmp_path / "nginx", server.port) as port,
    ):
        sock = socket.create_connection((HOST, port), timeout=10)
        sock.sendall(
            b"POST /masuk/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n" % (256 * 1024) + bytes(256 * 1024) + b"\r\n"
        answer = b""
        with contextlib.suppress(OSError):
            for _ in range(40):  # 10 MB, over the 3 MB limit of this URL
                sock.sendall(chunk)
        with contextlib.suppress(OSError):
            answer = sock.recv(200)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer
        assert timed_get(port, "/masuk/", timeout=10)[0] == 200
