import re

from django import template
from django.utils.html import format_html

from .. import clock
from ..models import Office, Role
from ..numbers import format_decimal, format_rupiah
from ..selectors.reports import office_calendar
from ..worktime import format_wall, format_working

register = template.Library()


@register.filter
def working(seconds: int | None, office: Office) -> str:
    """A working-time duration in the office's working days ("1 hari 2 jam")."""
    if seconds is None:
        return ""
    return format_working(seconds, office_calendar(office).day_seconds)


@register.filter
def wall(seconds: int | None) -> str:
    return "" if seconds is None else format_wall(seconds)


@register.filter
def role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


@register.filter
def idnum(value) -> str:
    """A number the Indonesian way: 1.234,5 (a dash when there is none)."""
    return format_decimal(None if value == "" else value)


@register.filter
def pct(value) -> str:
    """A percentage in a table, always with two decimals so a column lines up: "97,40 %"."""
    if value is None or value == "":
        return "-"
    text = format_decimal(value)
    whole, _comma, fraction = text.partition(",")
    return f"{whole},{fraction.ljust(2, '0')} %"


@register.filter
def pct_text(text: str) -> str:
    """A percentage a draft stored as text ("104,7 %") with two decimals, like pct; other
    text ("belum diisi") as it is. The stored draft itself never changes."""
    match = _STORED_PERCENT.fullmatch(str(text or ""))
    if not match:
        return text
    return f"{match['whole']},{(match['fraction'] or '').ljust(2, '0')} %"


_STORED_PERCENT = re.compile(r"(?P<whole>-?\d[\d.]*)(?:,(?P<fraction>\d+))? %")


@register.filter
def rupiah(value) -> str:
    return format_rupiah(None if value == "" else value)


@register.filter
def roman(quarter: int) -> str:
    """A triwulan's number the way the forms write it: 2 -> "II"."""
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(quarter, str(quarter))


@register.filter
def in_set(value, values) -> bool:
    return value in values


@register.filter
def wib(moment) -> str:
    return clock.moment_label(moment) if moment else ""


@register.filter
def due(moment) -> str:
    return clock.due_label(moment) if moment else ""


@register.filter
def as_recorded(section, record) -> str:
    """A section's name as the approved document has it (RecordNames), else as it is now."""
    if record is None or section is None:
        return str(section or "")
    return record.sections.get(section.pk, str(section))


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.simple_tag
def capaian(result, band, error=None, fixed=False) -> str:
    """An achievement with its predikat badge, or the error that kept it from being computed.

    A tag rather than an include: the Dasbor shows it for every indicator in every triwulan.
    """
    if error:
        return format_html('<span class="text-danger small">{}</span>', error)
    badge = (
        format_html(' <span class="badge text-bg-{}">{}</span>', band.css, band.label)
        if band
        else ""
    )
    label = result.label if result is not None else ""
    if fixed and result is not None and result.percent is not None:
        label = pct(result.percent)  # in a table: two decimals, like its neighbours
    return format_html('<span class="fw-semibold">{}</span>{}', label, badge)
