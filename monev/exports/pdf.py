"""The quarterly report as an official PDF document (WeasyPrint).

The HTML comes from ordinary Django templates (``templates/monev/pdf/``) so every piece of user
text is autoescaped; the only stylesheet is ``static/pdf/report.css``. WeasyPrint may load
nothing but ``data:`` URIs and files under the project's ``static/`` directory: user text
cannot make the server fetch a URL or read a file.
"""

from __future__ import annotations

import base64
import datetime
import functools
import mimetypes
import warnings
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import pydyf
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from PIL import ImageFile
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .. import clock
from ..numbers import format_decimal
from ..performance import DEFAULT_BANDS, RatingBand
from ..selectors.office_data import LETTERHEAD_FIELDS, QuarterFigures
from .charts import achievement_chart_svg, svg_data_uri

__all__ = [
    "STATIC_DIR",
    "band_ranges",
    "letterhead",
    "render_report_html",
    "render_report_pdf",
    "safe_url_fetcher",
]

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make the
# evidence upload checks (monev.evidence) accept truncated JPEGs in any process that has built a
# PDF. Our PDFs load no raster images from users, so restore Pillow's strict default.
ImageFile.LOAD_TRUNCATED_IMAGES = False

STATIC_DIR = Path(settings.BASE_DIR) / "static"
TEMPLATE = "monev/pdf/report.html"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _static_root() -> Path:
    return STATIC_DIR.resolve()


def _data_response(url: str) -> URLFetcherResponse:
    """Decode a ``data:[<media type>][;base64],<data>`` URI without any URL opener."""
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise ValueError("malformed data: URI")
    params = header.split(";")
    is_base64 = params[-1].strip().lower() == "base64"
    if is_base64:
        params = params[:-1]
    media_type = ";".join(params).strip() or "text/plain;charset=US-ASCII"
    if is_base64:
        body = base64.b64decode(unquote(payload), validate=False)
    else:
        body = unquote_to_bytes(payload)
    return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})


def _static_file(url: str) -> Path:
    """The file a ``file:`` URL names, if it lies under ``static/``; ValueError otherwise."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused remote file URL: {url}")
    raw = url2pathname(parts.path)  # this also decodes %-escapes
    # Refuse ".." outright, even when it would land back inside static/: no legitimate
    # reference of ours needs it, and it is the usual shape of an escape attempt.
    if ".." in Path(raw).parts:
        raise ValueError(f"refused path with '..': {url}")
    root = _static_root()
    # resolve() follows symlinks, so a link inside static/ pointing elsewhere is refused too.
    path = Path(raw).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ValueError(f"refused file outside static/: {url}")
    return path


def safe_url_fetcher(url: str, *args, **kwargs) -> URLFetcherResponse:
    """Load ``data:`` URIs and files under ``static/``; raise ValueError for anything else.

    WeasyPrint treats the ValueError as a missing resource and renders without it.
    """
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return _data_response(url)
    if scheme == "file":
        path = _static_file(url)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": media_type}
        )
    raise ValueError(f"refused URL: {url[:200]}")


class _SafeFetcher(URLFetcher):
    """WeasyPrint 70 expects a URLFetcher object (it reads its error policy from it)."""

    def fetch(self, url, headers=None):
        return safe_url_fetcher(url)


def band_ranges(bands: Sequence[RatingBand]) -> list[tuple[str, str]]:
    """The predikat bands as printed in the notes: (label, range of capaian)."""
    ordered = sorted(bands or DEFAULT_BANDS, key=lambda band: band.minimum, reverse=True)
    rows = []
    for index, band in enumerate(ordered):
        low = format_decimal(band.minimum)
        if index == 0:
            text = gettext("capaian ≥ %(low)s %%") % {"low": low}
        elif index == len(ordered) - 1:
            text = gettext("capaian < %(high)s %%") % {
                "high": format_decimal(ordered[index - 1].minimum)
            }
        else:
            text = gettext("%(low)s %% ≤ capaian < %(high)s %%") % {
                "low": low,
                "high": format_decimal(ordered[index - 1].minimum),
            }
        rows.append((band.label, text))
    return rows


def letterhead(
    *, regency, office_name, address, postal_code="", phone="", email="", website="", logo=""
) -> dict:
    """The letterhead's lines, the same on the report and the SOP."""
    address_line = address
    if postal_code:
        code = gettext("Kode Pos %(code)s") % {"code": postal_code}
        address_line = f"{address} {code}".strip()
    contacts = [
        gettext("Telepon %(phone)s") % {"phone": phone} if phone else "",
        gettext("Pos-el %(email)s") % {"email": email} if email else "",
        gettext("Laman %(website)s") % {"website": website} if website else "",
    ]
    return {
        "government": gettext("PEMERINTAH %(regency)s") % {"regency": regency.upper()},
        "office": office_name.upper(),
        "address_line": address_line,
        "contact_line": " · ".join(c for c in contacts if c),
        "logo": logo if logo.startswith("data:image/") else "",
    }


def _context(figures, *, draft, version, place, signed_on, analysis, signature=None) -> dict:
    bands = figures.bands or DEFAULT_BANDS
    quarter = ROMAN.get(figures.quarter, str(figures.quarter))
    sections = [
        {"figures": section, "analysis": analysis.get(section.section_id, "")}
        for section in figures.sections
    ]
    chart = achievement_chart_svg(figures.sections) if figures.sections else ""
    budget = figures.budget
    # The whole office's serapan, from the same totals the activities table prints.
    absorption = format_decimal(Decimal(figures.year_spent) * 100 / budget) if budget else None
    title = gettext(
        "Laporan Monitoring dan Evaluasi Kinerja Triwulan %(quarter)s Tahun %(year)s"
    ) % {"quarter": quarter, "year": figures.year}
    return {
        **letterhead(**{name: getattr(figures, name) for name in LETTERHEAD_FIELDS}),
        "author": f"{figures.office_name} {figures.regency}".strip(),
        "subject": f"{title} · {figures.office_name}",
        # W3C date-time with the office's offset: the PDF's CreationDate and xmp:CreateDate.
        "created": timezone.localtime(clock.now()).isoformat(timespec="seconds"),
        "figures": figures,
        "sections": sections,
        "draft": draft,
        "version": int(version) if version is not None else None,
        "quarter_roman": quarter,
        "place": place,
        "signed_on": formats.date_format(signed_on, "j F Y"),
        "chart_uri": svg_data_uri(chart) if chart else "",
        "band_ranges": band_ranges(bands),
        "total_absorption": absorption,
        "signer": figures.signer,
        "signature": signature,
    }


def render_report_html(
    figures: QuarterFigures,
    *,
    draft: bool,
    version: int | None,
    place: str,
    signed_on: datetime.date,
    analysis: dict[int, str],
    signature=None,
) -> str:
    """The HTML the PDF is made from (also useful to look at in a browser or a test).

    ``signature`` (a monev.signing.block.SignatureBlock) prints the electronic signature."""
    with translation.override("id"):
        context = _context(
            figures,
            draft=draft,
            version=version,
            place=place,
            signed_on=signed_on,
            analysis=analysis,
            signature=signature,
        )
        return render_to_string(TEMPLATE, context)


def render_report_pdf(
    figures: QuarterFigures,
    *,
    draft: bool,
    version: int | None,
    place: str,
    signed_on: datetime.date,
    analysis: dict[int, str],
    attachments: Iterable[tuple[str, bytes, str]] = (),
    pdf_a: bool = False,
    signature=None,
) -> bytes:
    """The report as PDF bytes; ``pdf_a`` makes it PDF/A-3b (for the archive).

    ``attachments`` are (file name, content, description), e.g. the E.81 workbook; they are
    embedded either way, and PDF/A-3 is the PDF/A part that allows a non-PDF attachment.
    """
    html = render_report_html(
        figures,
        draft=draft,
        version=version,
        place=place,
        signed_on=signed_on,
        analysis=analysis,
        signature=signature,
    )
    fetcher = _SafeFetcher()
    now = timezone.localtime(clock.now())
    files = [
        weasyprint.Attachment(
            string=content,
            name=name,
            description=description,
            # PDF/A-3 asks how a file relates to the document: the workbook holds the data
            # the tables are drawn from.
            relationship="Data",
            url_fetcher=fetcher,
            created=now,
            modified=now,
        )
        for name, content, description in attachments
    ]
    document = weasyprint.HTML(string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=fetcher)
    finisher = functools.partial(_finish, stamp=now)
    if not pdf_a:
        return document.write_pdf(attachments=files or None, finisher=finisher)
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB output-intent profile for PDF/A and never closes it; the
        # file is dropped (and warned about) inside write_pdf. Nothing of ours leaks here.
        warnings.simplefilter("ignore", ResourceWarning)
        return document.write_pdf(
            attachments=files or None, pdf_variant="pdf/a-3b", finisher=finisher
        )


def pdf_date(moment: datetime.datetime) -> str:
    """A PDF date with the moment's own UTC offset: D:20261005093000+07'00'."""
    offset = moment.strftime("%z") or "+0000"
    return f"D:{moment:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def _finish(document, pdf, *, stamp: datetime.datetime) -> None:
    """Two corrections to WeasyPrint 70's output before it is written.

    It stamps an attachment's dates with "Z" whatever their zone (WIB passed as UTC), and for
    PDF/A-3 it lists each attachment twice in the catalog's /AF (once from the name tree, once
    from the file specification).
    """
    for item in pdf.objects:
        extra = getattr(item, "extra", None)
        if isinstance(extra, dict) and extra.get("Type") == "/EmbeddedFile":
            extra["Params"]["CreationDate"] = pydyf.String(pdf_date(stamp))
            extra["Params"]["ModDate"] = pydyf.String(pdf_date(stamp))
    listed = pdf.catalog.get("AF")
    if listed:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(listed))


def html_to_pdf(html: str) -> bytes:
    """A stored draft version's frozen HTML as PDF, with the same fetcher limits."""
    fetcher = _SafeFetcher()
    return weasyprint.HTML(
        string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=fetcher
    ).write_pdf()
