"""Reads for draft versions: the version with its discussion, and what changed since the
version before it."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .. import workflow
from ..models import Comment, DraftVersion, Report

COMPARED = ("target", "value", "capaian", "predikat", "driving", "inhibiting", "follow_up")


def version_due(report: Report) -> int | None:
    """The number of the draft version the current step still has to make of its own; None
    when the step makes none or has made it. One query, and only at such a step."""
    if report.is_archived or not workflow.current_step(report).requires_new_version:
        return None
    newest = report.versions.order_by("-number").values_list("number", "created_at").first()
    number, made_at = newest or (0, None)
    if made_at is not None and made_at >= report.step_started_at:
        return None
    return number + 1


@dataclass
class IndicatorChange:
    code: str
    row: dict
    changed: dict[str, str] = field(default_factory=dict)  # field -> previous value
    is_new: bool = False


@dataclass
class VersionPage:
    version: DraftVersion
    previous: DraftVersion | None
    rows: list[IndicatorChange]
    analysis: list[tuple[str, str, str | None]]  # section, text, previous text if changed
    comments: list[Comment]
    is_latest: bool

    @property
    def changed_count(self) -> int:
        return sum(1 for r in self.rows if r.changed or r.is_new) + sum(
            1 for a in self.analysis if a[2] is not None
        )


def versions_of(report: Report) -> list[DraftVersion]:
    return list(
        report.versions.select_related("created_by").order_by("number").defer("html", "snapshot")
    )


def compare(summary: dict, previous: dict | None) -> list[IndicatorChange]:
    before = (previous or {}).get("indicators", {})
    rows = []
    for code, row in summary.get("indicators", {}).items():
        old = before.get(code)
        change = IndicatorChange(code=code, row=row, is_new=previous is not None and old is None)
        if old is not None:
            change.changed = {
                name: old.get(name, "") for name in COMPARED if old.get(name) != row.get(name)
            }
        rows.append(change)
    return rows


def version_page(report: Report, number: int) -> VersionPage:
    """The version, its predecessor for comparison, and its comments (replies nested)."""
    versions = {
        v.number: v
        for v in report.versions.filter(number__in=[number, number - 1]).select_related(
            "created_by"
        )
    }
    version = versions[number]  # KeyError -> the view answers 404
    previous = versions.get(number - 1)
    comments = (
        version.comments.filter(parent__isnull=True)
        .select_related("author", "author__staff")
        .prefetch_related(
            Prefetch("replies", queryset=Comment.objects.select_related("author", "author__staff"))
        )
    )
    old_analysis = (previous.summary if previous else {}).get("analysis", {})
    analysis = [
        (
            section,
            text,
            old_analysis.get(section, "")
            if previous and old_analysis.get(section) != text
            else None,
        )
        for section, text in version.summary.get("analysis", {}).items()
    ]
    latest = report.versions.order_by("-number").values_list("number", flat=True).first()
    return VersionPage(
        version=version,
        previous=previous,
        rows=compare(version.summary, previous.summary if previous else None),
        analysis=analysis,
        comments=list(comments),
        is_latest=latest == number,
    )


@dataclass
class AwaitingDecision:
    """A report at a step where the user decides (approve, or return with a note): its latest
    draft and what changed since the version before it."""

    status: object  # selectors.reports.StepStatus
    version: DraftVersion | None
    previous: DraftVersion | None
    changes: list[IndicatorChange]

    @property
    def changed_codes(self) -> list[str]:
        return [c.code for c in self.changes if c.changed or c.is_new]

    @property
    def changed_analysis(self) -> list[str]:
        if self.previous is None or self.version is None:
            return []
        before = self.previous.summary.get("analysis", {})
        return [
            s
            for s, text in self.version.summary.get("analysis", {}).items()
            if before.get(s) != text
        ]


def awaiting_decision(items: list) -> list[AwaitingDecision]:
    """Of the user's tasks (``inbox_for``), those at a decision step, with their drafts. Two
    queries whatever the number of reports."""
    deciding = [item for item in items if item.step.return_to is not None]
    if not deciding:
        return []
    latest: dict[int, list[DraftVersion]] = {}
    versions = DraftVersion.objects.filter(report__in=[i.report for i in deciding]).defer("html")
    for version in versions.select_related("created_by").order_by("report_id", "-number"):
        latest.setdefault(version.report_id, [])
        if len(latest[version.report_id]) < 2:
            latest[version.report_id].append(version)
    result = []
    for item in deciding:
        version, previous = ([*latest.get(item.report.pk, []), None, None])[:2]
        changes = (
            compare(version.summary, previous.summary if previous else None) if version else []
        )
        result.append(AwaitingDecision(item, version, previous, changes))
    return result
