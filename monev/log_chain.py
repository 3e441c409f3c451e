"""The step log as a hash chain: each entry's SHA-256 covers its own fields and the previous
entry's hash, so an entry edited or removed behind the app's back shows as a break."""

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

# The fields an entry is made of; the hash covers exactly these, in this order.
FIELDS = (
    "report_id",
    "step_number",
    "step_name",
    "role",
    "section_id",
    "action",
    "actor_id",
    "actor_name",
    "started_at",
    "finished_at",
    "wall_seconds",
    "working_seconds",
    "standard_seconds",
    "standard_label",
    "on_time",
    "note",
)


def _canonical(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value


# The chains written before the actor's name was copied into each entry (migration 0006);
# migration 0007 re-chains the intact ones over FIELDS.
FIELDS_BEFORE_ACTOR_NAME = tuple(name for name in FIELDS if name != "actor_name")


def entry_hash(entry, previous_hash: str, fields: tuple[str, ...] = FIELDS) -> str:
    """The hash of a log entry (a StepLog, also a migration's historical one)."""
    fields = {name: _canonical(getattr(entry, name)) for name in fields}
    payload = json.dumps([fields, previous_hash], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def chain_new_entry(entry) -> None:
    """Give an entry about to be written its hash, chained to its report's latest entry.

    Transitions write under the report's lock, so no other entry can slip in between."""
    previous = (
        type(entry)
        .objects.filter(report_id=entry.report_id)
        .order_by("-id")
        .values_list("entry_hash", flat=True)
        .first()
    )
    entry.entry_hash = entry_hash(entry, previous or "")


def chain_unsaved(entries: Iterable) -> None:
    """Hash entries for a bulk insert, in list order per report, each report starting fresh."""
    latest: dict[int, str] = {}
    for entry in entries:
        entry.entry_hash = entry_hash(entry, latest.get(entry.report_id, ""))
        latest[entry.report_id] = entry.entry_hash


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    broken_at: object | None = None  # the first entry that no longer matches
    position: int | None = None  # its place in the history, counted from 1


def check_entries(entries: Iterable) -> ChainCheck:
    """Recompute the chain over a report's entries in the order they were written."""
    previous = ""
    for position, entry in enumerate(entries, start=1):
        if entry.entry_hash != entry_hash(entry, previous):
            return ChainCheck(intact=False, broken_at=entry, position=position)
        previous = entry.entry_hash
    return ChainCheck(intact=True)


def check_report(report) -> ChainCheck:
    from .models import StepLog

    return check_entries(StepLog.objects.filter(report=report).order_by("id"))
