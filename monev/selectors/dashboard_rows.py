"""The rows the Dasbor's figures come from, read on every request to find its cached figures.

Plain SQL on purpose (like ``auth_backends``): building these ORM queries cost several times
more than running them, and they are most of what a Dasbor request does. Every value comes
back as the ORM would give it (decimals as ``Decimal`` with the field's places, on SQLite as on
PostgreSQL), so the figures computed from them are the same.
"""

from decimal import Decimal

from django.db import connection

from ..models import (
    Activity,
    ActivityBudget,
    ActivityLevel,
    ActivityRealisation,
    Indicator,
    IndicatorTarget,
    Realisation,
    Section,
)

SECTION = Section._meta.db_table
INDICATOR = Indicator._meta.db_table
TARGET = IndicatorTarget._meta.db_table
ACTIVITY = Activity._meta.db_table
BUDGET = ActivityBudget._meta.db_table
REALISATION = Realisation._meta.db_table
SPENDING = ActivityRealisation._meta.db_table


def _places(model, name: str) -> Decimal:
    return Decimal(1).scaleb(-model._meta.get_field(name).decimal_places)


TARGET_PLACES = _places(IndicatorTarget, "q1")
VALUE_PLACES = _places(Realisation, "value")
PHYSICAL_PLACES = _places(ActivityRealisation, "physical_progress")


def _decimal(value, places: Decimal) -> Decimal | None:
    # PostgreSQL gives numeric as Decimal already; SQLite gives an int or a float.
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(repr(value)).quantize(places)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def sections(office_id: int, section_id: int | None) -> tuple[tuple[int, str], ...]:
    """(id, name) of the office's active sections in their order; one section if given."""
    only = " AND id = %s" if section_id is not None else ""
    rows = _rows(
        f"SELECT id, name FROM {SECTION} WHERE office_id = %s AND is_active = %s{only} "
        f'ORDER BY "order", name',
        [office_id, True] + ([section_id] if section_id is not None else []),
    )
    return tuple(rows)


def indicators(office_id: int, section_ids: list[int], year: int) -> tuple[tuple, ...]:
    """(id, code, name, unit, direction, section id, TW I..IV target) of the active
    indicators of those sections, in section order, then their own order and code."""
    if not section_ids:
        return ()
    rows = _rows(
        f"SELECT i.id, i.code, i.name, i.unit, i.direction, i.section_id, "
        f"t.q1, t.q2, t.q3, t.q4 FROM {INDICATOR} i "
        f"LEFT JOIN {TARGET} t ON t.indicator_id = i.id AND t.year = %s "
        f"WHERE i.office_id = %s AND i.is_active = %s AND i.section_id IN ({_marks(section_ids)}) "
        f'ORDER BY i."order", i.code',
        [year, office_id, True, *section_ids],
    )
    position = {pk: index for index, pk in enumerate(section_ids)}
    rows.sort(key=lambda row: position[row[5]])  # stable: the order within a section stays
    return tuple(
        (*row[:6], *(_decimal(target, TARGET_PLACES) for target in row[6:])) for row in rows
    )


def activities(office_id: int, section_ids: list[int], year: int) -> tuple[tuple, ...]:
    """(id, code, name, section id, the year's pagu) of the sections' sub kegiatan by code."""
    if not section_ids:
        return ()
    return tuple(
        _rows(
            f"SELECT a.id, a.code, a.name, a.section_id, b.budget FROM {ACTIVITY} a "
            f"LEFT JOIN {BUDGET} b ON b.activity_id = a.id AND b.year = %s "
            f"WHERE a.office_id = %s AND a.level = %s "
            f"AND a.section_id IN ({_marks(section_ids)}) ORDER BY a.code",
            [year, office_id, ActivityLevel.SUB_KEGIATAN.value, *section_ids],
        )
    )


def values(quarter_of: dict[int, int]) -> tuple[tuple, ...]:
    """(indicator id, triwulan, value) of the reports (report id -> triwulan)."""
    if not quarter_of:
        return ()
    rows = _rows(
        f"SELECT indicator_id, report_id, value FROM {REALISATION} "
        f"WHERE report_id IN ({_marks(list(quarter_of))}) ORDER BY indicator_id, report_id",
        list(quarter_of),
    )
    return tuple(
        (indicator_id, quarter_of[report_id], _decimal(value, VALUE_PLACES))
        for indicator_id, report_id, value in rows
    )


def spending(quarter_of: dict[int, int]) -> tuple[tuple, ...]:
    """(sub kegiatan id, triwulan, spent, physical progress) of the reports."""
    if not quarter_of:
        return ()
    rows = _rows(
        f"SELECT activity_id, report_id, spent, physical_progress FROM {SPENDING} "
        f"WHERE report_id IN ({_marks(list(quarter_of))}) ORDER BY activity_id, report_id",
        list(quarter_of),
    )
    return tuple(
        (activity_id, quarter_of[report_id], spent, _decimal(physical, PHYSICAL_PLACES))
        for activity_id, report_id, spent, physical in rows
    )


def target_years(office_id: int) -> set[int]:
    """Every year the office's indicators have targets for."""
    rows = _rows(
        f"SELECT DISTINCT t.year FROM {TARGET} t JOIN {INDICATOR} i ON i.id = t.indicator_id "
        f"WHERE i.office_id = %s",
        [office_id],
    )
    return {year for (year,) in rows}
