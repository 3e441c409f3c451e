"""What list pages read from their query string, one implementation for all of them: the year
and triwulan filters and the table sorts (``?sort=key``, ``-key`` for descending).

A query string is typed, bookmarked and tampered with: a value that is not one of the page's
own (``?year=²``, five thousand digits, ``?sort=-x``, a repeated parameter) falls back to the
page's default, never to an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from .numbers import whole_number

__all__ = [
    "SortLink",
    "SortOrder",
    "parse_sort",
    "query_number",
    "query_quarter",
    "query_year",
    "sort_links",
    "sort_rows",
]

# The years a report may have (Report.year's validators).
YEAR_RANGE = (2000, 2100)


def query_number(params: Mapping, name: str, low: int, high: int) -> int | None:
    """A whole number between low and high from the query, else None. Of a repeated parameter
    the last value counts, as QueryDict.get gives it."""
    value = whole_number(params.get(name, ""), max_digits=len(str(high)))
    return value if value is not None and low <= value <= high else None


def query_year(params: Mapping, name: str = "year") -> int | None:
    return query_number(params, name, *YEAR_RANGE)


def query_quarter(params: Mapping, name: str = "quarter") -> int | None:
    return query_number(params, name, 1, 4)


@dataclass(frozen=True)
class SortOrder:
    key: str
    descending: bool = False

    @property
    def value(self) -> str:
        """As written in the query: ``key`` or ``-key``."""
        return f"-{self.key}" if self.descending else self.key


def parse_sort(text: object, keys: Iterable[str], default: str = "") -> SortOrder | None:
    """The requested order when its key is one of ``keys``; else ``default`` (``""``: None,
    the rows' own order)."""
    keys = set(keys)
    for candidate in (text if isinstance(text, str) else "", default):
        key = candidate.removeprefix("-")
        if key in keys:
            return SortOrder(key, candidate.startswith("-"))
    return None


def sort_rows(rows: Iterable, value: Callable, descending: bool = False) -> list:
    """Rows ordered by ``value``; rows without one (None: not filled in, cannot be computed)
    go last in either direction."""
    rows = list(rows)
    present = [row for row in rows if value(row) is not None]
    absent = [row for row in rows if value(row) is None]
    return sorted(present, key=value, reverse=descending) + absent


@dataclass(frozen=True)
class SortLink:
    url: str
    aria: str  # "ascending", "descending" or "none"

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.aria, "")


def sort_links(
    keys: Iterable[str],
    order: SortOrder | None,
    *,
    keep: Mapping[str, object] | None = None,
    param: str = "sort",
    anchor: str = "",
) -> dict[str, SortLink]:
    """Per key, the link that sorts by it (a second click reverses it) and its aria-sort state.

    ``keep`` holds the page's other query values, already read and checked, so a link never
    carries back what the page did not understand.
    """
    base = {name: value for name, value in (keep or {}).items() if value not in (None, "")}
    links = {}
    for key in keys:
        active = order is not None and order.key == key
        descending = active and order.descending
        value = f"-{key}" if active and not descending else key
        query = urlencode({**base, param: value})
        aria = ("descending" if descending else "ascending") if active else "none"
        links[key] = SortLink(f"?{query}" + (f"#{anchor}" if anchor else ""), aria)
    return links
