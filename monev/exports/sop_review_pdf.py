"""Monitoring Pelaksanaan SOP AP and the yearly Evaluasi SOP (PermenPAN-RB 35/2012) as PDFs
(WeasyPrint): the monitoring A4 landscape, the evaluation A4 portrait.

The HTML is a Django template, so every text is autoescaped; WeasyPrint loads nothing but
``data:`` URIs and ``static/`` files (the fetcher of ``monev.exports.pdf``).
"""

from __future__ import annotations

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from .pdf import STATIC_DIR, _SafeFetcher


def _render(template: str, office, **context) -> str:
    # Rendered before the PDF's time-limited child process, which may not touch the database
    # (the duration labels read the office calendar).
    with translation.override("id"):
        context.update(
            office=office,
            government=gettext("PEMERINTAH %(regency)s") % {"regency": office.regency.upper()},
            office_name=office.name.upper(),
        )
        return render_to_string(template, context)


def render_monitoring_html(page, rule: dict, tte=None) -> str:
    """``tte``: the SignerIdentity when the penilai signs the document electronically."""
    return _render("monev/pdf/sop_monitoring.html", page.office, page=page, rule=rule, tte=tte)


def render_evaluation_html(page, rule: dict, proposal_rule: dict) -> str:
    """The evaluation with the monitoring evidence it rests on (both half-years' penilaian
    and the year's step times) and the proposed standard times."""
    return _render(
        "monev/pdf/sop_evaluation.html",
        page.office,
        page=page,
        questions=page.questions(),
        rule=rule,
        proposal_rule=proposal_rule,
    )


def render_review_pdf(html: str) -> bytes:
    return weasyprint.HTML(
        string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=_SafeFetcher()
    ).write_pdf()
