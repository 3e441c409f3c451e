"""The period filter shared by Waktu SOP, its step sources and its workbook, so that all of
them read the same figures for the same query."""

from django import forms
from django.utils.translation import gettext_lazy

from .. import clock, permissions
from ..listing import query_quarter, query_year
from ..models import Quarter, Report
from ..selectors.timing import timing_summary


class TimingFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=gettext_lazy("Tahun"),
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Triwulan"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", gettext_lazy("Semua triwulan")), *Quarter.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data, *, years: list[int]):
        super().__init__(data)
        self.fields["year"].choices = [(year, year) for year in years]


def load_timing_period(request):
    """The staff member (403 unless their role sees Waktu SOP), the filter form and the
    summary for the chosen period."""
    staff = permissions.page_staff(request, permissions.Page.VIEW_TIMING)
    years = set(
        Report.objects.filter(office=staff.office)
        .order_by()  # the model's ordering would make DISTINCT run over (year, quarter)
        .values_list("year", flat=True)
        .distinct()
    )
    default_year = max(years) if years else clock.now().year
    years = sorted(years | {default_year}, reverse=True)
    # Always bound, so a link that only sorts still reads as the default period; the form
    # only checks the year is one the office has.
    data = {
        "year": _bound(request, "year", query_year(request.GET), default_year),
        "quarter": _bound(request, "quarter", query_quarter(request.GET), ""),
    }
    form = TimingFilterForm(data, years=years)
    year, quarter = default_year, None
    if form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    return staff, form, timing_summary(staff.office, year, quarter)


def _bound(request, name: str, value: int | None, default) -> object:
    """The form's value: what the query meant; a value given but not understood becomes one
    the form refuses, so the page says it shows the default period instead."""
    if value is not None:
        return value
    return "?" if request.GET.get(name) else default
