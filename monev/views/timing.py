"""Waktu SOP: real step durations against the SOP's standard times, the steps most often late,
and the present workload per role; as a page and as an .xlsx workbook.

Every table sorts on the server through its own query parameter (``sort`` for the steps,
``sort_late``, ``sort_role`` and ``sort_hold``), so sorting needs no script and the export
follows the order the user chose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from ..exports.timing_xlsx import build_timing_xlsx
from ..listing import SortOrder, parse_sort, sort_links, sort_rows
from ..selectors.timing import TimingSummary
from .timing_period import load_timing_period

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable | None = None  # None: the column cannot be sorted


@dataclass(frozen=True)
class Header:
    label: str
    url: str | None
    aria_sort: str  # "ascending", "descending" or "" (not the sorted column)


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


STEP_COLUMNS = [
    Column("number", gettext_lazy("Langkah"), lambda s: s.number),
    Column("name", gettext_lazy("Uraian prosedur"), lambda s: s.name.lower()),
    Column("role", gettext_lazy("Pelaksana"), lambda s: str(s.role_label)),
    Column("standard", gettext_lazy("Waktu baku"), lambda s: s.standard_seconds),
    Column("count", gettext_lazy("Jumlah"), lambda s: s.durations.count),
    Column("median", gettext_lazy("Median"), lambda s: s.durations.median_seconds),
    Column("slowest", gettext_lazy("Terlama"), lambda s: s.durations.slowest_seconds),
    Column("on_time", gettext_lazy("Tepat waktu"), lambda s: s.durations.on_time_share),
    Column("late", gettext_lazy("Terlambat"), lambda s: s.durations.late),
    Column("returns", gettext_lazy("Dikembalikan"), lambda s: s.returns),
]
LATE_COLUMNS = [
    Column("rank", gettext_lazy("Peringkat"), lambda i: i.rank),
    Column("number", gettext_lazy("Langkah"), lambda i: i.step.number),
    Column("role", gettext_lazy("Pelaksana"), lambda i: str(i.step.role_label)),
    Column("late", gettext_lazy("Terlambat"), lambda i: i.late),
    Column("share", gettext_lazy("Terlambat (%)"), lambda i: i.late_share),
    Column("sections", gettext_lazy("Kiriman seksi terlambat"), lambda i: i.late_submissions),
]
ROLE_COLUMNS = [
    Column("role", gettext_lazy("Peran"), lambda r: str(r.role_label)),
    Column("count", gettext_lazy("Jumlah laporan"), lambda r: r.count),
    Column("longest", gettext_lazy("Terlama ditahan"), lambda r: r.longest_seconds),
    Column("over", gettext_lazy("Melewati waktu baku"), lambda r: r.over_standard),
]
HOLD_COLUMNS = [
    Column("report", gettext_lazy("Laporan"), lambda h: (h.report.year, h.report.quarter)),
    Column("step", gettext_lazy("Langkah saat ini"), lambda h: h.step_number),
    Column("role", gettext_lazy("Pelaksana"), lambda h: str(h.role_label)),
    Column("holders", gettext_lazy("Pemegang")),
    Column("since", gettext_lazy("Sejak"), lambda h: h.since),
    Column("held", gettext_lazy("Ditahan"), lambda h: h.held_seconds),
]

# (query parameter, columns, default order, anchor of the table on the page)
TABLES = {
    "steps": ("sort", STEP_COLUMNS, "number", "per-langkah"),
    "late": ("sort_late", LATE_COLUMNS, "rank", "sering-terlambat"),
    "roles": ("sort_role", ROLE_COLUMNS, "-longest", "beban-peran"),
    "holdings": ("sort_hold", HOLD_COLUMNS, "-held", "beban-peran"),
}


def _orders(request) -> dict[str, SortOrder]:
    """Each table's requested order; unknown keys fall back to the table's default."""
    orders = {}
    for table, (param, columns, default, _anchor) in TABLES.items():
        keys = [c.key for c in columns if c.value]
        orders[table] = parse_sort(request.GET.get(param), keys, default)
    return orders


def _headers(table: str, orders: dict[str, SortOrder], period: dict) -> list[Header]:
    param, columns, _default, anchor = TABLES[table]
    # Links keep the period and the other tables' orders.
    keep = {**period, **{TABLES[t][0]: o.value for t, o in orders.items() if t != table}}
    keys = [c.key for c in columns if c.value]
    links = sort_links(keys, orders[table], keep=keep, param=param, anchor=anchor)
    headers = []
    for column in columns:
        link = links.get(column.key)
        if link is None:
            headers.append(Header(str(column.label), None, ""))
        else:
            aria = "" if link.aria == "none" else link.aria
            headers.append(Header(str(column.label), link.url, aria))
    return headers


def _sorted_tables(request, summary: TimingSummary) -> tuple[dict, dict]:
    """Each table's rows in the requested order, and each table's header links."""
    sources = {
        "steps": summary.steps,
        "late": summary.late_steps,
        "roles": summary.loads,
        "holdings": summary.holdings,
    }
    orders = _orders(request)
    period = _period(summary)
    rows, headers = {}, {}
    for table, items in sources.items():
        order = orders[table]
        value = next(c.value for c in TABLES[table][1] if c.key == order.key)
        rows[table] = sort_rows(items, value, order.descending)
        headers[table] = _headers(table, orders, period)
    return rows, headers


def _period(summary: TimingSummary) -> dict:
    return {"year": summary.year, "quarter": summary.quarter}


@require_GET
def sop_timing(request):
    staff, form, summary = load_timing_period(request)
    rows, headers = _sorted_tables(request, summary)
    context = {
        "staff": staff,
        "office": staff.office,
        "form": form,
        "summary": summary,
        "rows": rows,
        "headers": headers,
        "query": urlencode(
            {
                **{k: v for k, v in _period(summary).items() if v},
                **{TABLES[t][0]: order.value for t, order in _orders(request).items()},
            }
        ),
    }
    return render(request, "monev/timing.html", context)


@require_GET
def sop_timing_xlsx(request):
    _staff, _form, summary = load_timing_period(request)
    rows, _headers_unused = _sorted_tables(request, summary)
    content = build_timing_xlsx(
        summary,
        steps=rows["steps"],
        late_steps=rows["late"],
        loads=rows["roles"],
        holdings=rows["holdings"],
    )
    suffix = f"-tw{summary.quarter}" if summary.quarter else ""
    filename = f"waktu-sop-{summary.office.code}-{summary.year}{suffix}.xlsx"
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
