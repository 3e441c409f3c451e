"""The public page a signed document's QR code opens: no login, only what the document itself
prints, and a check of an uploaded copy."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..client_ip import client_ip
from ..models import DocumentSignature
from ..services.verification import check_upload, over_rate_limit
from ..workflow import WorkflowError


class VerificationForm(forms.Form):
    document = forms.FileField(
        label=_("Berkas PDF yang ingin diperiksa"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def _declared_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_not_required
@require_http_methods(["GET", "POST"])
def verification(request, code: str):
    if over_rate_limit(client_ip(request)):
        return render(request, "monev/verification_limited.html", status=429)
    try:
        signature = DocumentSignature.objects.select_related("archived_file").get(code=code)
    except DocumentSignature.DoesNotExist:
        raise Http404 from None
    result = error = None
    if request.method == "POST" and _declared_size(request) > settings.VERIFICATION_MAX_UPLOAD:
        # Refused before the body is parsed: an oversized upload is never read or stored.
        form = VerificationForm()
        error = _("Berkas terlalu besar (paling besar %(mb)s MB).") % {
            "mb": settings.VERIFICATION_MAX_UPLOAD >> 20
        }
    else:
        form = VerificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not error and form.is_valid():
        try:
            result = check_upload(signature, form.cleaned_data["document"])
        except WorkflowError as problem:
            error = str(problem)
    context = {"signature": signature, "form": form, "result": result, "error": error}
    return render(request, "monev/verification.html", context)
