"""Monitoring Pelaksanaan SOP AP (PermenPAN-RB 35/2012) as a PDF, A4 landscape (WeasyPrint).

The HTML is a Django template, so every text is autoescaped; WeasyPrint loads nothing but
``data:`` URIs and ``static/`` files (the fetcher of ``monev.exports.pdf``).
"""

from __future__ import annotations

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from .pdf import STATIC_DIR, _SafeFetcher

TEMPLATE = "monev/pdf/sop_monitoring.html"


def render_monitoring_html(page, rule: dict) -> str:
    """The document's HTML. Rendered before the PDF's time-limited child process, which may
    not touch the database (the duration labels read the office calendar)."""
    office = page.office
    with translation.override("id"):
        context = {
            "page": page,
            "rule": rule,
            "office": office,
            "government": gettext("PEMERINTAH %(regency)s") % {"regency": office.regency.upper()},
            "office_name": office.name.upper(),
        }
        return render_to_string(TEMPLATE, context)


def render_monitoring_pdf(html: str) -> bytes:
    return weasyprint.HTML(
        string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=_SafeFetcher()
    ).write_pdf()
