"""Waktu SOP: real step durations against the SOP's standard times, the steps most often late,
and the present workload per role; as a page and as an .xlsx workbook.

Every table sorts on the server through its own query parameter (``sort`` for the steps,
``sort_late``, ``sort_role`` and ``sort_hold``), so sorting needs no script and the export
follows the order the user chose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from .. import clock, permissions
from ..exports.timing_xlsx import build_timing_xlsx
from ..models import Quarter, Report
from ..selectors.timing import TimingSummary, timing_summary

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TimingFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=gettext_lazy("Tahun"),
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Triwulan"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", gettext_lazy("Semua triwulan")), *Quarter.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data, *, years: list[int]):
        super().__init__(data)
        self.fields["year"].choices = [(year, year) for year in years]


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


def _sort_order(request, table: str) -> tuple[str, bool]:
    """The requested (column key, descending) of a table; unknown keys fall back to default."""
    param, columns, default, _anchor = TABLES[table]
    requested = request.GET.get(param, "") or default
    key = requested.removeprefix("-")
    if not any(c.key == key and c.value for c in columns):
        requested, key = default, default.removeprefix("-")
    return key, requested.startswith("-")


def sort_rows(rows: Iterable, columns: list[Column], key: str, descending: bool) -> list:
    """Rows ordered by one column; rows without a value go last in either direction."""
    value = next(c.value for c in columns if c.key == key)
    rows = list(rows)
    present = [row for row in rows if value(row) is not None]
    absent = [row for row in rows if value(row) is None]
    return sorted(present, key=value, reverse=descending) + absent


def _headers(request, table: str, key: str, descending: bool) -> list[Header]:
    param, columns, _default, anchor = TABLES[table]
    headers = []
    for column in columns:
        if column.value is None:
            headers.append(Header(str(column.label), None, ""))
            continue
        active = column.key == key
        query = request.GET.copy()
        # A second click on the sorted column reverses it.
        query[param] = f"-{column.key}" if active and not descending else column.key
        aria = ("descending" if descending else "ascending") if active else ""
        headers.append(Header(str(column.label), f"?{query.urlencode()}#{anchor}", aria))
    return headers


def _timing_staff(request):
    staff = permissions.staff_required(request)
    permissions.ensure(staff, permissions.Page.VIEW_TIMING)
    return staff


def _load(request):
    """The staff member, the filter form and the summary for the chosen period."""
    staff = _timing_staff(request)
    years = set(
        Report.objects.filter(office=staff.office)
        .order_by()  # the model's ordering would make DISTINCT run over (year, quarter)
        .values_list("year", flat=True)
        .distinct()
    )
    default_year = max(years) if years else clock.now().year
    years = sorted(years | {default_year}, reverse=True)
    # Always bound, so a link that only sorts still reads as the default period.
    data = {
        "year": request.GET.get("year", default_year),
        "quarter": request.GET.get("quarter", ""),
    }
    form = TimingFilterForm(data, years=years)
    year, quarter = default_year, None
    if form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    return staff, form, timing_summary(staff.office, year, quarter)


def _sorted_tables(request, summary: TimingSummary) -> tuple[dict, dict]:
    """Each table's rows in the requested order, and each table's header links."""
    sources = {
        "steps": summary.steps,
        "late": summary.late_steps,
        "roles": summary.loads,
        "holdings": summary.holdings,
    }
    rows, headers = {}, {}
    for table, items in sources.items():
        key, descending = _sort_order(request, table)
        rows[table] = sort_rows(items, TABLES[table][1], key, descending)
        headers[table] = _headers(request, table, key, descending)
    return rows, headers


@require_GET
def sop_timing(request):
    staff, form, summary = _load(request)
    rows, headers = _sorted_tables(request, summary)
    context = {
        "staff": staff,
        "office": staff.office,
        "form": form,
        "summary": summary,
        "rows": rows,
        "headers": headers,
        "query": request.GET.urlencode(),
    }
    return render(request, "monev/timing.html", context)


@require_GET
def sop_timing_xlsx(request):
    _staff, _form, summary = _load(request)
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
