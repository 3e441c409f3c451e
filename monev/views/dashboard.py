"""Dasbor: a year's capaian per section and indicator, its trend, budget absorption against
physical progress, and where each open report stands. Every role of an office may open it; a
Kepala Seksi sees only their own section, everywhere on the page."""

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
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
from ..models import Role
from ..selectors.dashboard import Dashboard, dashboard_for, default_year
from ..selectors.documents import awaiting_decision
from .reports import inbox


def _text(value: str) -> str:
    return value.casefold()


def _quarter_keys(prefix: str, pick: Callable) -> dict[str, Callable]:
    return {f"{prefix}{q}": (lambda row, i=q - 1: pick(row)[i]) for q in range(1, 5)}


# The server-side sort keys of each sortable table: ?sort=<table>.<key>, "-" first to reverse.
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


def _number(text: str | None, low: int, high: int) -> int | None:
    try:
        value = int(text or "")
    except ValueError:
        return None
    return value if low <= value <= high else None


def _parse_sort(text: str | None) -> tuple[str, str, bool] | None:
    """(table, key, descending) of a valid ?sort=, else None (the tables' own order)."""
    text = text or ""
    descending = text.startswith("-")
    table, _dot, key = text.removeprefix("-").partition(".")
    if key not in SORTS.get(table, {}):
        return None
    return table, key, descending


def _sorted(rows: list, key: Callable, descending: bool) -> list:
    """Rows by key; rows without a value (belum diisi, tidak dapat dihitung) always last."""
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    return sorted(known, key=key, reverse=descending) + unknown


def _headers(query: dict, sort) -> dict[str, dict[str, dict[str, str]]]:
    """Per table and key: the link that sorts by it (reversing it when already so) and its
    aria-sort state."""
    headers = {}
    for table, keys in SORTS.items():
        headers[table] = {}
        for key in keys:
            active = sort is not None and sort[:2] == (table, key)
            descending = active and sort[2]
            value = f"{'' if descending or not active else '-'}{table}.{key}"
            state = ("descending" if descending else "ascending") if active else "none"
            headers[table][key] = {
                "url": f"?{urlencode({**query, 'sort': value})}#tabel-{table}",
                "aria": state,
                "arrow": {"ascending": "▲", "descending": "▼"}.get(state, ""),
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


@require_GET
def dashboard(request):
    staff = permissions.staff_required(request)
    section = None
    if staff.role == Role.KEPALA_SEKSI:
        if staff.section_id is None:
            raise PermissionDenied(_("Akun Kepala Seksi Anda belum terhubung ke seksi mana pun."))
        section = staff.section
    office = staff.office
    year = _number(request.GET.get("year"), 2000, 2100) or default_year(office)
    highlight = _number(request.GET.get("quarter"), 1, 4)
    board = dashboard_for(office, year, section)
    sort = _parse_sort(request.GET.get("sort"))
    rows = {
        "sections": board.sections,
        "indicators": board.indicators,
        "activities": board.activities,
    }
    if sort is not None:
        table, key, descending = sort
        rows[table] = _sorted(rows[table], SORTS[table][key], descending)
    # The summary figures are the highlighted triwulan's, or the latest one with a report.
    focus = highlight or board.latest_quarter
    index = focus - 1 if focus else None
    query = {"year": year, **({"quarter": highlight} if highlight else {})}
    columns = [
        {"number": q, "label": label, "state": state, "highlight": q == highlight}
        for q, (label, state) in enumerate(zip(TRIWULAN, board.quarters, strict=True), 1)
    ]
    headers = _headers(query, sort)
    context = {
        "awaiting": awaiting_decision(selectors.inbox_for(staff)),
        "board": board,
        "staff": staff,
        "year": year,
        "highlight": highlight,
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
    return render(request, "monev/dashboard.html", context)


@require_GET
def home(request):
    """The front page: the Camat's is the Dasbor, everyone else's is Tugas Saya."""
    staff = permissions.staff_required(request)
    if staff.role == Role.CAMAT:
        return redirect("monev:dashboard")
    return inbox(request)
