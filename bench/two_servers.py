"""Two app servers, one PostgreSQL, one Redis: a user logged in on one is served by the other.

Run: ``.venv/bin/python bench/two_servers.py`` (Redis on 127.0.0.1:6379 and PostgreSQL on
127.0.0.1:5432, or set REDIS_URL / BENCH_PG_URL).

It creates the database ``sutera_bench_two`` with a small ``seed_scale``, starts two gunicorns
of the real application (``sutera_kinerja.wsgi``) on two ports with the same SECRET_KEY,
DATABASE_URL and REDIS_URL, then:

1. logs in as ``skala01_sekretaris`` on server A;
2. opens Tugas Saya on server B with A's cookies: 200 with the user's name;
3. checks that no session row was written to the database (sessions live in Redis);
4. completes office 1's current step on B and checks that A shows it at once, although A
   keeps the report page's parts from before in its own memory;
5. logs out on B, and checks that A now sends the same cookie to the login page.

Prints each check and exits 0 when all pass. Stops both servers and drops the database.
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
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
    try:
        # One secret for both: the session's auth hash and the CSRF checks must agree.
        env = server_env(database, REDIS_URL=REDIS_URL)
        prepare_database(env, "--offices=1", "--years=1", "--indicators=10")
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
        with running(first, second):
            return 0 if scenario(first, second, database) else 1
    except BenchError as error:
        print(f"GAGAL: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Dihentikan; server sudah dimatikan.", file=sys.stderr)
        return 130
    finally:
        drop_database(DATABASE)


def scenario(first: Server, second: Server, database: str) -> bool:
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


if __name__ == "__main__":
    sys.exit(main())
