from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    Activity,
    ActivityBudget,
    Indicator,
    IndicatorTarget,
    Office,
    OfficeHoliday,
    RatingBand,
    RenstraBudget,
    Report,
    Section,
    SigningCertificate,
    Sop,
    SopStep,
    Staff,
    StepLog,
    WorkDay,
    WorkSchedule,
)
from .services.sop_revisions import copy_revision
from .signing.local import revoke_certificate
from .sop_checks import sop_problems


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class HolidayInline(admin.TabularInline):
    model = OfficeHoliday
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "regency", "head_title"]
    search_fields = ["name", "code"]
    inlines = [SectionInline, HolidayInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "regency", "province", "head_title", "place"]}),
        (
            _("Kop dokumen"),
            {"fields": ["address", "postal_code", "phone", "email", "website", "logo"]},
        ),
        (
            _("Cetak"),
            {
                "fields": ["paper_size"],
                # Hours moved to their own page (breaks, dated periods); say where they are.
                "description": _(
                    "Jam kerja, istirahat dan periode seperti Ramadan diatur di menu Jam kerja."
                ),
            },
        ),
    ]


class WorkDayInline(admin.TabularInline):
    model = WorkDay
    extra = 0
    max_num = 7
    verbose_name_plural = _("hari kerja (hari yang tidak dicantumkan adalah hari libur)")


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin):
    """Regular hours and dated periods (Ramadan, a circular). Logged durations keep the hours
    they were measured under; new due times and durations follow the change at once."""

    list_display = ["name", "office", "first_day", "last_day", "basis"]
    list_filter = ["office"]
    inlines = [WorkDayInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "office", "order", "is_active"]
    list_filter = ["office", "is_active"]
    search_fields = ["name", "code"]


@admin.register(OfficeHoliday)
class OfficeHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "office"]
    list_filter = ["office"]
    date_hierarchy = "date"


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "role", "section", "office", "nip", "rank", "job_title"]
    list_filter = ["office", "role", "section"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "nip"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "section", "office"]


class StaffInline(admin.StackedInline):
    model = Staff
    can_delete = False
    extra = 0
    max_num = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffInline]


class SopStepFormSet(BaseInlineFormSet):
    """The steps of one revision, checked as a whole: a revision the engine cannot run is
    refused while it is current or reports run under it."""

    def clean(self):
        super().clean()
        sop = self.instance
        in_use = sop.pk is not None and sop.reports.exists()
        if in_use:
            self._refuse_forged_rows()
        if any(form.errors for form in self.forms) or not (sop.is_active or in_use):
            return
        deleted = set(map(id, self.deleted_forms))
        steps = [
            form.instance
            for index, form in enumerate(self.forms)
            if id(form) not in deleted and (index < self.initial_form_count() or form.has_changed())
        ]
        problems = sop_problems(sop.office, steps) if sop.office_id else []
        if problems:
            problems.insert(
                0,
                _("SOP ini sedang dipakai laporan dan harus tetap dapat dijalankan.")
                if in_use
                else _("SOP yang berlaku harus dapat dijalankan; nonaktifkan dulu bila belum."),
            )
            raise ValidationError(problems)

    def _refuse_forged_rows(self):
        """Rows the page could not offer (added or deleted steps of a revision in use) get an
        error instead of being dropped silently."""
        for form in self.extra_forms:
            if any(self.data.get(form.add_prefix(name)) for name in form.fields if name != "id"):
                raise ValidationError(
                    _(
                        "Revisi ini sudah dipakai laporan: langkah tidak dapat ditambah. "
                        'Buat revisi baru dengan aksi "Buat revisi baru".'
                    )
                )
        for form in self.initial_forms:
            if self.data.get(form.add_prefix("DELETE")):
                raise ValidationError(
                    _(
                        "Revisi ini sudah dipakai laporan: langkah tidak dapat dihapus. "
                        'Buat revisi baru dengan aksi "Buat revisi baru".'
                    )
                )


class SopStepInline(admin.TabularInline):
    model = SopStep
    formset = SopStepFormSet
    extra = 0
    fields = [
        "number",
        "name",
        "role",
        "kind",
        "return_to",
        "requires_all_sections",
        "requires_new_version",
        "requires_analysis",
        "reopen_role",
        "standard_amount",
        "standard_unit",
        "equipment",
        "output",
        "action_label",
        "signs_document",
    ]

    # Fourteen columns: narrow inputs keep the table within a laptop screen.
    WIDTHS = {"number": 2, "standard_amount": 3, "return_to": 2, "name": 28}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, forms.TextInput | forms.NumberInput):
            size = self.WIDTHS.get(db_field.name, 16)
            field.widget.attrs.update(size=size, style=f"width: {size + 2}ch")
        return field

    # Reports point at step numbers: once a revision is in use its steps may change role,
    # time or wording, but not be renumbered, added or removed (make a new revision instead).
    def get_readonly_fields(self, request, obj=None):
        return ["number"] if obj is not None and obj.reports.exists() else []

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.reports.exists()

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.reports.exists()


@admin.register(Sop)
class SopAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "revision", "office", "approved_on", "is_active"]
    list_filter = ["office", "is_active"]
    inlines = [SopStepInline]
    actions = ["new_revision"]

    @admin.action(description=_("Buat revisi baru dari SOP terpilih"))
    def new_revision(self, request, queryset):
        """Copy a revision with its steps, so edits never rewrite reports already under way."""
        created = 0
        for sop in queryset:
            copy_revision(sop)
            created += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d revisi baru dibuat. Isi tanggal revisinya lalu ubah langkahnya.",
                "%(count)d revisi baru dibuat. Isi tanggal revisinya lalu ubah langkahnya.",
                created,
            )
            % {"count": created},
            messages.SUCCESS,
        )


class StepLogInline(admin.TabularInline):
    model = StepLog
    extra = 0
    can_delete = False
    fields = ["step_number", "action", "section", "actor", "finished_at", "on_time", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports change only through the workflow; the admin may look, not edit."""

    list_display = ["__str__", "office", "current_step", "archived_at"]
    list_filter = ["office", "year", "quarter"]
    inlines = [StepLogInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfficeScopedAdmin(admin.ModelAdmin):
    """For office staff given admin access (the Kasubag PKP): only their own office's rows,
    and only their office's sections and activities to choose from."""

    office_path = "office"

    def _office(self, request):
        staff = getattr(request.user, "staff", None)
        return None if request.user.is_superuser or staff is None else staff.office

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        office = self._office(request)
        return queryset if office is None else queryset.filter(**{self.office_path: office})

    def get_list_filter(self, request):
        """Filters by a related row (office, section) offer only the rows this user's list
        holds: the plain filter would list every office's names."""
        filters = super().get_list_filter(request)
        if self._office(request) is None:
            return filters
        related = {f.name for f in self.model._meta.get_fields() if f.is_relation}
        return [
            (name, admin.RelatedOnlyFieldListFilter)
            if isinstance(name, str) and name in related
            else name
            for name in filters
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        office = self._office(request)
        if office is not None:
            if db_field.name == "office":
                kwargs["queryset"] = Office.objects.filter(pk=office.pk)
            elif db_field.name == "section":
                kwargs["queryset"] = Section.objects.filter(office=office)
            elif db_field.name in ("activity", "parent"):
                kwargs["queryset"] = Activity.objects.filter(office=office)
            elif db_field.name == "indicator":
                kwargs["queryset"] = Indicator.objects.filter(office=office)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 1
    fields = ["year", "annual", "q1", "q2", "q3", "q4", "renstra_target", "renstra_realised_before"]


@admin.register(Indicator)
class IndicatorAdmin(OfficeScopedAdmin):
    list_display = ["code", "name", "section", "unit", "direction", "aggregation", "is_iku"]
    list_filter = ["office", "section", "is_iku", "direction", "aggregation", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["section"]
    inlines = [TargetInline]


class BudgetInline(admin.TabularInline):
    model = ActivityBudget
    extra = 1


class RenstraBudgetInline(admin.TabularInline):
    model = RenstraBudget
    extra = 1
    fields = ["year", "period_budget", "realised_before"]


@admin.register(Activity)
class ActivityAdmin(OfficeScopedAdmin):
    list_display = ["code", "name", "level", "section"]
    list_filter = ["office", "level", "section"]
    search_fields = ["code", "name"]
    list_select_related = ["section"]
    inlines = [BudgetInline, RenstraBudgetInline]


@admin.register(RenstraBudget)
class RenstraBudgetAdmin(OfficeScopedAdmin):
    """The Renstra money per programme/kegiatan and Renja year (E.81 columns 5, 6, 13, 14);
    many rows at once: ``manage.py import_renstra_budget``."""

    office_path = "activity__office"
    list_display = ["activity", "year", "period_budget", "realised_before"]
    list_filter = ["year", "activity__level"]
    search_fields = ["activity__code", "activity__name"]
    list_select_related = ["activity"]


@admin.register(RatingBand)
class RatingBandAdmin(admin.ModelAdmin):
    list_display = ["minimum", "label", "css"]


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    """Certificates are issued by `manage.py tte_terbitkan` (the official types the passphrase);
    here they are only listed and, if need be, revoked."""

    list_display = ["name", "nip", "job_title", "serial_number", "not_after", "revoked_at"]
    list_filter = ["authority", "revoked_at"]
    search_fields = ["name", "nip", "serial_number"]
    fields = list_display
    readonly_fields = list_display
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cabut sertifikat terpilih"))
    def revoke(self, request, queryset):
        for certificate in queryset.filter(revoked_at__isnull=True):
            revoke_certificate(certificate)
        self.message_user(request, _("Sertifikat terpilih telah dicabut."), messages.SUCCESS)
