"""The current time, in one place, so demo history and tests can set it; and how a moment
is written for the office (its time zone, Asia/Jakarta, is WIB)."""

import contextlib
import datetime

from django.utils import timezone
from django.utils.formats import date_format

_frozen: datetime.datetime | None = None


def now() -> datetime.datetime:
    return _frozen or timezone.now()


@contextlib.contextmanager
def frozen_at(moment: datetime.datetime):
    """Make now() answer `moment` inside the block (demo seeding and tests only)."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous


def moment_label(moment: datetime.datetime) -> str:
    """A moment as the office reads it, saying which time zone: "4 Des 2026 16:00 WIB"."""
    return f"{date_format(timezone.localtime(moment), 'j M Y H:i')} WIB"


def due_label(moment: datetime.datetime) -> str:
    """A due time that reads as a date, weekday first: "Kamis, 4 Des 2026 16:00 WIB"."""
    return f"{date_format(timezone.localtime(moment), 'l, j M Y H:i')} WIB"
