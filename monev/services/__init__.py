"""Every write that changes state. Views and commands call these, never the ORM directly."""

from .reports import report_complete_step, report_open, report_return, report_submit_section

__all__ = ["report_complete_step", "report_open", "report_return", "report_submit_section"]
