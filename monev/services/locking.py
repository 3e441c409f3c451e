"""The one way a transition reads its report: under a lock, with what its checks need."""

from ..models import Report


def lock_report(report_id: int) -> Report:
    """Re-read the report under a row lock (PostgreSQL) or the write lock (SQLite IMMEDIATE)."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("office", "sop")
        .prefetch_related("sop__steps", "office__sections", "submissions")
        .get(pk=report_id)
    )
