"""The current time, in one place, so demo history and tests can set it."""

import contextlib
import datetime

from django.utils import timezone

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
