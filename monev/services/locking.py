"""The one way a transition reads its report: under a lock, with what its checks need; and
who saved a record last, for refusing a save made from a page built before theirs."""

from django.utils import formats, timezone

from ..models import Report


def _for_checks():
    return Report.objects.select_related("office", "sop").prefetch_related(
        "sop__steps", "office__sections", "submissions"
    )


def lock_report(report_id: int) -> Report:
    """Re-read the report under a row lock (PostgreSQL) or the write lock (SQLite IMMEDIATE)."""
    return _for_checks().select_for_update(of=("self",)).get(pk=report_id)


def read_report(report_id: int) -> Report:
    """The same report without a lock: for the cheap checks before slow work (rendering,
    signing) that must happen outside any transaction; the transition locks it afterwards."""
    return _for_checks().get(pk=report_id)


def saved_by(record) -> dict[str, str]:
    """``who`` and ``when`` of a record with updated_by/updated_at, for a stale-page message."""
    who = record.updated_by.get_full_name() or record.updated_by.get_username()
    when = formats.date_format(timezone.localtime(record.updated_at), "j F Y H:i")
    return {"who": who, "when": when}
