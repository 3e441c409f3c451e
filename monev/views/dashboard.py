"""Dasbor: a year's capaian per section and indicator, its trend, budget absorption against
physical progress, and where each open report stands. Every role of an office may open it; a
Kepala Seksi sees only their own section, everywhere on the page."""

import functools
from collections.abc import Callable

from django.core.cache import caches
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import permissions, selectors
from ..exports.charts import (
    TRIWULAN,
    absorption_chart_svg,
    quarter_bars_svg,
    svg_data_uri,
    trend_chart_svg,
)
from ..listing import parse_sort, query_quarter, query_year, sort_links, sort_rows
from ..selectors.dashboard import (
    Dashboard,
    dashboard_from,
    dashboard_inputs,
    default_year,
    office_reports,
    open_report_statuses,
)
from ..selectors.documents import awaiting_decision
from .reports import inbox


def _text(value: str) -> str:
    return value.casefold()


def _quarter_keys(prefix: str, pick: Callable) -> dict[str, Callable]:
    return {f"{prefix}{q}": (lambda row, i=q - 1: pick(row)[i]) for q in range(1, 5)}


# The server-side sort keys of each sortable table.
SORTS: dict[str, dict[str, Callable]] = {
    "sections": {
        "name": lambda row: _text(row.name),
        **_quarter_keys("q", lambda row: row.averages),
    },
    "indicators": {
        "code": lambda row: _text(row.code),
        "name": lambda row: _text(row.name),
        "section": lambda row: _text(row.section_name),
        **_quarter_keys("q", lambda row: [a.percent for a in row.achievements]),
    },
    "activities": {
        "code": lambda row: _text(row.code),
        "budget": lambda row: row.progress.budget,
        **_quarter_keys("a", lambda row: row.progress.absorption),
        **_quarter_keys("p", lambda row: row.progress.physical),
    },
}


def _sort_keys() -> list[str]:
    return [f"{table}.{key}" for table, keys in SORTS.items() for key in keys]


def _headers(query: dict, order) -> dict[str, dict[str, object]]:
    """Per table and key: the link that sorts by it and its aria-sort state."""
    headers: dict[str, dict[str, object]] = {table: {} for table in SORTS}
    for table in SORTS:
        keys = [f"{table}.{key}" for key in SORTS[table]]
        for name, link in sort_links(keys, order, keep=query, anchor=f"tabel-{table}").items():
            headers[table][name.partition(".")[2]] = {
                "url": link.url,
                "aria": link.aria,
                "arrow": link.arrow,
            }
    return headers


def _quarter_headers(columns: list[dict], headers: dict) -> dict[str, list[dict]]:
    """Each table's triwulan column headings, with the sort links of their cells."""
    result = {}
    for table in ("sections", "indicators"):
        result[table] = [{**c, "sort": headers[table][f"q{c['number']}"]} for c in columns]
    links = headers["activities"]
    result["activities"] = [
        {**c, "absorption": links[f"a{c['number']}"], "physical": links[f"p{c['number']}"]}
        for c in columns
    ]
    return result


def _charts(board: Dashboard) -> dict[str, str]:
    sections = tuple((row.name, tuple(row.averages), tuple(row.bands)) for row in board.sections)
    trend_title = _("Rata-rata capaian seksi") if board.section else _("Rata-rata capaian kantor")
    trend = (tuple(board.trend), tuple(board.trend_bands), trend_title)
    progress = (tuple(board.progress.absorption), tuple(board.progress.physical))
    keys = ("sections", "trend", "absorption")
    return dict(zip(keys, _chart_uris(sections, trend, progress, get_language()), strict=True))


# The same figures give the same SVG (see exports.charts), and drawing them is most of the
# Dasbor's time: each office's few distinct charts are kept, keyed on the figures themselves.
@functools.lru_cache(maxsize=128)
def _chart_uris(sections, trend, progress, language: str) -> tuple[str, str, str]:
    percents, bands, title = trend
    return (
        svg_data_uri(quarter_bars_svg(list(sections))),
        svg_data_uri(trend_chart_svg(percents, bands, title=title)),
        svg_data_uri(absorption_chart_svg(*progress)),
    )


def _reported(rows: list, values: Callable, index: int | None) -> tuple[int, int]:
    """(rows with a figure in the triwulan, all rows)."""
    if index is None:
        return 0, len(rows)
    return sum(1 for row in rows if values(row)[index] is not None), len(rows)


# Figures of archived years never change; a running year's key changes with its next edit.
FIGURES_TIMEOUT = 24 * 3600


@require_GET
def dashboard(request):
    staff = permissions.staff_required(request)
    section = permissions.section_scope(staff)
    office = staff.office
    reports = office_reports(office)
    year = query_year(request.GET) or default_year(office, reports)
    highlight = query_quarter(request.GET)
    # ?sort=<table>.<key>, "-" first to reverse.
    order = parse_sort(request.GET.get("sort"), _sort_keys())
    inputs = dashboard_inputs(office, year, section, reports)
    open_reports = open_report_statuses(office, section, reports)
    # The figures part is rendered once per state of the rows it is computed from (the
    # digest), view and language; what moves with the clock (due times, late badges) and
    # with the user (their decisions) is rendered on every request.
    view = (order.value if order else "", highlight or 0, get_language(), len(open_reports))
    key = "dasbor:" + ":".join(map(str, (inputs.digest, *view)))
    context = {
        "awaiting": awaiting_decision(selectors.inbox_for(staff, reports)),
        "staff": staff,
        "year": year,
        "highlight": highlight,
        "open_reports": open_reports,
    }
    figures = caches["pages"].get(key)
    if figures is None:
        board = dashboard_from(inputs, office, section, open_reports)
        parts = _figures_context(board, year, highlight, order)
        figures = render_to_string("monev/_dashboard_figures.html", parts)
        caches["pages"].set(key, figures, FIGURES_TIMEOUT)
        context.update(parts)
    # Safe: the cache holds what the template rendered, escaped there.
    context["figures"] = mark_safe(figures)
    return render(request, "monev/dashboard.html", context)


def _figures_context(board: Dashboard, year: int, highlight: int | None, order) -> dict:
    rows = {
        "sections": board.sections,
        "indicators": board.indicators,
        "activities": board.activities,
    }
    if order is not None:
        table, _dot, key = order.key.partition(".")
        rows[table] = sort_rows(rows[table], SORTS[table][key], order.descending)
    # The summary figures are the highlighted triwulan's, or the latest one with a report.
    focus = highlight or board.latest_quarter
    index = focus - 1 if focus else None
    query = {"year": year, **({"quarter": highlight} if highlight else {})}
    columns = [
        {"number": q, "label": label, "state": state, "highlight": q == highlight}
        for q, (label, state) in enumerate(zip(TRIWULAN, board.quarters, strict=True), 1)
    ]
    headers = _headers(query, order)
    return {
        "board": board,
        "year": year,
        "highlight": highlight,
        # The table sorted by is shown open.
        "sorted_table": order.key.partition(".")[0] if order else "",
        "columns": columns,
        "quarter_headers": _quarter_headers(columns, headers),
        "trend_rows": [
            {**c, "average": mean, "band": band}
            for c, mean, band in zip(columns, board.trend, board.trend_bands, strict=True)
        ],
        "progress_rows": [
            {**c, "spent": spent, "absorption": share, "physical": physical}
            for c, (spent, share, physical) in zip(columns, board.progress.cells, strict=True)
        ],
        "summary": {
            "quarter": TRIWULAN[index] if index is not None else None,
            "average": board.trend[index] if index is not None else None,
            "band": board.trend_bands[index] if index is not None else None,
            "absorption": board.progress.absorption[index] if index is not None else None,
            "physical": board.progress.physical[index] if index is not None else None,
            # How complete the headline figures are: a running quarter's are provisional.
            "sections": _reported(board.sections, lambda row: row.averages, index),
            "indicators": _reported(
                board.indicators, lambda row: [a.percent for a in row.achievements], index
            ),
            "activities": _reported(board.activities, lambda row: row.progress.absorption, index),
        },
        "rows": rows,
        "headers": headers,
        "charts": _charts(board),
    }


@require_GET
def home(request):
    """The front page: the Camat's is the Dasbor, everyone else's is Tugas Saya."""
    staff = permissions.staff_required(request)
    if permissions.can(staff, permissions.Page.HOME_DASHBOARD):
        return redirect("monev:dashboard")
    return inbox(request)
