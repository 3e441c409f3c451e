"""Reads for the pages. Each selector runs a fixed number of queries, whatever the data size."""

from .reports import (
    StepStatus,
    TimelineStep,
    current_sop,
    inbox_for,
    office_calendar,
    report_for_page,
    report_header,
    report_list,
    timeline,
)

__all__ = [
    "StepStatus",
    "TimelineStep",
    "current_sop",
    "inbox_for",
    "office_calendar",
    "report_for_page",
    "report_header",
    "report_list",
    "timeline",
]
