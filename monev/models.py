"""Offices, their staff, the SOP as data, and the quarterly reports that run through it."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CAMAT = "camat", _("Camat")
    SEKRETARIS = "sekretaris", _("Sekretaris")
    KASUBAG_PKP = "kasubag_pkp", _("Kasubag PKP")
    KEPALA_SEKSI = "kepala_seksi", _("Kepala Seksi")
    ADMIN = "admin", _("Admin")


class Quarter(models.IntegerChoices):
    TW1 = 1, _("Triwulan I")
    TW2 = 2, _("Triwulan II")
    TW3 = 3, _("Triwulan III")
    TW4 = 4, _("Triwulan IV")


class Office(models.Model):
    code = models.SlugField(_("kode"), unique=True)
    name = models.CharField(_("nama"), max_length=120)
    regency = models.CharField(_("kabupaten"), max_length=120)
    province = models.CharField(_("provinsi"), max_length=120, blank=True)
    address = models.CharField(_("alamat"), max_length=250, blank=True)
    head_title = models.CharField(
        _("jabatan pimpinan"), max_length=120, help_text=_("Misalnya: Camat Sutera")
    )
    work_day_start = models.TimeField(_("jam kerja mulai"), default=datetime.time(7, 30))
    work_day_end = models.TimeField(_("jam kerja selesai"), default=datetime.time(16, 0))

    class Meta:
        verbose_name = _("kantor kecamatan")
        verbose_name_plural = _("kantor kecamatan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.work_day_start and self.work_day_end and self.work_day_end <= self.work_day_start:
            raise ValidationError(
                {"work_day_end": _("Jam kerja selesai harus setelah jam kerja mulai.")}
            )


class OfficeHoliday(models.Model):
    """A day off that the national calendar does not know (a local holiday, an office closure)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("kantor")
    )
    date = models.DateField(_("tanggal"))
    name = models.CharField(_("keterangan"), max_length=120)

    class Meta:
        verbose_name = _("hari libur kantor")
        verbose_name_plural = _("hari libur kantor")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["office", "date"], name="unique_office_holiday")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.name}"


class Section(models.Model):
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="sections", verbose_name=_("kantor")
    )
    code = models.SlugField(_("kode"))
    name = models.CharField(_("nama"), max_length=120)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("seksi")
        verbose_name_plural = _("seksi")
        ordering = ["office", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="unique_section_code")
        ]

    def __str__(self) -> str:
        return self.name


nip_validator = RegexValidator(r"^\d{18}$", _("NIP terdiri dari 18 angka."))


class Staff(models.Model):
    """A user's place in an office: one role, and for a Kepala Seksi one section."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("pengguna"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="staff", verbose_name=_("kantor")
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("seksi"),
    )
    nip = models.CharField(_("NIP"), max_length=18, blank=True, validators=[nip_validator])
    job_title = models.CharField(_("jabatan"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["office", "role", "user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def clean(self):
        if self.role == Role.KEPALA_SEKSI and not self.section_id:
            raise ValidationError({"section": _("Kepala Seksi harus memiliki seksi.")})
        if self.role != Role.KEPALA_SEKSI and self.section_id:
            raise ValidationError({"section": _("Hanya Kepala Seksi yang terikat pada seksi.")})
        if self.section_id and self.office_id and self.section.office_id != self.office_id:
            raise ValidationError({"section": _("Seksi harus berada di kantor yang sama.")})


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


class StepLog(models.Model):
    """What happened at a step: who, when, how long, against which standard. Append-only.

    Step name, role and standard time are copied in so that later SOP revisions cannot
    rewrite the history of a report.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="logs")
    step_number = models.PositiveSmallIntegerField(_("langkah"))
    step_name = models.CharField(_("uraian prosedur"), max_length=250)
    role = models.CharField(_("pelaksana"), max_length=20, choices=Role.choices)
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("tindakan"), max_length=10, choices=LogAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("mulai"))
    finished_at = models.DateTimeField(_("selesai"))
    wall_seconds = models.PositiveIntegerField(_("durasi (jam dinding)"), default=0)
    working_seconds = models.PositiveIntegerField(_("durasi (jam kerja)"), default=0)
    standard_seconds = models.PositiveIntegerField(_("waktu baku (detik kerja)"), null=True)
    standard_label = models.CharField(_("waktu baku"), max_length=40, blank=True)
    on_time = models.BooleanField(_("tepat waktu"), null=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("log langkah")
        verbose_name_plural = _("log langkah")
        ordering = ["finished_at", "id"]
        indexes = [models.Index(fields=["report", "step_number"])]

    def __str__(self) -> str:
        return f"{self.report} · {self.step_number} · {self.get_action_display()}"
