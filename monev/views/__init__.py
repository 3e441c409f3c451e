"""Thin views: load with a permission loader, call a selector or a service, render or redirect."""

from .archive import (
    archive_check,
    archive_download,
    archive_export,
    archive_export_download,
    archive_export_status,
    archive_list,
)
from .dashboard import dashboard, home
from .documents import (
    draft_and_complete,
    draft_create,
    draft_document,
    draft_pdf,
    draft_version,
    report_analysis,
)
from .monev_sheet import monev_sheet
from .notifications import notification_list, notification_open, notification_read_all
from .reports import (
    inbox,
    report_complete,
    report_detail,
    report_list,
    report_return,
    report_submit_section,
    sop_detail,
)
from .section_data import (
    capaian_preview,
    evidence_download,
    evidence_remove,
    section_data,
    section_data_reopen,
    section_sheet_download,
    section_sheet_upload,
)
from .sop_document import sop_pdf
from .sop_review import (
    sop_evaluation,
    sop_evaluation_latest,
    sop_evaluation_pdf,
    sop_evaluation_revision,
    sop_evaluation_xlsx,
    sop_monitoring,
    sop_monitoring_latest,
    sop_monitoring_pdf,
    sop_monitoring_xlsx,
)
from .timing import sop_timing, sop_timing_xlsx
from .timing_sources import sop_timing_step
from .verification import verification

__all__ = [
    "draft_and_complete",
    "verification",
    "dashboard",
    "home",
    "sop_pdf",
    "sop_evaluation",
    "sop_evaluation_latest",
    "sop_evaluation_revision",
    "sop_evaluation_pdf",
    "sop_evaluation_xlsx",
    "sop_monitoring",
    "sop_monitoring_latest",
    "sop_monitoring_pdf",
    "sop_monitoring_xlsx",
    "sop_timing",
    "sop_timing_xlsx",
    "sop_timing_step",
    "notification_list",
    "notification_open",
    "notification_read_all",
    "archive_list",
    "archive_export_status",
    "archive_export_download",
    "archive_export",
    "archive_download",
    "archive_check",
    "report_analysis",
    "draft_version",
    "draft_pdf",
    "draft_document",
    "draft_create",
    "capaian_preview",
    "evidence_download",
    "evidence_remove",
    "inbox",
    "monev_sheet",
    "report_complete",
    "report_detail",
    "report_list",
    "report_return",
    "report_submit_section",
    "section_data",
    "section_data_reopen",
    "section_sheet_download",
    "section_sheet_upload",
    "sop_detail",
]
