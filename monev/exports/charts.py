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


# --- The Dasbor's charts ----------------------------------------------------------------------
# Plain numbers in, SVG out: the Dasbor view passes its selector's figures, and every chart is
# shown beside a table holding the same numbers (the table is what a screen reader reads).

TRIWULAN = ("TW I", "TW II", "TW III", "TW IV")
# Budget against physical progress: two series, told apart by the legend (not rating colours).
ABSORPTION_COLOURS = ("#7986cb", "#4db6ac")


def _strip_scripts(root):
    """pygal writes a <script> holding its tooltip config even with ``js=[]``; drop it, so the
    SVG holds nothing that could run whether it is inlined, put in an <img> or printed. The
    comments go too: one carries the render date, and identical figures should give an
    identical SVG."""
    for parent in list(root.iter()):
        for child in list(parent):
            # Comments and processing instructions have a callable, not a string, as tag.
            if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _render(chart, uuid: str) -> str:
    chart.add_xml_filter(_strip_scripts)
    chart.uuid = uuid  # fixed, so identical figures give an identical SVG
    return chart.render(is_unicode=True, disable_xml_declaration=True)


def _band_point(percent, band) -> dict | None:
    if percent is None:
        return None
    colour = BAND_COLOURS.get(band.css, NEUTRAL) if band else NEUTRAL
    return {"value": float(percent), "color": colour}


def _upper_bound(values) -> float:
    """100 % or the largest value, with room for the value printed beyond it."""
    top = max((Decimal(v) for v in values if v is not None), default=Decimal(100))
    return float(max(Decimal(100), top) * Decimal("1.18"))


def _quarter_formatter(label: str):
    return lambda value: f"{label}: {_percent(value)}"


def quarter_bars_svg(rows, *, labels: Sequence[str] = TRIWULAN, width: int = 720) -> str:
    """Horizontal bars, one group per row and one bar per triwulan, coloured by predikat.

    ``rows`` holds ``(name, percents, bands)`` with four percents and bands each; a quarter
    without a computable figure has no bar, and a row without any gets no group (the table
    beside the chart still lists it). Each bar prints its triwulan and value, since the
    colours are the predikat's and cannot tell the quarters apart.
    """
    rows = [row for row in rows if any(value is not None for value in row[1])]
    chart = pygal.HorizontalBar(
        style=_STYLE,
        width=width,
        height=70 + 18 * len(labels) * max(len(rows), 1),
        show_legend=False,
        print_values=True,
        print_values_position="top",
        range=(0, _upper_bound(v for _, values, _ in rows for v in values)),
        y_labels=[0, 25, 50, 75, 100],
        truncate_label=-1,
        # Values start right of their bar instead of straddling its end.
        css=(
            "file://style.css",
            "file://graph.css",
            "inline:.guide.line{visibility:hidden} text.value{text-anchor:start}",
        ),
        js=[],
        pretty_print=False,
        margin=8,
        spacing=8,
    )
    # HorizontalBar draws the groups bottom-up (reverse the rows so they read like the table)
    # but the bars inside a group top-down, so the quarters go in as they are.
    chart.x_labels = [name for name, _, _ in reversed(rows)]
    for index in range(len(labels)):
        points = [_band_point(values[index], bands[index]) for _, values, bands in reversed(rows)]
        chart.add(labels[index], points, formatter=_quarter_formatter(labels[index]))
    return _render(chart, "capaian-triwulan")


def trend_chart_svg(
    percents, bands, *, title: str = "", labels: Sequence[str] = TRIWULAN, width: int = 720
) -> str:
    """A line of the average capaian across the triwulan, each point coloured by predikat."""
    percents = list(percents)
    chart = pygal.Line(
        style=_STYLE,
        width=width,
        height=300,
        show_legend=False,
        print_values=True,
        print_values_position="top",
        value_formatter=_percent,
        range=(0, _upper_bound(percents)),
        y_labels=[0, 25, 50, 75, 100],
        dots_size=6,
        allow_interruptions=True,  # an empty quarter breaks the line, never plots as 0
        css=("file://style.css", "file://graph.css"),
        js=[],
        pretty_print=False,
        margin=8,
    )
    chart.x_labels = list(labels)
    chart.add(title or gettext("Rata-rata capaian"), [
        _band_point(p, b) for p, b in zip(percents, bands, strict=True)
    ])  # fmt: skip
    return _render(chart, "tren-capaian")


def absorption_chart_svg(
    absorption, physical, *, labels: Sequence[str] = TRIWULAN, width: int = 720
) -> str:
    """Grouped bars per triwulan: budget absorption (% of pagu) beside physical progress (%)."""
    absorption, physical = list(absorption), list(physical)
    style = Style(**{**_STYLE.to_dict(), "colors": ABSORPTION_COLOURS})
    chart = pygal.Bar(
        style=style,
        width=width,
        height=320,
        show_legend=True,
        legend_at_bottom=True,
        print_values=True,
        print_values_position="top",
        value_formatter=_percent,
        range=(0, _upper_bound(absorption + physical)),
        y_labels=[0, 25, 50, 75, 100],
        css=("file://style.css", "file://graph.css", "inline:.guide.line{visibility:hidden}"),
        js=[],
        pretty_print=False,
        margin=8,
    )
    chart.x_labels = list(labels)
    as_float = [None if v is None else float(v) for v in absorption]
    chart.add(gettext("Serapan anggaran"), as_float)
    chart.add(gettext("Realisasi fisik"), [None if v is None else float(v) for v in physical])
    return _render(chart, "serapan-fisik")
