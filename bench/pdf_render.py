"""What the report's layout costs over a bare table.

Run: ``.venv/bin/python bench/pdf_render.py``.

Renders the full report (letterhead, summary, chart, indicator and activity tables, analysis,
notes, signature) for 60 indicators, and a bare unstyled HTML table of the same 60 indicator rows
and columns, with the same WeasyPrint in the same process. Prints the median of 3 runs each and
their ratio; the target is a ratio of at most 2.
"""

import datetime
import html
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sutera_kinerja.settings")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402

from monev.exports.pdf import render_report_pdf  # noqa: E402
from monev.numbers import format_decimal  # noqa: E402
from tests.test_pdf import make_figures  # noqa: E402

RUNS = 3
TARGET = 2.0
SECTIONS = [
    "Seksi Pemerintahan",
    "Seksi Ketenteraman dan Ketertiban Umum",
    "Seksi Pemberdayaan Masyarakat Nagari",
    "Seksi Kesejahteraan Sosial",
    "Seksi Pelayanan Umum",
]


def bare_table(figures) -> str:
    """The baseline: the same indicator rows and columns, no CSS at all."""
    cells = []
    for row in figures.indicators:
        values = [
            row.code,
            row.name,
            row.unit,
            format_decimal(row.target),
            format_decimal(row.value),
            row.achievement.label,
            row.band.label if row.band else "-",
            f"{row.driving} {row.inhibiting}",
            row.follow_up,
        ]
        cells.append("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in values) + "</tr>")
    header = "".join(
        f"<th>{name}</th>"
        for name in (
            "Kode",
            "Indikator",
            "Satuan",
            "Target",
            "Realisasi",
            "Capaian",
            "Predikat",
            "Faktor pendorong / penghambat",
            "Tindak lanjut",
        )
    )
    return (
        '<!doctype html><html lang="id"><meta charset="utf-8"><table>'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(cells)}</tbody></table></html>"
    )


def median_seconds(render) -> float:
    render()  # warm-up, not counted: font discovery and first-use caches
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    figures = make_figures(12, sections=SECTIONS, activities_per_section=3)
    assert len(figures.indicators) == 60
    analysis = {
        s.section_id: "Capaian triwulan ini dipengaruhi layanan daring.\n" * 4
        for s in figures.sections
    }
    baseline = bare_table(figures)

    def report() -> bytes:
        return render_report_pdf(
            figures,
            draft=True,
            version=2,
            place="Painan",
            signed_on=datetime.date(2026, 7, 6),
            analysis=analysis,
        )

    def bare() -> bytes:
        return weasyprint.HTML(string=baseline).write_pdf()

    report_time = median_seconds(report)
    bare_time = median_seconds(bare)
    ratio = report_time / bare_time
    print(f"report PDF, 60 indicators: {report_time * 1000:.0f} ms (median of {RUNS})")
    print(f"bare table, 60 rows:       {bare_time * 1000:.0f} ms (median of {RUNS})")
    print(f"ratio: {ratio:.2f} (target <= {TARGET:g})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
