"""The domain's tables, one module per concern."""

from .office import Office, OfficeHoliday, Role, Section, Staff, nip_validator
from .report import LogAction, Quarter, Report, SectionSubmission, StepLog
from .sop import Sop, SopStep, StepKind, TimeUnit

__all__ = [
    "LogAction",
    "Office",
    "OfficeHoliday",
    "Quarter",
    "Report",
    "Role",
    "Section",
    "SectionSubmission",
    "Sop",
    "SopStep",
    "Staff",
    "StepKind",
    "StepLog",
    "TimeUnit",
    "nip_validator",
]
