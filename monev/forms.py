"""Forms for the workflow pages; each carries its crispy layout."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import clock
from .models import Quarter
from .numbers import NumberError, parse_decimal, parse_rupiah
from .validation import (
    MAX_LONG_TEXT,
    MAX_TEXT,
    PHYSICAL_LABEL,
    PHYSICAL_PLACES,
    REALISATION_PLACES,
    SPENT_LABEL,
)


class LoginForm(AuthenticationForm):
    """Django's own message, in its Indonesian catalogue, repeats "nama pengguna" around the
    field's label; ours says it once and keeps the case-sensitivity hint."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil pada keduanya."
        ),
    }


class StepForm(forms.Form):
    """Posts the step the user saw, so a stale page or a double click cannot advance twice."""

    from_step = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # A decision on the draft names the version read and its content hash (SHA-256).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    note = forms.CharField(
        label=_("Catatan (opsional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, submit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.submit_label = submit_label


class SignForm(StepForm):
    """The approval that signs the final document with the official's electronic certificate."""

    passphrase = forms.CharField(
        label=_("Passphrase sertifikat elektronik"),
        required=False,  # the service says what is missing, like every other refusal
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Dokumen akhir ditandatangani secara elektronik (TTE) dengan sertifikat Anda. "
            "Passphrase hanya Anda yang tahu; tidak disimpan."
        ),
    )


class ReturnForm(StepForm):
    note = forms.CharField(
        label=_("Catatan pengembalian"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wajib: jelaskan apa yang harus diperbaiki pada langkah 10."),
        error_messages={"required": _("Catatan pengembalian wajib diisi.")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Catatan pengembalian wajib diisi."))
        return note


def _year_choices():
    this_year = clock.now().year
    return [(year, str(year)) for year in range(this_year + 1, this_year - 6, -1)]


class OpenCycleForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Tahun"), coerce=int, choices=_year_choices)
    quarter = forms.TypedChoiceField(label=_("Triwulan"), coerce=int, choices=Quarter.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = clock.now()
        self.fields["year"].initial = now.year
        self.fields["quarter"].initial = (now.month - 1) // 3 + 1
        self.helper = FormHelper()
        self.helper.form_class = "row row-cols-sm-auto g-2 align-items-end"
        self.helper.add_input(Submit("open", _("Buka siklus triwulan")))


EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files at once; each is checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ParsedNumberField(forms.CharField):
    """A number typed as text and read by one of monev.numbers' parsers; None when blank."""

    inputmode = "decimal"

    @staticmethod
    def parse(text):
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": self.inputmode}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return self.parse(text)
        except NumberError as error:
            raise forms.ValidationError(str(error), code="number") from None


class DecimalTextField(ParsedNumberField):
    """Typed the Indonesian way ("85,5") or the other ("85.5"), with at most ``places``
    decimals, as the Excel path reads it."""

    def __init__(self, *args, places: int, **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)

    def parse(self, text):
        return parse_decimal(text, places=self.places)


class RupiahField(ParsedNumberField):
    """Whole Rupiah ("Rp 1.234.567")."""

    inputmode = "numeric"
    parse = staticmethod(parse_rupiah)


class RealisationForm(forms.Form):
    indicator_id = forms.IntegerField(widget=forms.HiddenInput)
    value = DecimalTextField(label=_("Realisasi"), places=REALISATION_PLACES)
    driving = forms.CharField(
        label=_("Faktor pendorong"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    inhibiting = forms.CharField(
        label=_("Faktor penghambat"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up = forms.CharField(
        label=_("Tindak lanjut"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    files = MultipleFileField(
        label=_("Tambah bukti dukung"),
        required=False,
        help_text=_("PDF, JPEG, PNG, XLSX atau DOCX, paling besar 10 MB per berkas."),
    )


class ActivityForm(forms.Form):
    activity_id = forms.IntegerField(widget=forms.HiddenInput)
    spent = RupiahField(label=SPENT_LABEL)
    physical = DecimalTextField(label=PHYSICAL_LABEL, places=PHYSICAL_PLACES)


RealisationFormSet = forms.formset_factory(RealisationForm, extra=0)
ActivityFormSet = forms.formset_factory(ActivityForm, extra=0)


class SheetUploadForm(forms.Form):
    workbook = forms.FileField(
        label=_("Berkas Excel (.xlsx) yang sudah diisi"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan membuka kembali"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Alasan membuka kembali wajib diisi.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Alasan membuka kembali wajib diisi."))
        return reason


class MonevEntryForm(forms.Form):
    indicator_id = forms.IntegerField(widget=forms.HiddenInput)
    findings = forms.CharField(
        label=_("Hasil monitoring"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    problems = forms.CharField(
        label=_("Permasalahan/kendala"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recommendation = forms.CharField(
        label=_("Rekomendasi"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


MonevFormSet = forms.formset_factory(MonevEntryForm, extra=0)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Komentar"),
        max_length=MAX_LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Komentar tidak boleh kosong.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
