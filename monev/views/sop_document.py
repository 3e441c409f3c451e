"""The SOP printed in the PermenPAN-RB 35/2012 layout, as a PDF."""

import re

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from .. import permissions
from ..exports.render_limit import RenderError, render_with_limit


def pdf_filename(sop) -> str:
    """An ASCII file name from the SOP number: 700/24.a/STR-CS/2025 -> sop-700-24.a-STR-CS-2025."""
    number = re.sub(r"[^A-Za-z0-9.-]+", "-", sop.number).strip("-.") or str(sop.pk)
    revision = f"-rev{sop.revision}" if sop.revision else ""
    return f"sop-{number}{revision}.pdf"


@require_GET
def sop_pdf(request, pk: int | None = None):
    """The office's SOP (the one in force without ``pk``), shown inline in the browser."""
    # weasyprint loads only when a PDF is asked for
    from ..exports.sop_pdf import render_sop_pdf, sop_heading

    sop = permissions.get_sop_for(request, pk)
    try:
        pdf = render_with_limit(render_sop_pdf, sop, sop_heading(sop))
    except RenderError as error:
        messages.error(request, str(error))
        return redirect(sop)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(sop)}"'
    return response
