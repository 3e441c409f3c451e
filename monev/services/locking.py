"""The one way a transition reads its report: under a lock, with what its checks need; and
who saved a record last, for refusing a save made from a page built before theirs."""

from django.utils import formats, timezone

from ..models import Report


def lock_report(report_id: int) -> Report:
    """Re-read the report under a row lock (PostgreSQL) or the write lock (SQLite IMMEDIATE)."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("office", "sop")
        .prefetch_related("sop__steps", "office__sections", "submissions")
        .get(pk=report_id)
    )


def saved_by(record) -> dict[str, str]:
    """``who`` and ``when`` of a record with updated_by/updated_at, for a stale-page message."""
    who = record.updated_by.get_full_name() or record.updated_by.get_username()
    when = formats.date_format(timezone.localtime(record.updated_at), "j F Y H:i")
    return {"who": who, "when": when}
