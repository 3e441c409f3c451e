"""The SOP printed in the PermenPAN-RB 35/2012 layout, as a PDF."""

import re

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from .. import permissions
from ..exports.render_limit import RenderError, render_with_limit
from ..services.rendered import content_digest, rendered_once, stored_pdf_response, text_digest


def pdf_filename(sop) -> str:
    """An ASCII file name from the SOP number: 700/24.a/STR-CS/2025 -> sop-700-24.a-STR-CS-2025."""
    number = re.sub(r"[^A-Za-z0-9.-]+", "-", sop.number).strip("-.") or str(sop.pk)
    revision = f"-rev{sop.revision}" if sop.revision else ""
    return f"sop-{number}{revision}.pdf"


@require_GET
def sop_pdf(request, pk: int | None = None):
    """The office's SOP (the one in force without ``pk``), shown inline in the browser.
    Rendered once per content of the revision: an edit in the admin renders it anew (and the
    PDF of the earlier content goes)."""
    # weasyprint loads only when a PDF is asked for
    from ..exports.sop_pdf import render_sop_pdf, sop_heading

    sop = permissions.get_sop_for(request, pk)
    steps = list(sop.steps.all())
    # The letterhead and the approver (a name, NIP or logo edited elsewhere) key it too.
    heading = sop_heading(sop)
    digest = content_digest(sop, sop.office, *steps) + text_digest(repr(sorted(heading.items())))
    try:
        name = rendered_once(
            f"dokumen/sop/{sop.pk}-{digest}.pdf",
            lambda: render_with_limit(render_sop_pdf, sop, heading),
            replaces=f"dokumen/sop/{sop.pk}-",
        )
    except RenderError as error:
        messages.error(request, str(error))
        return redirect(sop)
    return stored_pdf_response(name, pdf_filename(sop))
