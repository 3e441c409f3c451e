"""Performance data: indicators and targets, Renja activities and budgets, and what each
quarterly report records against them."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .office import Office, Section
from .report import Report


class Direction(models.TextChoices):
    HIGHER = "higher", _("Semakin tinggi semakin baik")
    LOWER = "lower", _("Semakin rendah semakin baik")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Dijumlahkan")
    LAST = "last", _("Nilai triwulan terakhir yang terisi")
    AVERAGE = "average", _("Rata-rata triwulan yang terisi")


class ActivityLevel(models.TextChoices):
    PROGRAM = "program", _("Program")
    KEGIATAN = "kegiatan", _("Kegiatan")
    SUB_KEGIATAN = "sub_kegiatan", _("Sub Kegiatan")


def _decimal(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=18, decimal_places=4, null=True, blank=True, **kwargs
    )


class Activity(models.Model):
    """A Renja programme, kegiatan or sub-kegiatan."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="activities", verbose_name=_("kantor")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("seksi penanggung jawab"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("induk"),
    )
    level = models.CharField(_("tingkat"), max_length=15, choices=ActivityLevel.choices)
    code = models.CharField(_("kode"), max_length=40)
    name = models.CharField(_("nama"), max_length=250)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("program/kegiatan Renja")
        verbose_name_plural = _("program/kegiatan Renja")
        ordering = ["office", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="unique_activity_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ActivityBudget(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("kegiatan")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    budget = models.PositiveBigIntegerField(_("pagu (Rp)"))

    class Meta:
        verbose_name = _("pagu anggaran")
        verbose_name_plural = _("pagu anggaran")
        ordering = ["activity", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "year"], name="unique_activity_budget")
        ]

    def __str__(self) -> str:
        return f"{self.activity.code} {self.year}"


class RenstraBudget(models.Model):
    """The Renstra money of a programme, kegiatan or sub-kegiatan as known in one Renja year:
    the pagu planned for the end of the Renstra period and what was spent up to last year.
    These fill the Rp halves of columns (5), (6), (13) and (14) of Formulir E.81."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="renstra_budgets",
        verbose_name=_("program/kegiatan"),
    )
    year = models.PositiveSmallIntegerField(_("tahun Renja"))
    period_budget = models.PositiveBigIntegerField(
        _("pagu akhir periode Renstra (Rp)"),
        help_text=_("Jumlah pagu seluruh periode Renstra (kolom 5 Formulir E.81)."),
    )
    realised_before = models.PositiveBigIntegerField(
        _("realisasi anggaran Renstra s.d. tahun lalu (Rp)"),
        default=0,
        help_text=_(
            "Jumlah realisasi anggaran sejak awal Renstra sampai tahun sebelumnya (kolom 6)."
        ),
    )

    class Meta:
        verbose_name = _("anggaran Renstra")
        verbose_name_plural = _("anggaran Renstra")
        ordering = ["activity", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "year"], name="unique_renstra_budget")
        ]

    def __str__(self) -> str:
        return f"{self.activity.code} {self.year}"


class Indicator(models.Model):
    """An IKU or a programme/activity indicator, owned by one section."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("kantor")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("seksi pemilik"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("program/kegiatan"),
    )
    code = models.CharField(_("kode"), max_length=40)
    name = models.CharField(_("nama indikator"), max_length=300)
    goal = models.CharField(_("sasaran"), max_length=300, blank=True)
    definition = models.TextField(_("definisi/formula"), blank=True)
    unit = models.CharField(_("satuan"), max_length=40)
    direction = models.CharField(
        _("arah"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    aggregation = models.CharField(
        _("cara menghitung tahunan"),
        max_length=10,
        choices=Aggregation.choices,
        help_text=_("Jangan menjumlahkan persentase atau indeks: pilih nilai terakhir."),
    )
    data_source = models.CharField(_("sumber data"), max_length=250, blank=True)
    is_iku = models.BooleanField(_("IKU"), default=False)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        ordering = ["office", "section__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="unique_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorTarget(models.Model):
    """A year's targets for an indicator, with the Renstra figures the E.81 form needs."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indikator")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    annual = _decimal(_("target tahunan"))
    q1 = _decimal(_("target TW I"))
    q2 = _decimal(_("target TW II"))
    q3 = _decimal(_("target TW III"))
    q4 = _decimal(_("target TW IV"))
    renstra_target = _decimal(_("target akhir Renstra"))
    renstra_realised_before = _decimal(_("realisasi Renstra s.d. tahun lalu"))

    class Meta:
        verbose_name = _("target indikator")
        verbose_name_plural = _("target indikator")
        ordering = ["indicator", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="unique_indicator_target")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}"

    def for_quarter(self, quarter: int):
        return getattr(self, f"q{quarter}")


class Realisation(models.Model):
    """An indicator's value in one quarterly report, with the section's explanations."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="realisations")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = _decimal(_("realisasi"))
    driving_factors = models.TextField(_("faktor pendorong"), blank=True)
    inhibiting_factors = models.TextField(_("faktor penghambat"), blank=True)
    follow_up = models.TextField(_("tindak lanjut"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("diubah pada"), null=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("realisasi indikator")
        verbose_name_plural = _("realisasi indikator")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="unique_realisation")
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.indicator.code}"


class RealisationChange(models.Model):
    """One change of a realisation value: who, when, old and new. Append-only."""

    realisation = models.ForeignKey(Realisation, on_delete=models.CASCADE, related_name="changes")
    old_value = _decimal(_("nilai lama"))
    new_value = _decimal(_("nilai baru"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("diubah pada"))
    source = models.CharField(_("sumber"), max_length=20)

    class Meta:
        verbose_name = _("riwayat realisasi")
        verbose_name_plural = _("riwayat realisasi")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.realisation} {self.old_value} → {self.new_value}"


def evidence_path(instance, filename: str) -> str:
    # Never the uploaded name: it could carry a path or an extension that lies.
    return f"bukti/{instance.realisation.report.office_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A supporting document (bukti dukung) for a realisation."""

    realisation = models.ForeignKey(Realisation, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("berkas"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("nama berkas asli"), max_length=200)
    content_type = models.CharField(_("jenis isi"), max_length=100)
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("diunggah pada"))

    class Meta:
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ActivityRealisation(models.Model):
    """A Renja activity's spending and physical progress in one quarterly report."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="activity_realisations"
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    spent = models.PositiveBigIntegerField(
        _("realisasi anggaran triwulan ini (Rp)"), null=True, blank=True
    )
    physical_progress = models.DecimalField(
        _("realisasi fisik s.d. triwulan ini (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("diubah pada"), null=True)

    class Meta:
        verbose_name = _("realisasi kegiatan")
        verbose_name_plural = _("realisasi kegiatan")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "activity"], name="unique_activity_realisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.activity.code}"


class RatingBand(models.Model):
    """A predikat band: achievements at or above `minimum` get this label. Data, not code."""

    minimum = models.DecimalField(_("capaian minimum (%)"), max_digits=6, decimal_places=2)
    label = models.CharField(_("predikat"), max_length=40)
    css = models.CharField(_("warna"), max_length=20, default="secondary")

    class Meta:
        verbose_name = _("predikat capaian")
        verbose_name_plural = _("predikat capaian")
        ordering = ["-minimum"]

    def __str__(self) -> str:
        return f"≥ {self.minimum} {self.label}"


class SheetKind(models.TextChoices):
    DATA = "data", _("Data kinerja triwulan (langkah 2)")
    MONEV = "monev", _("Blangko monev (langkah 5)")


class SectionSheet(models.Model):
    """One section's sheet in a report. Its revision number lets a save from a stale page be
    refused, naming who saved last."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sheets")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("jenis"), max_length=10, choices=SheetKind.choices)
    revision = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("disimpan pada"), null=True)

    class Meta:
        verbose_name = _("lembar seksi")
        verbose_name_plural = _("lembar seksi")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "section", "kind"], name="unique_section_sheet"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.section} · {self.get_kind_display()}"


class MonevEntry(models.Model):
    """The monev sheet (blangko monev) row of one indicator in one report (step 5)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="monev_entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField(_("hasil monitoring"), blank=True)
    problems = models.TextField(_("permasalahan/kendala"), blank=True)
    recommendation = models.TextField(_("rekomendasi"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("diubah pada"), null=True)

    class Meta:
        verbose_name = _("isian blangko monev")
        verbose_name_plural = _("isian blangko monev")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="unique_monev_entry")
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.indicator.code}"
