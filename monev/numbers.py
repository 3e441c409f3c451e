"""Reading and writing numbers the Indonesian way.

Officers type numbers both ways (``85,5`` and ``85.5``) and paste figures with thousands
separators from spreadsheets, so input is lenient where the meaning is clear and refuses text
whose meaning is not: ``1.234`` may be one thousand two hundred thirty-four or one point two
three four, and guessing wrong would silently corrupt a report. Output always uses the
Indonesian convention: ``.`` groups thousands, ``,`` marks decimals.

Pure Python: no models, no database.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

__all__ = [
    "NumberError",
    "format_decimal",
    "format_rupiah",
    "parse_decimal",
    "parse_rupiah",
    "whole_number",
]

# Optional minus (before or after "Rp"), optional "Rp"/"Rp.", the digits and separators, an
# optional "%". The body is checked separately so the error can say what is wrong with it.
_TEXT = re.compile(
    r"(?P<minus_before>-?)\s*(?P<rupiah>rp\.?\s*)?(?P<minus_after>-?)"
    r"(?P<body>[0-9.,]+)\s*(?P<percent>%?)",
    re.IGNORECASE | re.ASCII,
)
# Digit groups joined by single separators: rejects "1..2", ".5", "5." and "1,".
_BODY = re.compile(r"[0-9]+(?:[.,][0-9]+)*", re.ASCII)
_SEPARATOR = re.compile(r"[.,]")

NumberInput = str | Decimal | int | float | None


class NumberError(ValueError):
    """A number typed by a user that cannot be read; the message is for that user."""

    def __init__(self, message: str, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.text = text


def _unreadable(text: str) -> NumberError:
    return NumberError(
        gettext(
            "“%(text)s” bukan angka yang dapat dibaca. Tulis angka saja, misalnya 85,5 "
            "atau 1.234,5."
        )
        % {"text": text},
        text,
    )


def _bad_grouping(text: str) -> NumberError:
    return NumberError(
        gettext(
            "Angka “%(text)s” tidak dapat dibaca: pemisah ribuan harus memisahkan tepat tiga "
            "angka (misalnya 1.234.567), dan tanda desimal hanya boleh satu."
        )
        % {"text": text},
        text,
    )


def _ambiguous(text: str, sign: str, whole: str, fraction: str, separator: str) -> NumberError:
    # An unambiguous way to write the decimal reading: drop trailing zeros ("12.500" -> 12,5),
    # or, when three digits remain, add one zero so the separator cannot be read as grouping.
    hint_fraction = fraction.rstrip("0") or "0"
    if len(hint_fraction) == 3:
        hint_fraction += "0"
    return NumberError(
        gettext(
            "Angka “%(text)s” meragukan: bisa dibaca %(thousands)s (tanda “%(sep)s” sebagai "
            "pemisah ribuan) atau %(decimal)s (tanda “%(sep)s” sebagai tanda desimal). "
            "Tulis %(thousands)s tanpa pemisah ribuan jika maksudnya bilangan bulat, atau "
            "%(hint)s jika maksudnya bilangan desimal."
        )
        % {
            "text": text,
            "sep": separator,
            "thousands": f"{sign}{whole}{fraction}",
            "decimal": f"{sign}{whole},{fraction}",
            "hint": f"{sign}{whole},{hint_fraction}",
        },
        text,
    )


def _valid_grouping(groups: list[str]) -> bool:
    """True if ``groups`` are the integer part split at thousands separators."""
    first, rest = groups[0], groups[1:]
    # A leading zero ("0.123.456") means the separators are not thousands separators.
    return 1 <= len(first) <= 3 and not first.startswith("0") and all(len(g) == 3 for g in rest)


def _split_body(text: str, body: str, *, grouping_wins: bool, sign: str) -> tuple[str, str]:
    """Split ``body`` into its integer digits and fraction digits (either may carry zeros)."""
    if not _BODY.fullmatch(body):
        raise _unreadable(text)
    separators = _SEPARATOR.findall(body)
    groups = _SEPARATOR.split(body)
    if not separators:
        return body, ""

    if len(set(separators)) == 2:
        # Both kinds present ("1.234,5" or "1,234.5"): the last one is the decimal mark and may
        # appear once; every separator before it groups thousands.
        decimal_mark = separators[-1]
        if separators.count(decimal_mark) != 1 or not _valid_grouping(groups[:-1]):
            raise _bad_grouping(text)
        return "".join(groups[:-1]), groups[-1]

    if len(separators) > 1:
        # The same separator repeated can only be grouping ("1.234.567").
        if not _valid_grouping(groups):
            raise _bad_grouping(text)
        return "".join(groups), ""

    whole, fraction = groups
    looks_grouped = len(fraction) == 3 and _valid_grouping(groups)
    if looks_grouped:
        if grouping_wins:
            return whole + fraction, ""
        raise _ambiguous(text, sign, whole, fraction, separators[0])
    return whole, fraction


def _from_number(value: Decimal | int | float) -> Decimal:
    """Numbers already typed as numbers (for example read from Excel cells)."""
    if isinstance(value, bool):
        # bool is an int subclass; a True/False reaching here is a bug, not a number.
        raise TypeError("boolean is not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _unreadable(str(value))
        # Via str so 0.1 stays 0.1 rather than its binary expansion.
        number = Decimal(str(value))
    else:
        raise TypeError(f"cannot read a number from {type(value).__name__}")
    if not number.is_finite():
        raise _unreadable(str(value))
    return number


def _parse(value: NumberInput, *, money: bool) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return _from_number(value)
    text = value.strip()
    if not text:
        return None
    match = _TEXT.fullmatch(text)
    if match is None or (match["minus_before"] and match["minus_after"]):
        raise _unreadable(text)
    if money and match["percent"]:
        raise NumberError(
            gettext("Jumlah rupiah “%(text)s” tidak boleh memakai tanda %%.") % {"text": text},
            text,
        )
    sign = "-" if match["minus_before"] or match["minus_after"] else ""
    # A Rupiah amount never has cents, so "Rp 12.500" can only be twelve thousand five hundred.
    grouping_wins = money or bool(match["rupiah"])
    whole, fraction = _split_body(text, match["body"], grouping_wins=grouping_wins, sign=sign)
    number = Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
    # "-0" and "-0,0" are zero; a negative zero would print as "-0".
    return number.copy_abs() if number.is_zero() else number


def parse_decimal(value: NumberInput, *, places: int | None = None) -> Decimal | None:
    """Read a number typed the Indonesian or the English way; blank gives None.

    Accepts ``85,5``, ``85.5``, ``1.234,5``, ``1,234.5``, ``1.234.567``, ``-3,5``, ``85 %`` and
    ``Rp 1.234``; Decimal, int and float values pass through. Raises NumberError for text that
    is not a number or whose meaning is ambiguous (``1.234``), and, with ``places``, for more
    decimal places than that: the database would round them away silently.
    """
    number = _parse(value, money=False)
    if number is not None and places is not None:
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise NumberError(
                gettext("Paling banyak %(places)s angka di belakang koma (tertulis %(value)s).")
                % {"places": places, "value": format(number, "f").replace(".", ",")},
                str(value),
            )
    return number


def parse_rupiah(value: NumberInput) -> int | None:
    """Read a whole, non-negative Rupiah amount (``Rp 1.234.567``); blank gives None."""
    amount = _parse(value, money=True)
    if amount is None:
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    if amount < 0:
        raise NumberError(
            gettext("Jumlah rupiah “%(text)s” tidak boleh negatif.") % {"text": text}, text
        )
    if amount != amount.to_integral_value():
        raise NumberError(
            gettext(
                "Jumlah rupiah “%(text)s” harus bilangan bulat: rupiah ditulis tanpa sen, "
                "misalnya Rp 1.234.567."
            )
            % {"text": text},
            text,
        )
    return int(amount)


def whole_number(text: object, *, max_digits: int = 18) -> int | None:
    """A whole number written in ASCII digits (a query value, an id in an XML attribute), or
    None. Other digits ("²", Arabic-Indic) and huge numbers are not numbers here: int() accepts
    the first and raises on more than 4,300 digits."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not (0 < len(text) <= max_digits and text.isascii() and text.isdigit()):
        return None
    return int(text)


def _group_thousands(digits: int) -> str:
    return f"{digits:,}".replace(",", ".")


def format_decimal(value: Decimal | int | float | None, places: int = 2) -> str:
    """Indonesian display (``1.234,5``): at most ``places`` decimals, no trailing zeros.

    None is shown as ``-``.
    """
    if value is None:
        return "-"
    number = _from_number(value)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = rounded.copy_abs()  # -0,001 rounds to 0, not "-0"
    whole, _, fraction = f"{rounded.copy_abs():f}".partition(".")
    fraction = fraction.rstrip("0")
    text = _group_thousands(int(whole)) + (f",{fraction}" if fraction else "")
    return f"-{text}" if rounded < 0 else text


def format_rupiah(value: int | Decimal | None) -> str:
    """Indonesian Rupiah display: ``Rp 1.234.567``; None is ``-``."""
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            # Truncating cents silently would hide a bug upstream.
            raise ValueError(f"Rupiah amounts are whole numbers, got {value}")
        value = int(value)
    text = f"Rp {_group_thousands(abs(value))}"
    return f"-{text}" if value < 0 else text


def input_text(value) -> str:
    """A stored number as the user would type it back: decimal comma, no grouping, so that
    parse_decimal reads it unambiguously ("1234", "85,5")."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")
