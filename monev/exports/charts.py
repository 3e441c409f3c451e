"""Server-side SVG charts for the printed report, drawn with pygal.

The SVG carries no JavaScript and links nothing outside itself, so it can be embedded in a PDF
(as a ``data:`` URI) without any network access. pygal escapes the labels it writes.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Sequence
from decimal import Decimal

import pygal
from django.utils.translation import gettext
from pygal.style import Style

from ..numbers import format_decimal
from ..selectors.office_data import SectionFigures

__all__ = ["BAND_COLOURS", "achievement_chart_svg", "svg_data_uri"]

# pygal appends a legacy import hook (for its map plugins, unused here) that has no find_spec;
# Python 3.11 then emits an ImportWarning for every later import that no other finder handles,
# which breaks optional-dependency probes under warnings-as-errors. Drop it.
_legacy_hook = getattr(pygal, "PluginImportFixer", ())
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _legacy_hook)]

# One light, print-friendly colour per RatingBand.css value (the Bootstrap names the bands
# carry); light so the black value printed on the bar stays readable.
BAND_COLOURS = {
    "success": "#81c784",
    "primary": "#64b5f6",
    "info": "#4dd0e1",
    "warning": "#ffb74d",
    "danger": "#e57373",
}
NEUTRAL = "#bdbdbd"
# The report's own fonts: the PDF embeds only fonts that are installed locally.
FONT = "'Liberation Sans', 'DejaVu Sans', sans-serif"

_STYLE = Style(
    # Transparent, so a draft's watermark behind the chart stays visible.
    background="transparent",
    plot_background="transparent",
    foreground="#212121",
    foreground_strong="#000000",
    foreground_subtle="#9e9e9e",
    font_family=FONT,
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=11,
    value_label_font_size=11,
    title_font_size=13,
    # Solid fills: transparency buys nothing on paper and PDF/A viewers differ on it.
    opacity="1",
    opacity_hover="1",
    colors=(NEUTRAL,),
)


def _percent(value) -> str:
    return f"{format_decimal(value, places=2)} %"


def achievement_chart_svg(sections: Sequence[SectionFigures], *, width: int = 720) -> str:
    """A horizontal bar per section: its average capaian, coloured by its predikat.

    Sections without a computable average get no bar (the summary table says why).
    """
    values = []
    for section in sections:
        if section.average is None:
            values.append(None)
            continue
        colour = BAND_COLOURS.get(section.band.css, NEUTRAL) if section.band else NEUTRAL
        values.append({"value": float(section.average), "color": colour})
    top = max((s.average for s in sections if s.average is not None), default=Decimal(100))
    # Leave room right of the longest bar for its printed value.
    upper = float(max(Decimal(100), top) * Decimal("1.15"))
    chart = pygal.HorizontalBar(
        style=_STYLE,
        width=width,
        height=70 + 34 * max(len(sections), 1),
        show_legend=False,
        print_values=True,
        print_values_position="top",
        value_formatter=_percent,
        range=(0, upper),
        y_labels=[0, 25, 50, 75, 100],
        truncate_label=-1,
        # Guide lines would run through the printed values; the axis labels are enough.
        css=("file://style.css", "file://graph.css", "inline:.guide.line{visibility:hidden}"),
        js=[],  # no tooltips script: nothing to fetch, nothing to run
        pretty_print=False,
        margin=8,
        spacing=8,
    )
    # HorizontalBar draws the first label at the bottom; reverse so it reads like the table.
    chart.x_labels = [s.name for s in reversed(sections)]
    chart.add(gettext("Capaian"), list(reversed(values)))
    # A fixed id instead of a random one keeps the output identical for identical figures.
    chart.uuid = "capaian"
    return chart.render(is_unicode=True, disable_xml_declaration=True)


def svg_data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI for an ``<img>`` (the only non-file URL the PDF may load)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
