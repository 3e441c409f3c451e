"""Quarterly reports running through the SOP, section submissions and the step log."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .office import Office, Role, Section
from .sop import Sop, SopStep


class Quarter(models.IntegerChoices):
    TW1 = 1, _("Triwulan I")
    TW2 = 2, _("Triwulan II")
    TW3 = 3, _("Triwulan III")
    TW4 = 4, _("Triwulan IV")


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """(year, triwulan) of a date."""
    return day.year, (day.month - 1) // 3 + 1


class Report(models.Model):
    """One office's performance report for one triwulan; its state is the SOP step it is in."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="reports", verbose_name=_("kantor")
    )
    year = models.PositiveSmallIntegerField(
        _("tahun"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(_("triwulan"), choices=Quarter.choices)
    sop = models.ForeignKey(
        Sop, on_delete=models.PROTECT, related_name="reports", verbose_name=_("SOP")
    )
    current_step = models.PositiveSmallIntegerField(_("langkah saat ini"), default=1)
    step_started_at = models.DateTimeField(_("langkah dimulai"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dibuka oleh"),
    )
    opened_at = models.DateTimeField(_("dibuka pada"))
    archived_at = models.DateTimeField(_("diarsipkan pada"), null=True, blank=True)
    # Counts the changes of what the report page shows besides the fields above (log entries,
    # submissions, draft versions, the SOP's wording): its cached history is keyed on it.
    revision = models.PositiveBigIntegerField(_("revisi tampilan"), default=0, editable=False)

    class Meta:
        verbose_name = _("laporan triwulan")
        verbose_name_plural = _("laporan triwulan")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "quarter"], name="unique_report_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return _("Laporan %(quarter)s %(year)s") % {
            "quarter": self.get_quarter_display(),
            "year": self.year,
        }

    def get_absolute_url(self) -> str:
        return reverse("monev:report_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @cached_property
    def steps(self) -> list[SopStep]:
        """The SOP's steps in order. Selectors may set them (prefetched or from the cache)."""
        return sorted(self.sop.steps.all(), key=lambda step: step.number)


class SectionSubmission(models.Model):
    """A section's part of a per-section step (2 and 5), handed in by its Kepala Seksi."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="submissions")
    step_number = models.PositiveSmallIntegerField(_("langkah"))
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("dikirim pada"))

    class Meta:
        verbose_name = _("kiriman seksi")
        verbose_name_plural = _("kiriman seksi")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "step_number", "section"], name="unique_section_submission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.step_number} · {self.section}"


class LogAction(models.TextChoices):
    OPEN = "open", _("Membuka siklus")
    COMPLETE = "complete", _("Menyelesaikan langkah")
    SUBMIT = "submit", _("Mengirim bagian seksi")
    RETURN = "return", _("Mengembalikan draf")
    REOPEN = "reopen", _("Membuka kembali data seksi")
    RESUBMIT = "resubmit", _("Mengirim ulang data seksi")


class StepLog(models.Model):
    """What happened at a step: who, when, how long, against which standard. Append-only.

    Step name, role and standard time are copied in so that later SOP revisions cannot
    rewrite the history of a report; so is the actor's name, so that renaming a user account
    does not rename who acted in an approved record.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="logs")
    step_number = models.PositiveSmallIntegerField(_("langkah"))
    step_name = models.CharField(_("uraian prosedur"), max_length=250)
    # The step's identity across SOP revisions (SopStep.key): Waktu SOP groups history by it.
    step_key = models.UUIDField(_("identitas langkah"), null=True, blank=True)
    role = models.CharField(_("pelaksana"), max_length=20, choices=Role.choices)
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("tindakan"), max_length=10, choices=LogAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("nama pelaksana"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("mulai"))
    finished_at = models.DateTimeField(_("selesai"))
    wall_seconds = models.PositiveIntegerField(_("durasi (jam dinding)"), default=0)
    working_seconds = models.PositiveIntegerField(_("durasi (jam kerja)"), default=0)
    standard_seconds = models.PositiveIntegerField(_("waktu baku (detik kerja)"), null=True)
    standard_label = models.CharField(_("waktu baku"), max_length=40, blank=True)
    on_time = models.BooleanField(_("tepat waktu"), null=True)
    note = models.TextField(_("catatan"), blank=True)
    # SHA-256 over this entry's canonical fields and the previous entry's hash (monev.log_chain).
    entry_hash = models.CharField(_("hash riwayat"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("log langkah")
        verbose_name_plural = _("log langkah")
        ordering = ["finished_at", "id"]
        indexes = [models.Index(fields=["report", "step_number"])]

    def __str__(self) -> str:
        return f"{self.report} · {self.step_number} · {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.entry_hash:
            from ..log_chain import chain_new_entry

            chain_new_entry(self)
        super().save(*args, **kwargs)
