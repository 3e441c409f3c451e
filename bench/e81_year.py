"""CPU time of the E.81 export for one year: 4 reports x 60 indicators (target < 1 s).

Run: .venv/bin/python bench/e81_year.py
"""

import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sutera_kinerja.settings")

import django  # noqa: E402

django.setup()

from monev.exports.e81 import build_e81  # noqa: E402
from tests.test_pdf import make_figures  # noqa: E402  (the same factory the tests use)


def main() -> None:
    # 5 sections x 12 indicators = 60 indicators; one workbook per triwulan report.
    year = [make_figures(12) for _ in range(4)]
    start = time.process_time()
    sizes = [
        len(build_e81(figures, place="Surantih", signed_on=datetime.date(2026, 10, 5)))
        for figures in year
    ]
    cpu = time.process_time() - start
    print(f"E.81 satu tahun (4 laporan x 60 indikator): {cpu:.3f} s CPU, {sum(sizes)} bita")
    print("target < 1 s:", "TERPENUHI" if cpu < 1 else "TIDAK TERPENUHI")


if __name__ == "__main__":
    main()
