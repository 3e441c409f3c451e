"""The rules a section's quarterly data must follow, shared by the web form, the Excel upload
and the services, so every way in gives the same answer in the same words."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .numbers import format_decimal
from .performance import achievement, needs_explanation

MAX_VALUE = Decimal("1000000000")
MAX_PERCENT = Decimal("100")
# Every text a user types has one of these two limits, on every way in (form, Excel, service).
MAX_TEXT = 2000  # an explanation, a finding, a note, a reason
MAX_LONG_TEXT = 5000  # a section's analysis, a comment on a draft
# Decimal places the database keeps (Realisation.value, ActivityRealisation.physical_progress).
REALISATION_PLACES = 4
PHYSICAL_PLACES = 2


def text_too_long(text: str, limit: int = MAX_TEXT) -> str | None:
    """The message for a text over its limit; None when it fits."""
    if len(text) <= limit:
        return None
    return _("Teks terlalu panjang (%(length)s karakter); paling banyak %(limit)s karakter.") % {
        "length": format_decimal(len(text)),
        "limit": format_decimal(limit),
    }


FAR_ABOVE_TARGET = 2  # a realisation over twice its target is probably a typo

# The same words on the web form, its table headings and the Excel sheet.
SPENT_LABEL = gettext_lazy("Realisasi anggaran triwulan ini (Rp)")
PHYSICAL_LABEL = gettext_lazy("Realisasi fisik s.d. triwulan ini (%)")


def impossible_value(*, unit: str, value: Decimal) -> str:
    """Why a realisation cannot be what was typed, or "" when it can."""
    if value < 0:
        return _("Realisasi tidak boleh negatif.")
    if unit.strip() == "%" and value > MAX_PERCENT:
        return _("Persentase tidak boleh lebih dari 100.")
    if value > MAX_VALUE:
        return _("Angka ini terlalu besar untuk sebuah realisasi; periksa kembali.")
    return ""


def unlikely_value(*, target: Decimal | None, value: Decimal | None) -> str:
    """A warning, not a refusal, for a value far above its target: a typo (an extra zero) is
    likelier than a triwulan that did ten times its plan."""
    if value is None or not target or target <= 0 or value <= target * FAR_ABOVE_TARGET:
        return ""
    return _("Jauh di atas target (%(target)s); periksa kembali angkanya sebelum menyimpan.") % {
        "target": format_decimal(target)
    }


def realisation_errors(
    *,
    unit: str,
    direction: str,
    target: Decimal | None,
    value: Decimal | None,
    driving: str,
    inhibiting: str,
    follow_up: str,
    complete: bool,
) -> dict[str, str]:
    """Field name -> message. `complete` is True when the section hands its data in."""
    errors: dict[str, str] = {}
    if value is None:
        if complete:
            errors["value"] = _("Realisasi wajib diisi sebelum data dikirim.")
    elif impossible := impossible_value(unit=unit, value=value):
        errors["value"] = impossible
    for name, text in (
        ("driving", driving),
        ("inhibiting", inhibiting),
        ("follow_up", follow_up),
    ):
        if problem := text_too_long(text):
            errors[name] = problem
    # Staff type the numbers first and the explanations later: a draft keeps whatever is
    # typed, and the explanations the capaian calls for are asked for when the data is sent.
    if "value" in errors or value is None or not complete:
        return errors
    result = achievement(target, value, direction)
    need_driving, need_inhibiting, need_follow_up = needs_explanation(result)
    below = _("Wajib diisi karena capaian %(capaian)s, di bawah 100 %%.") % {
        "capaian": result.label
    }
    if need_inhibiting and not inhibiting.strip():
        errors.setdefault("inhibiting", below)
    if need_follow_up and not follow_up.strip():
        errors.setdefault("follow_up", below)
    if need_driving and not driving.strip():
        errors.setdefault(
            "driving",
            _("Wajib diisi karena capaian %(capaian)s, mencapai 100 %% atau lebih.")
            % {"capaian": result.label},
        )
    return errors


def activity_errors(
    *, budget: int | None, spent: int | None, physical: Decimal | None, complete: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if spent is None and complete:
        errors["spent"] = _("Realisasi anggaran wajib diisi sebelum data dikirim.")
    elif spent is not None and spent < 0:
        errors["spent"] = _("Realisasi anggaran tidak boleh negatif.")
    elif spent is not None and budget is not None and spent > budget:
        errors["spent"] = _("Realisasi anggaran melebihi pagu.")
    if physical is None and complete:
        errors["physical"] = _("Realisasi fisik wajib diisi sebelum data dikirim.")
    elif physical is not None and not (0 <= physical <= MAX_PERCENT):
        errors["physical"] = _("Realisasi fisik harus antara 0 dan 100 %.")
    return errors
