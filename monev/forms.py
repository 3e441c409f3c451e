"""Forms for the workflow pages; each carries its crispy layout."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from . import clock
from .models import Quarter


class StepForm(forms.Form):
    """Posts the step the user saw, so a stale page or a double click cannot advance twice."""

    from_step = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Catatan (opsional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, submit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.submit_label = submit_label


class ReturnForm(StepForm):
    note = forms.CharField(
        label=_("Catatan pengembalian"),
        max_length=2000,
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
