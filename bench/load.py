"""Load test under gunicorn and PostgreSQL: requests per second and p50/p95 latency of Tugas
Saya, the report page and the Dasbor for a logged-in user, against a bare page of the same
stack as the ceiling.

Run: ``.venv/bin/python bench/load.py`` (``--help`` for the options). It

1. creates the PostgreSQL database ``sutera_bench`` (dropped first if it exists), migrates it,
   collects the static files and runs ``seed_scale`` (15 kecamatan, 10 years, 60 indicators);
2. starts gunicorn on 127.0.0.1 with DEBUG=0 and HTTPS=0, serving ``bench/bare_wsgi.py``: the
   production application plus the bench-only ceiling pages ``/bench/bare/`` and
   ``/bench/kerangka/``;
3. logs in as ``skala01_sekretaris`` through the login form, once per wrk connection (each
   connection is its own browser session), warms every page up, then runs wrk over all pages
   in rounds (3 x 8 s by default) and takes the median of each figure;
4. prints a table (req/s, p50, p95, share of the bare page's req/s, and the CPU time that
   gunicorn and PostgreSQL spent per request, which a busy machine disturbs far less than
   req/s) and whether each page meets its targets (a share of the bare page's requests per
   second: the report page 40 %, Tugas Saya 50 %, the Dasbor 25 %; p95 under 10 x p50), then
   stops gunicorn and drops the database.

Exit status: 0 when the targets are met, 1 when not, 2 when the bench itself failed.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    ROOT,
    BenchError,
    Server,
    child_pids,
    cpu_seconds,
    database_url,
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

LUA = ROOT / "bench" / "wrk_report.lua"
TAIL_TARGET = 10.0
# Share of the bare page's requests per second each measured page must reach (issue 12): the
# report page, and the front pages (Tugas Saya for everyone, the Dasbor for the Camat).
THROUGHPUT_TARGETS = {
    "Laporan (arsip)": 0.40,
    "Laporan (berjalan)": 0.40,
    "Tugas Saya": 0.50,
    "Dasbor": 0.25,
}
USER = "skala01_sekretaris"
USER_NAME = b"Sekretaris Skala 01"


@dataclass
class Page:
    label: str
    path: str
    rounds: list[dict[str, float]] = field(default_factory=list)
    missing: str = ""

    @property
    def result(self) -> dict[str, float] | None:
        """The median of each figure over the rounds."""
        if not self.rounds:
            return None
        return {key: statistics.median(r[key] for r in self.rounds) for key in self.rounds[0]}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk belum terpasang; memasang dari Debian (apt-get install wrk) ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, timeout=300)
        found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk tidak ditemukan; pasang dengan: sudo apt-get install wrk")
    return found


class CpuProbe:
    """CPU time the server side spends: gunicorn workers plus the PostgreSQL backends of the
    bench database. Per request it moves far less with the machine's other load than req/s."""

    def __init__(self, server: Server, database: str):
        self.server, self.database = server, database

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        """(workers, database backends): CPU seconds per process so far."""
        backends = query(
            self.database,
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()",
        )
        workers = cpu_seconds(child_pids(self.server.process.pid))
        return workers, cpu_seconds(pid for (pid,) in backends)

    @staticmethod
    def used(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def run_wrk(
    wrk: str, url: str, sessions: list[dict[str, str]], args, seconds: float, probe: CpuProbe
) -> dict:
    """One wrk run; every connection has its own thread and its own logged-in session."""
    cookies = "|".join("; ".join(f"{k}={v}" for k, v in c.items()) for c in sessions)
    command = [
        wrk,
        f"-t{args.connections}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        url,
    ]
    before = probe.snapshot()
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
        env={**os.environ, "WRK_COOKIES": cookies},
    ).stdout
    after = probe.snapshot()
    app, database = (CpuProbe.used(b, a) for b, a in zip(before, after, strict=True))
    match = re.search(r"^WRK_RESULT (.*)$", output, re.MULTILINE)
    if not match:
        raise BenchError(f"wrk tidak memberi hasil untuk {url}:\n{output}")
    result = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", match.group(1))}
    result["cpu_ms"] = (app + database) * 1000 / max(result["requests"], 1)
    result["db_cpu_ms"] = database * 1000 / max(result["requests"], 1)
    return result


def pick_reports(database: str) -> tuple[int, int]:
    """Office 1's newest archived report (full history) and its open one."""
    rows = query(
        database,
        "SELECT r.id, r.archived_at IS NULL FROM monev_report r "
        "JOIN monev_office o ON o.id = r.office_id WHERE o.code = 'skala-01' "
        "ORDER BY r.year DESC, r.quarter DESC",
    )
    archived = next(pk for pk, is_open in rows if not is_open)
    current = next(pk for pk, is_open in rows if is_open)
    return archived, current


def share_of_bare(page: Page, bare: Page) -> float:
    """Throughput relative to the bare page, per round (same background load), then median."""
    return statistics.median(
        mine["rps"] / ceiling["rps"] for mine, ceiling in zip(page.rounds, bare.rounds, strict=True)
    )


def print_table(pages: list[Page]) -> None:
    header = (
        f"{'halaman':<20} {'URL':<16} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p95/p50':>7} {'vs bare':>7} {'CPU ms (PG)':>12} {'bare/CPU':>8} {'non-200':>7}"
    )
    print(header)
    print("-" * len(header))
    bare = pages[0].result
    for page in pages:
        r = page.result
        if r is None:
            print(f"{page.label:<20} {page.path:<16} (tidak ada: {page.missing})")
            continue
        errors = sum(x["not_ok"] + x["socket_errors"] for x in page.rounds)
        print(
            f"{page.label:<20} {page.path:<16} {r['rps']:>7.1f} {r['p50']:>7.1f} "
            f"{r['p95']:>7.1f} {r['p95'] / r['p50']:>7.2f} {share_of_bare(page, pages[0]):>7.0%} "
            f"{r['cpu_ms']:>6.1f} ({r['db_cpu_ms']:>4.1f}) {bare['cpu_ms'] / r['cpu_ms']:>8.0%} "
            f"{int(errors):>7}"
        )
    print(
        "CPU ms (PG): waktu CPU worker gunicorn + backend PostgreSQL per permintaan (bagian "
        "PostgreSQL);\nbare/CPU: throughput terhadap bare yang diharapkan bila CPU satu-satunya "
        "batas (mesin sepi)."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=8, help="detik wrk per halaman per putaran"
    )
    parser.add_argument("--rounds", type=int, default=3, help="putaran atas semua halaman")
    parser.add_argument("--warmup", type=float, default=3, help="detik pemanasan per halaman")
    parser.add_argument("--connections", type=int, default=0, help="koneksi wrk (0: = worker)")
    parser.add_argument(
        "--workers", type=int, default=0, help="worker gunicorn (0: 2 x CPU + 1, anjuran gunicorn)"
    )
    parser.add_argument("--offices", type=int, default=15)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--database", default="sutera_bench", help="nama basis data uji")
    parser.add_argument(
        "--reuse", action="store_true", help="pakai basis data yang sudah diisi (tanpa seed)"
    )
    parser.add_argument("--keep", action="store_true", help="jangan hapus basis data di akhir")
    parser.add_argument("--redis", default="", help="REDIS_URL untuk sesi/cache (opsional)")
    args = parser.parse_args()
    args.workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    args.connections = args.connections or args.workers

    created = False
    try:
        wrk = ensure_wrk()
        if args.reuse:
            database = database_url(args.database)
            seed_seconds = None
        else:
            database = recreate_database(args.database)
            created = True
            extra = {"REDIS_URL": args.redis} if args.redis else {}
            seed_seconds = prepare_database(
                server_env(database, **extra),
                f"--offices={args.offices}",
                f"--years={args.years}",
                f"--indicators={args.indicators}",
            )
        return measure(args, wrk, database, seed_seconds)
    except BenchError as error:
        print(f"GAGAL: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Dihentikan; server sudah dimatikan.", file=sys.stderr)
        return 130
    finally:
        if created and not args.keep:
            drop_database(args.database)


def measure(args, wrk: str, database: str, seed_seconds: float | None) -> int:
    archived, current = pick_reports(database)
    pages = [
        Page("bare (plafon)", "/bench/bare/"),
        Page("kerangka base.html", "/bench/kerangka/"),
        Page("Tugas Saya", "/"),
        Page("Laporan (arsip)", f"/laporan/{archived}/"),
        Page("Laporan (berjalan)", f"/laporan/{current}/"),
        Page("Dasbor", "/dasbor/"),
    ]
    extra = {"REDIS_URL": args.redis} if args.redis else {}
    log = Path(tempfile.gettempdir()) / "sutera-bench-gunicorn.log"
    server = Server(
        "bench.bare_wsgi:application",
        free_port(),
        server_env(database, **extra),
        workers=args.workers,
        log_path=log,
    )
    with running(server):
        # One session per connection, each through the real login form.
        sessions = [login(server.base, USER) for _ in range(args.connections)]
        cookies = sessions[0]
        for page in pages:
            status, _headers, body = request(server.base, page.path, cookies=cookies)
            if status != 200:
                page.missing = f"HTTP {status}"
            elif page.path == "/" and USER_NAME not in body:
                raise BenchError("Tugas Saya tidak menampilkan nama pengguna yang masuk")
        measured = [page for page in pages if not page.missing]
        probe = CpuProbe(server, database)
        for page in measured:  # workers warm: templates compiled, connections open
            run_wrk(wrk, server.base + page.path, sessions, args, args.warmup, probe)
        # Rounds over all pages rather than one long run each: a change in the machine's
        # background load then hits the bare page and the others alike.
        for _round in range(args.rounds):
            for page in measured:
                page.rounds.append(
                    run_wrk(wrk, server.base + page.path, sessions, args, args.duration, probe)
                )
        # The sessions must still be valid, or the rows measured redirects to the login page.
        for session in sessions:
            status, _headers, _body = request(server.base, "/", cookies=session)
            if status != 200:
                raise BenchError(f"sesi habis selama pengukuran (HTTP {status})")

    print()
    print(
        f"Sutera Kinerja, uji beban: gunicorn {args.workers} worker sync, PostgreSQL, "
        f"wrk {args.connections} koneksi (sesi sendiri-sendiri), {args.rounds} putaran x "
        f"{args.duration:g} s per halaman (median), {os.cpu_count()} CPU, pengguna {USER}"
    )
    if seed_seconds is not None:
        print(
            f"seed_scale {args.offices} kecamatan x {args.years} tahun x {args.indicators} "
            f"indikator: {seed_seconds:.1f} s (termasuk mulai Python)"
        )
    print(f"beban mesin (load average 1 menit) di akhir: {os.getloadavg()[0]:.1f}")
    print()
    print_table(pages)
    print()
    verdicts = []
    for page in pages:
        target = THROUGHPUT_TARGETS.get(page.label)
        if target is None or page.result is None:
            continue
        share, tail = share_of_bare(page, pages[0]), page.result["p95"] / page.result["p50"]
        ok = share >= target and tail < TAIL_TARGET
        verdicts.append(ok)
        print(
            f"{page.label}: {share:.0%} dari throughput bare (target >= "
            f"{target:.0%}), p95 = {tail:.1f} x p50 (target < {TAIL_TARGET:g}) -> "
            f"{'TERCAPAI' if ok else 'BELUM TERCAPAI'}"
        )
    bad = [p.label for p in pages if any(r["not_ok"] + r["socket_errors"] for r in p.rounds)]
    if bad:
        print(f"PERINGATAN: jawaban selain 200 pada {', '.join(bad)}")
    return 0 if verdicts and all(verdicts) and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
