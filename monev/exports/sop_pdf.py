"""The SOP as a PDF in the PermenPAN-RB 35/2012 layout (WeasyPrint, A4 landscape).

First the identity table, then the procedure table whose "Pelaksana" columns hold the flowchart
drawn by ``sop_flowchart`` from the steps in the database. The HTML is a Django template, so all
SOP text is autoescaped; WeasyPrint loads nothing but ``data:`` URIs and ``static/`` files
(the fetcher of ``monev.exports.pdf``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation

from ..models import Role, Staff
from ..selectors.office_data import letterhead_values
from .pdf import STATIC_DIR, _SafeFetcher, letterhead
from .sop_flowchart import ROW_HEIGHT, Drop, FlowLayout, build_layout, geometry_for, row_drawings

__all__ = ["render_sop_html", "render_sop_pdf", "sop_heading"]

TEMPLATE = "monev/pdf/sop.html"

# Column widths in points. They add up to the printable width of an A4 landscape page with the
# 1.5 cm side margins of static/pdf/sop.css (841.9 - 2 x 42.5), so the fixed table layout keeps
# them exactly and the flowchart drawn for LANES_WIDTH lines up with the lane headers.
TABLE_WIDTH = 756.0
NUMBER_WIDTH = 22.0
EQUIPMENT_WIDTH = 100.0
TIME_WIDTH = 46.0
OUTPUT_WIDTH = 96.0
REMARK_WIDTH = 48.0
LANES_WIDTH = 300.0
MAX_LANE_WIDTH = 110.0  # few lanes: the description gets the rest

# A 1x1 black square; stretched by background-size it is a line of any length. (WeasyPrint 70
# ignores background-size on gradients, so a gradient cannot be used for this.)
_LINE = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1" viewBox="0 0 1 1" '
    b'preserveAspectRatio="none"><rect width="1" height="1" fill="#000"/></svg>'
).decode("ascii")
LINE_URI = f"data:image/svg+xml;base64,{_LINE}"


def _pt(value: float) -> str:
    """A CSS length; formatted here because the template would localise the decimal point."""
    return f"{value:.2f}pt"


def _drop_style(drops: Sequence[Drop]) -> str:
    """Background lines running from each drop down to the bottom of the cell."""
    if not drops:
        return ""
    images = ", ".join(f"url({LINE_URI})" for _ in drops)
    positions = ", ".join(f"{_pt(d.x - d.width / 2)} {_pt(d.y)}" for d in drops)
    sizes = ", ".join(f"{_pt(d.width)} 100%" for d in drops)
    return (
        f"background-image: {images}; background-repeat: no-repeat; "
        f"background-position: {positions}; background-size: {sizes}"
    )


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _steps(sop) -> list:
    return sorted(sop.steps.all(), key=lambda step: step.number)


def sop_heading(sop) -> dict:
    """The letterhead and the "Disahkan oleh" block: read before the render, which runs in a
    child process that may not touch the database."""
    office = sop.office
    return {
        **letterhead(**letterhead_values(office)),
        "place": office.place or office.name,
        "approver": _approver(office),
    }


def _context(sop, steps: Sequence, layout: FlowLayout, heading: dict) -> dict:
    geo = geometry_for(layout, LANES_WIDTH, MAX_LANE_WIDTH)
    drawings = row_drawings(layout, geo)
    keep = layout.loop_rows()
    rows = [
        {
            "step": step,
            "index": index,
            "flow_uri": _svg_uri(drawing.svg),
            "flow_style": _drop_style(drawing.drops),
            "keep": index in keep,
        }
        for index, (step, drawing) in enumerate(zip(steps, drawings, strict=True))
    ]
    fixed = NUMBER_WIDTH + EQUIPMENT_WIDTH + TIME_WIDTH + OUTPUT_WIDTH + REMARK_WIDTH
    return {
        "sop": sop,
        **heading,
        "lanes": layout.lanes,
        "rows": rows,
        "widths": {
            "table": _pt(TABLE_WIDTH),
            "number": _pt(NUMBER_WIDTH),
            "name": _pt(TABLE_WIDTH - fixed - geo.width),
            "lane": _pt(geo.lane_width),
            "flow": _pt(geo.width),
            "row": _pt(ROW_HEIGHT),
            "equipment": _pt(EQUIPMENT_WIDTH),
            "time": _pt(TIME_WIDTH),
            "output": _pt(OUTPUT_WIDTH),
            "remark": _pt(REMARK_WIDTH),
        },
    }


def _approver(office):
    """The office head who signs the SOP: name, pangkat/golongan and NIP (None if unknown)."""
    staff = (
        Staff.objects.filter(office=office, role=Role.CAMAT)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if staff is None:
        return None
    return {
        "name": staff.user.get_full_name() or staff.user.get_username(),
        "rank": staff.rank,
        "nip": staff.nip,
    }


def _html(sop, steps: Sequence, layout: FlowLayout, heading: dict) -> str:
    return render_to_string(TEMPLATE, _context(sop, steps, layout, heading))


def render_sop_html(sop, heading: dict | None = None) -> str:
    """The SOP document's HTML, without off-page connectors (those need the PDF's pages)."""
    with translation.override("id"):
        steps = _steps(sop)
        return _html(sop, steps, build_layout(steps), heading or sop_heading(sop))


def _document(html: str):
    return weasyprint.HTML(
        string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=_SafeFetcher()
    ).render()


def _page_starts(document, row_count: int) -> frozenset[int]:
    """The procedure rows that begin a new page, read from the rows' anchors (id="langkah-N")."""
    page_of = {}
    for page_number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("langkah-"):
                page_of.setdefault(int(anchor.removeprefix("langkah-")), page_number)
    return frozenset(row for row in range(1, row_count) if page_of.get(row) != page_of.get(row - 1))


def render_sop_pdf(sop, heading: dict | None = None) -> bytes:
    """The SOP document as PDF bytes.

    Laid out twice: the first pass shows where the procedure table breaks across pages, the
    second draws the off-page connectors there. Every row reserves the connectors' room, so the
    second pass breaks at the same rows.
    """
    with translation.override("id"):
        heading = heading or sop_heading(sop)
        steps = _steps(sop)
        layout = build_layout(steps)
        document = _document(_html(sop, steps, layout, heading))
        starts = _page_starts(document, len(steps))
        if starts:
            layout = layout.with_page_breaks(starts)
            document = _document(_html(sop, steps, layout, heading))
        return document.write_pdf()
