"""PermenPAN-RB 35/2012 review of the SOP: the semiannual monitoring of its execution and the
yearly evaluation, filled from the measured step logs and signed off by the SOP's penilai."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .office import Office
from .sop import Sop


class Half(models.IntegerChoices):
    FIRST = 1, _("Semester I (Januari–Juni)")
    SECOND = 2, _("Semester II (Juli–Desember)")


class SignOff(models.Model):
    """Who signed (paraf) and when; a signed review is frozen."""

    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditandatangani oleh"),
    )
    # Copied, like the step log's names, so renaming the account never rewrites a signature.
    signer_name = models.CharField(_("nama penilai"), max_length=150, blank=True)
    signer_title = models.CharField(_("jabatan penilai"), max_length=150, blank=True)
    signed_at = models.DateTimeField(_("diparaf pada"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class SopMonitoring(SignOff):
    """Monitoring Pelaksanaan SOP AP for one half-year, under one SOP revision."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("kantor")
    )
    sop = models.ForeignKey(Sop, on_delete=models.PROTECT, related_name="+", verbose_name=_("SOP"))
    year = models.PositiveSmallIntegerField(
        _("tahun"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    half = models.PositiveSmallIntegerField(_("semester"), choices=Half.choices)
    # The printed monitoring as the penilai signed it electronically (PAdES), when they did;
    # its print is then these bytes, never rendered again.
    signed_pdf = models.BinaryField(_("PDF bertanda tangan elektronik"), null=True, editable=False)

    class Meta:
        verbose_name = _("monitoring pelaksanaan SOP")
        verbose_name_plural = _("monitoring pelaksanaan SOP")
        ordering = ["office", "-year", "-half"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "half"], name="unique_sop_monitoring")
        ]

    def __str__(self) -> str:
        return f"{self.get_half_display()} {self.year}"


class SopMonitoringRow(models.Model):
    """One procedure step: the evidence it was judged on, the proposal and the penilai's word."""

    monitoring = models.ForeignKey(SopMonitoring, on_delete=models.CASCADE, related_name="rows")
    step_number = models.PositiveSmallIntegerField(_("langkah"))
    step_name = models.CharField(_("prosedur"), max_length=250)
    standard_label = models.CharField(_("waktu baku"), max_length=40, blank=True)
    standard_seconds = models.PositiveIntegerField(null=True, blank=True)
    samples = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    median_seconds = models.PositiveIntegerField(null=True, blank=True)
    slowest_seconds = models.PositiveIntegerField(null=True, blank=True)
    returns = models.PositiveIntegerField(default=0)
    reopenings = models.PositiveIntegerField(default=0)
    proposed_ok = models.BooleanField(null=True)
    is_ok = models.BooleanField(_("berjalan dengan baik"), null=True)
    note = models.TextField(_("catatan hasil penilaian"), blank=True)
    action = models.TextField(_("tindakan yang harus diambil"), blank=True)

    class Meta:
        ordering = ["monitoring", "step_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring", "step_number"], name="unique_sop_monitoring_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.monitoring} · {self.step_number}"


class SopEvaluation(SignOff):
    """The yearly evaluation of the SOP: the regulation's questions answered by the penilai."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("kantor")
    )
    sop = models.ForeignKey(Sop, on_delete=models.PROTECT, related_name="+", verbose_name=_("SOP"))
    year = models.PositiveSmallIntegerField(
        _("tahun"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    # Question key -> {"ok": bool | None, "note": str}; the keys are EVALUATION_QUESTIONS'.
    answers = models.JSONField(_("jawaban"), default=dict)
    conclusion = models.TextField(_("kesimpulan dan rekomendasi"), blank=True)
    # The year's step evidence as it stood at the sign-off (see selectors.sop_review): the
    # signed evaluation and its print keep it even when logs of that year come in later.
    evidence = models.JSONField(_("bukti saat diparaf"), default=list, blank=True, editable=False)
    proposed_sop = models.ForeignKey(
        Sop,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("draf revisi usulan"),
    )

    class Meta:
        verbose_name = _("evaluasi SOP")
        verbose_name_plural = _("evaluasi SOP")
        ordering = ["office", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="unique_sop_evaluation")
        ]

    def __str__(self) -> str:
        return f"{self.year}"
