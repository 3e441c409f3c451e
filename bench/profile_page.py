"""Where a page's time goes under load: py-spy samples one gunicorn worker while wrk keeps it
busy, and the samples are summed into shares (database, ORM, templates, other code).

Run: ``.venv/bin/python bench/profile_page.py [--path /laporan/123/] [--seconds 15]``
(needs ``py-spy``: ``.venv/bin/pip install py-spy``; run as root or with ptrace allowed).

Uses the bench database ``sutera_bench`` when it exists (``bench/load.py --keep`` leaves it),
otherwise seeds a fresh one and drops it at the end. Without ``--path`` it profiles office 1's
newest archived report page. Prints the shares and the heaviest functions of the app.
"""

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    BenchError,
    Server,
    database_exists,
    database_url,
    drop_database,
    free_port,
    login,
    prepare_database,
    recreate_database,
    request,
    running,
    server_env,
)
from load import USER, ensure_wrk, pick_reports  # noqa: E402

WAITING = "menunggu jawaban PostgreSQL"
# First match wins, from the top: a query run from a template counts as database time.
CATEGORIES = [
    ("psycopg (kirim kueri, baca hasil)", ("psycopg/",)),
    ("ORM Django (susun kueri, buat objek)", ("django/db/",)),
    ("render templat Django", ("django/template/",)),
    ("kode monev lain (selector, workflow)", ("monev/",)),
    ("middleware, sesi, HTTP", ()),
]


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise BenchError(f"diharapkan satu worker gunicorn, ada {len(children)}")
    return int(children[0])


def summarise(raw: Path, top: int) -> None:
    shares: collections.Counter[str] = collections.Counter()
    functions: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    busy = idle = 0
    for line in raw.read_text().splitlines():
        stack, _space, count = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        samples = int(count)
        if not any("handle_request" in frame for frame in frames):
            idle += samples  # the worker waiting for the next request
            continue
        busy += samples
        if "psycopg/" in frames[-1] and "wait" in frames[-1].split(" ")[0].lower():
            shares[WAITING] += samples  # blocked on the database, not using the CPU
            leaves[frames[-1]] += samples
            continue
        for label, markers in CATEGORIES:
            if not markers or any(m in frame for frame in frames for m in markers):
                shares[label] += samples
                break
        for frame in {f for f in frames if "monev/" in f or "templatetags" in f}:
            functions[frame] += samples
        leaves[frames[-1]] += samples
    if not busy:
        raise BenchError("py-spy tidak merekam satu pun permintaan")
    print(f"sampel: {busy} saat melayani permintaan, {idle} menunggu permintaan berikutnya")
    working = busy - shares[WAITING]
    print("\nbagian waktu per permintaan (jam dinding; dan dari waktu CPU di worker):")
    print(f"  {shares[WAITING] / busy:6.1%}          {WAITING}")
    for label, _markers in CATEGORIES:
        print(f"  {shares[label] / busy:6.1%}  {shares[label] / working:6.1%}  {label}")
    print(f"\nfungsi aplikasi terberat (inklusif, {top} teratas):")
    for frame, samples in functions.most_common(top):
        print(f"  {samples / busy:6.1%}  {frame}")
    print(f"\nfungsi daun terberat (eksklusif, {top} teratas):")
    for frame, samples in leaves.most_common(top):
        print(f"  {samples / busy:6.1%}  {frame}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", default="", help="halaman yang diprofil (bawaan: laporan)")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--database", default="sutera_bench")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("py-spy belum terpasang: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    created = False
    try:
        wrk = ensure_wrk()
        if database_exists(args.database):
            database = database_url(args.database)
        else:
            database = recreate_database(args.database)
            created = True
            prepare_database(server_env(database))
        path = args.path or f"/laporan/{pick_reports(database)[0]}/"
        server = Server(
            "bench.bare_wsgi:application",
            free_port(),
            server_env(database),
            workers=1,
            log_path=Path(tempfile.gettempdir()) / "sutera-bench-profile.log",
        )
        raw = Path(tempfile.gettempdir()) / "sutera-bench-profile.txt"
        with running(server):
            cookies = login(server.base, USER)
            status, _headers, _body = request(server.base, path, cookies=cookies)
            if status != 200:
                raise BenchError(f"{path} menjawab HTTP {status}")
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            load = subprocess.Popen(
                [wrk, "-t1", "-c1", f"-d{args.seconds + 4:g}s", "-H", f"Cookie: {cookie}"]
                + [server.base + path],
                stdout=subprocess.DEVNULL,
            )
            try:
                subprocess.run(
                    [py_spy, "record", "--idle", "--format", "raw", "--rate", "200"]
                    + ["--duration", f"{args.seconds:g}", "--output", str(raw)]
                    + ["--pid", str(worker_pid(server.process.pid))],
                    check=True,
                    capture_output=True,
                    timeout=args.seconds + 60,
                )
            finally:
                load.wait(timeout=args.seconds + 60)
        print(f"profil {path} ({args.seconds:g} s, 1 worker, 1 koneksi wrk, py-spy 200 Hz)")
        summarise(raw, args.top)
        return 0
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"GAGAL: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Dihentikan; server sudah dimatikan.", file=sys.stderr)
        return 130
    finally:
        if created:
            drop_database(args.database)


if __name__ == "__main__":
    sys.exit(main())
