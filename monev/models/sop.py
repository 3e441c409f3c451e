"""The SOP as data: each revision with its procedure steps."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .office import Office, Role


class Sop(models.Model):
    """One revision of an office's SOP. Reports point at the revision they run under."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="sops", verbose_name=_("kantor")
    )
    number = models.CharField(_("nomor SOP"), max_length=60)
    revision = models.PositiveSmallIntegerField(_("revisi ke"), default=0)
    name = models.CharField(_("nama SOP"), max_length=200)
    created_on = models.DateField(_("tanggal pembuatan"))
    revised_on = models.DateField(_("tanggal revisi"), null=True, blank=True)
    approved_on = models.DateField(_("tanggal pengesahan"))
    approved_by = models.CharField(_("disahkan oleh"), max_length=120)
    legal_basis = models.TextField(_("dasar hukum"), help_text=_("Satu dasar hukum per baris."))
    qualifications = models.TextField(_("kualifikasi pelaksana"), help_text=_("Satu per baris."))
    related_sops = models.TextField(_("keterkaitan"), blank=True, help_text=_("Satu per baris."))
    equipment = models.TextField(_("peralatan/perlengkapan"), help_text=_("Satu per baris."))
    warning = models.TextField(_("peringatan"))
    recording = models.TextField(_("pencatatan dan pendataan"))
    is_active = models.BooleanField(
        _("berlaku"), default=True, help_text=_("Laporan baru memakai revisi berlaku terbaru.")
    )
    reviewer_role = models.CharField(
        _("penilai monitoring dan evaluasi"),
        max_length=20,
        choices=Role.choices,
        default=Role.SEKRETARIS,
        help_text=_("Peran yang menilai dan memaraf monitoring semesteran dan evaluasi SOP."),
    )

    class Meta:
        verbose_name = _("SOP")
        verbose_name_plural = _("SOP")
        ordering = ["office", "number", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "number", "revision"], name="unique_sop_revision"
            )
        ]

    def __str__(self) -> str:
        return _("%(name)s (revisi %(revision)s)") % {"name": self.name, "revision": self.revision}

    def get_absolute_url(self) -> str:
        return reverse("monev:sop_detail", args=[self.pk])

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def legal_basis_list(self) -> list[str]:
        return self._lines(self.legal_basis)

    def qualifications_list(self) -> list[str]:
        return self._lines(self.qualifications)

    def related_sops_list(self) -> list[str]:
        return self._lines(self.related_sops)

    def equipment_list(self) -> list[str]:
        return self._lines(self.equipment)


class StepKind(models.TextChoices):
    START = "start", _("Mulai")
    PROCESS = "process", _("Proses")
    DECISION = "decision", _("Keputusan")
    END = "end", _("Selesai")


class TimeUnit(models.TextChoices):
    MINUTE = "menit", _("menit")
    HOUR = "jam", _("jam")
    DAY = "hari", _("hari")
    WEEK = "minggu", _("minggu")


class SopStep(models.Model):
    """One row of the SOP's procedure table; the workflow engine reads these, not code."""

    sop = models.ForeignKey(
        Sop, on_delete=models.CASCADE, related_name="steps", verbose_name=_("SOP")
    )
    number = models.PositiveSmallIntegerField(_("nomor"))
    name = models.CharField(_("uraian prosedur"), max_length=250)
    role = models.CharField(_("pelaksana"), max_length=20, choices=Role.choices)
    kind = models.CharField(
        _("jenis"), max_length=10, choices=StepKind.choices, default=StepKind.PROCESS
    )
    per_section = models.BooleanField(
        _("per seksi"),
        default=False,
        help_text=_("Setiap seksi mengirim bagiannya; langkah selesai bila semua seksi mengirim."),
    )
    sheet = models.CharField(
        _("lembar isian seksi"),
        max_length=10,
        blank=True,
        choices=[("data", _("Data kinerja triwulan")), ("monev", _("Blangko monev"))],
        help_text=_("Untuk langkah per seksi: lembar yang harus lengkap sebelum seksi mengirim."),
    )
    drafts_report = models.BooleanField(
        _("menghasilkan draf laporan"),
        default=False,
        help_text=_("Setelah langkah ini selesai, data seksi tidak dapat dibuka kembali."),
    )
    signs_document = models.BooleanField(
        _("menandatangani dokumen secara elektronik"),
        default=False,
        help_text=_(
            "Menyelesaikan langkah ini menandatangani dokumen akhir dengan sertifikat elektronik "
            "pelaksananya (TTE)."
        ),
    )
    standard_amount = models.PositiveSmallIntegerField(
        _("waktu baku"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    standard_unit = models.CharField(
        _("satuan waktu"), max_length=10, choices=TimeUnit.choices, blank=True
    )
    equipment = models.CharField(_("kelengkapan dan peralatan"), max_length=250, blank=True)
    output = models.CharField(_("output"), max_length=250, blank=True)
    remark = models.CharField(_("keterangan"), max_length=250, blank=True)
    action_label = models.CharField(
        _("label tombol"), max_length=80, help_text=_("Misalnya: Selesai dan teruskan")
    )
    return_to = models.PositiveSmallIntegerField(
        _("kembali ke langkah"),
        null=True,
        blank=True,
        help_text=_("Untuk langkah keputusan: langkah tujuan bila draf dikembalikan."),
    )

    class Meta:
        verbose_name = _("langkah SOP")
        verbose_name_plural = _("langkah SOP")
        ordering = ["sop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["sop", "number"], name="unique_sop_step_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    def clean(self):
        if bool(self.standard_amount) != bool(self.standard_unit):
            raise ValidationError(
                {"standard_unit": _("Isi waktu baku beserta satuannya, atau kosongkan keduanya.")}
            )
        if self.return_to is not None and self.return_to >= self.number:
            raise ValidationError(
                {"return_to": _("Langkah tujuan pengembalian harus sebelum langkah ini.")}
            )
        if self.per_section and self.role != Role.KEPALA_SEKSI:
            raise ValidationError(
                {"per_section": _("Langkah per seksi harus dilaksanakan oleh Kepala Seksi.")}
            )

    @property
    def standard_label(self) -> str:
        if not self.standard_amount:
            return ""
        return f"{self.standard_amount} {self.get_standard_unit_display()}"
