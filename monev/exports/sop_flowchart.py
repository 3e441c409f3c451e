"""The SOP flowchart in the PermenPAN-RB 35/2012 layout, redrawn from the steps in the database.

Two parts. ``build_layout`` turns the steps into plain data: one swimlane per role the steps use,
one symbol per step (capsule, process box, decision diamond) in its role's lane and its own row,
the arrows between them, and, once the pages are known, the off-page connectors. The drawing
functions then turn that layout into SVG.

Why one small SVG per procedure-table row rather than one tall picture: WeasyPrint cannot split
an image across pages, and a row grows when its text wraps (a long Output), which a picture with
fixed row heights cannot follow. So every row's SVG has the same fixed height and sits at the top
of the row's flowchart cell; each line that must run on to the bottom of a taller row is returned
as a ``Drop``, which the PDF paints as a background line of that cell (a cell's background always
covers the whole row). Symbols only ever sit in the fixed part, so they stay aligned with the row
and with each other, and every row reserves room for a connector, so adding the connectors after
the first pagination cannot move a row to another page.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext

from ..models import Role, StepKind

__all__ = [
    "ROW_HEIGHT",
    "Arrow",
    "Drop",
    "FlowLayout",
    "Geometry",
    "RowDrawing",
    "Symbol",
    "build_layout",
    "flowchart_svg",
    "geometry_for",
    "row_drawings",
]

# The order of the lanes in the printed SOP; a role not listed here comes after, in step order.
LANE_ORDER = [Role.SEKRETARIS, Role.KASUBAG_PKP, Role.KEPALA_SEKSI, Role.CAMAT, Role.ADMIN]

# Every other kind (tasks, per-section steps, drafting) is drawn as a process box.
SYMBOL_OF_KIND = {
    StepKind.START: "capsule",
    StepKind.ARCHIVE: "capsule",
    StepKind.DECISION: "decision",
}

# Vertical geometry of one row, in points (the SVG user unit is 1pt). From the top: the incoming
# zone (a lane change turns at JOG_Y, or an off-page connector sits there), the symbol zone, and
# the outgoing zone (room for the connector at the foot of a page).
ROW_HEIGHT = 58.0
SYMBOL_TOP = 16.0
SYMBOL_ZONE = 26.0
CENTER_Y = SYMBOL_TOP + SYMBOL_ZONE / 2
JOG_Y = 6.0
BOX_HEIGHT = 20.0
CONNECTOR_WIDTH = 13.0
CONNECTOR_HEIGHT = 11.0
TOP_CONNECTOR_Y = 1.0
BOTTOM_CONNECTOR_Y = ROW_HEIGHT - CONNECTOR_HEIGHT - 1.0

LINE_WIDTH = 0.75
LANE_LINE_WIDTH = 0.5
HEAD_LENGTH = 4.0
HEAD_HALF_WIDTH = 2.0
FONT = "Liberation Sans, DejaVu Sans, sans-serif"


@dataclass(frozen=True)
class Symbol:
    """One shape: a step's symbol, or an off-page connector in a step's row."""

    step_number: int
    kind: str  # "capsule", "process", "decision" or "connector"
    lane_index: int
    row_index: int
    label: str = ""


@dataclass(frozen=True)
class Arrow:
    from_step: int
    to_step: int
    kind: str  # "next" or "return"
    label: str = ""


@dataclass(frozen=True)
class FlowLayout:
    """The flowchart as data: lanes (role, label) left to right, symbols and arrows.

    ``page_starts`` holds the rows that begin a new page; each has a connector pair with
    the row before it.
    """

    lanes: list[tuple[str, str]]
    symbols: list[Symbol]
    arrows: list[Arrow]
    page_starts: frozenset[int] = field(default_factory=frozenset)

    @property
    def steps(self) -> list[Symbol]:
        """The step symbols in row order (no connectors)."""
        return sorted((s for s in self.symbols if s.kind != "connector"), key=lambda s: s.row_index)

    @property
    def connectors(self) -> list[Symbol]:
        return [s for s in self.symbols if s.kind == "connector"]

    def symbol_for(self, step_number: int) -> Symbol:
        return next(s for s in self.steps if s.step_number == step_number)

    def loop_rows(self) -> set[int]:
        """Rows that must stay on the page of the row above: a return line runs between them."""
        rows = set()
        for arrow in self.arrows:
            if arrow.kind == "return":
                top = self.symbol_for(arrow.to_step).row_index
                bottom = self.symbol_for(arrow.from_step).row_index
                rows.update(range(top + 1, bottom + 1))
        return rows

    def with_page_breaks(self, page_starts: Iterable[int]) -> FlowLayout:
        """This layout with an off-page connector pair (A, B, ...) where a flow line crosses
        a page break: one at the foot of the page, its twin at the top of the next."""
        steps = self.steps
        starts = sorted(r for r in set(page_starts) if 0 < r < len(steps))
        crossing = {(a.from_step, a.to_step) for a in self.arrows if a.kind == "next"}
        connectors = []
        for row in starts:
            before, after = steps[row - 1], steps[row]
            if (before.step_number, after.step_number) not in crossing:
                continue  # e.g. an end step: no line to carry over
            letter = _connector_label(len(connectors) // 2)
            for symbol in (before, after):
                connectors.append(
                    Symbol(
                        symbol.step_number, "connector", symbol.lane_index, symbol.row_index, letter
                    )
                )
        return dataclasses.replace(
            self, symbols=[*steps, *connectors], page_starts=frozenset(starts)
        )


def _connector_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ... like spreadsheet columns."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def _lane_roles(steps: Sequence) -> list[str]:
    used = list(dict.fromkeys(step.role for step in steps))
    known = [str(role) for role in LANE_ORDER if role in used]
    return known + [role for role in used if role not in known]


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def build_layout(steps: Iterable) -> FlowLayout:
    """The flowchart of these SopSteps (any objects with the same fields), in number order."""
    steps = sorted(steps, key=lambda step: step.number)
    roles = _lane_roles(steps)
    lane_of = {role: index for index, role in enumerate(roles)}
    numbers = {step.number for step in steps}
    symbols = []
    arrows = []
    for row, step in enumerate(steps):
        kind = SYMBOL_OF_KIND.get(step.kind, "process")
        label = ""
        if step.kind == StepKind.START:
            label = gettext("Mulai")
        elif step.kind == StepKind.ARCHIVE:
            label = gettext("Selesai")
        symbols.append(Symbol(step.number, kind, lane_of[step.role], row, label))
        has_return = (
            step.kind == StepKind.DECISION
            and step.return_to in numbers
            and step.return_to < step.number
        )
        if row + 1 < len(steps) and step.kind != StepKind.ARCHIVE:
            label = gettext("Ya") if has_return else ""
            arrows.append(Arrow(step.number, steps[row + 1].number, "next", label))
        if has_return:
            arrows.append(Arrow(step.number, step.return_to, "return", gettext("Tidak")))
    lanes = [(role, _role_label(role)) for role in roles]
    return FlowLayout(lanes=lanes, symbols=symbols, arrows=arrows)


# --- drawing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """Horizontal sizes, in points, for a number of lanes."""

    lane_width: float
    lane_count: int

    @property
    def width(self) -> float:
        return self.lane_width * self.lane_count

    @property
    def symbol_width(self) -> float:
        # Leave a margin on both sides of every symbol for the return lines.
        return min(56.0, self.lane_width - 24.0)

    def center_x(self, lane: int) -> float:
        return (lane + 0.5) * self.lane_width


def geometry_for(layout: FlowLayout, total_width: float, max_lane_width: float) -> Geometry:
    count = max(1, len(layout.lanes))
    return Geometry(lane_width=min(max_lane_width, total_width / count), lane_count=count)


@dataclass(frozen=True)
class Drop:
    """A vertical line from ``y`` down to the bottom of the row's cell, however tall it gets."""

    x: float
    y: float
    width: float = LINE_WIDTH


@dataclass(frozen=True)
class RowDrawing:
    row_index: int
    svg: str
    drops: list[Drop]


def _n(value: float) -> str:
    """A coordinate as SVG wants it: '.' as the decimal point whatever the locale."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _line(points: Sequence[tuple[float, float]], *, head: bool = False) -> list[str]:
    """A polyline, with an arrowhead at its last point when ``head``."""
    shapes = [
        f'<polyline class="flow" points="{_points(points)}" fill="none" stroke="#000" '
        f'stroke-width="{_n(LINE_WIDTH)}"/>'
    ]
    if head:
        shapes.append(_head(points[-2], points[-1]))
    return shapes


def _head(start: tuple[float, float], tip: tuple[float, float]) -> str:
    """A filled arrowhead at ``tip`` on an axis-parallel segment."""
    (x0, y0), (x, y) = start, tip
    dx = (x > x0) - (x < x0)
    dy = (y > y0) - (y < y0)
    base = (x - dx * HEAD_LENGTH, y - dy * HEAD_LENGTH)
    side = (dy * HEAD_HALF_WIDTH, dx * HEAD_HALF_WIDTH)
    corners = [tip, (base[0] + side[0], base[1] + side[1]), (base[0] - side[0], base[1] - side[1])]
    return f'<polygon class="head" points="{_points(corners)}" fill="#000"/>'


def _text(x: float, y: float, text: str, *, size: float, anchor: str = "middle") -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" font-family={quoteattr(FONT)} '
        f'text-anchor="{anchor}" fill="#000">{escape(text)}</text>'
    )


def _symbol_box(symbol: Symbol, geo: Geometry) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a step symbol."""
    cx = geo.center_x(symbol.lane_index)
    half = geo.symbol_width / 2
    if symbol.kind == "decision":
        return cx - half, SYMBOL_TOP, cx + half, SYMBOL_TOP + SYMBOL_ZONE
    top = CENTER_Y - BOX_HEIGHT / 2
    return cx - half, top, cx + half, top + BOX_HEIGHT


def _draw_symbol(symbol: Symbol, geo: Geometry) -> list[str]:
    left, top, right, bottom = _symbol_box(symbol, geo)
    cx = geo.center_x(symbol.lane_index)
    stroke = f'fill="#fff" stroke="#000" stroke-width="{_n(LINE_WIDTH)}"'
    title = f"<title>{escape(str(symbol.step_number))}</title>"
    if symbol.kind == "decision":
        corners = [(cx, top), (right, CENTER_Y), (cx, bottom), (left, CENTER_Y)]
        return [f'<polygon class="decision" points="{_points(corners)}" {stroke}>{title}</polygon>']
    radius = BOX_HEIGHT / 2 if symbol.kind == "capsule" else 0
    shapes = [
        f'<rect class="{symbol.kind}" x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" '
        f'height="{_n(bottom - top)}" rx="{_n(radius)}" {stroke}>{title}</rect>'
    ]
    if symbol.label:
        shapes.append(_text(cx, CENTER_Y + 2.3, symbol.label, size=6.5))
    return shapes


def _draw_connector(lane: int, top: float, label: str, geo: Geometry) -> list[str]:
    """The off-page connector: a pentagon pointing down, with its letter."""
    cx = geo.center_x(lane)
    half = CONNECTOR_WIDTH / 2
    shoulder = top + CONNECTOR_HEIGHT * 0.6
    corners = [
        (cx - half, top),
        (cx + half, top),
        (cx + half, shoulder),
        (cx, top + CONNECTOR_HEIGHT),
        (cx - half, shoulder),
    ]
    return [
        f'<polygon class="connector" points="{_points(corners)}" fill="#fff" stroke="#000" '
        f'stroke-width="{_n(LINE_WIDTH)}"/>',
        _text(cx, top + 5.6, label, size=5.5),
    ]


@dataclass(frozen=True)
class _ReturnLine:
    arrow: Arrow
    x: float  # the vertical channel, in the outer margin of the first or last lane
    left: bool
    top_row: int
    bottom_row: int
    arrive_y: float  # where it meets the target; loops into the same side of a symbol fan out


def _return_lines(layout: FlowLayout, geo: Geometry) -> list[_ReturnLine]:
    """Each return arrow's side channel; the longest loop runs outermost so loops nest."""
    margin = (geo.lane_width - geo.symbol_width) / 2
    sides: dict[bool, list[tuple[Arrow, int, int]]] = {True: [], False: []}
    for arrow in layout.arrows:
        if arrow.kind != "return":
            continue
        source = layout.symbol_for(arrow.from_step)
        target = layout.symbol_for(arrow.to_step)
        # Go round the nearer outside edge of the chart: no symbol stands in that margin.
        left = source.lane_index * 2 <= geo.lane_count - 1
        sides[left].append((arrow, target.row_index, source.row_index))
    lines = []
    for left, group in sides.items():
        group.sort(key=lambda item: item[2] - item[1], reverse=True)
        spacing = min(5.0, (margin - 3.0) / (len(group) + 1)) if group else 0
        arrivals: dict[int, list[int]] = {}
        for index, (_arrow, top, _bottom) in enumerate(group):
            arrivals.setdefault(top, []).append(index)
        for index, (arrow, top, bottom) in enumerate(group):
            offset = spacing * (index + 1)
            x = offset if left else geo.width - offset
            # The outer line arrives higher, so it passes above the inner line's channel.
            sharing = arrivals[top]
            y = CENTER_Y + (sharing.index(index) - (len(sharing) - 1) / 2) * 5.0
            lines.append(_ReturnLine(arrow, x, left, top, bottom, y))
    return lines


def _side_x(symbol: Symbol, geo: Geometry, left: bool, y: float) -> float:
    """Where a horizontal line at height ``y`` meets the symbol's outline on that side."""
    box_left, top, box_right, bottom = _symbol_box(symbol, geo)
    half_width = (box_right - box_left) / 2
    dy = min(abs(y - CENTER_Y), (bottom - top) / 2)
    if symbol.kind == "decision":
        inset = half_width * dy / ((bottom - top) / 2)
    elif symbol.kind == "capsule":
        radius = BOX_HEIGHT / 2
        inset = radius - math.sqrt(max(radius * radius - dy * dy, 0.0))
    else:
        inset = 0.0
    return box_left + inset if left else box_right - inset


def _row_shapes(
    layout: FlowLayout, geo: Geometry
) -> tuple[dict[int, list[str]], dict[int, list[Drop]]]:
    """Each row's SVG elements, and the drops that continue them below the fixed part."""
    steps = layout.steps
    by_row: dict[int, list[str]] = {row: [] for row in range(len(steps))}
    drops: dict[int, list[Drop]] = {row: [] for row in range(len(steps))}
    connectors = {(c.row_index, c.step_number): c for c in layout.connectors}

    for row in by_row:
        for lane in range(1, geo.lane_count):
            x = lane * geo.lane_width
            by_row[row].append(
                f'<line class="lane" x1="{_n(x)}" y1="0" x2="{_n(x)}" y2="{_n(ROW_HEIGHT)}" '
                f'stroke="#000" stroke-width="{_n(LANE_LINE_WIDTH)}"/>'
            )
            drops[row].append(Drop(x, 0, LANE_LINE_WIDTH))

    for arrow in layout.arrows:
        if arrow.kind != "next":
            continue
        source = layout.symbol_for(arrow.from_step)
        target = layout.symbol_for(arrow.to_step)
        x0, x1 = geo.center_x(source.lane_index), geo.center_x(target.lane_index)
        source_bottom = _symbol_box(source, geo)[3]
        target_top = _symbol_box(target, geo)[1]
        out, into = by_row[source.row_index], by_row[target.row_index]
        if target.row_index in layout.page_starts:
            # Off the foot of this page into a connector, and on from its twin on the next.
            label = connectors[(target.row_index, target.step_number)].label
            out += _line([(x0, source_bottom), (x0, BOTTOM_CONNECTOR_Y)], head=True)
            out += _draw_connector(source.lane_index, BOTTOM_CONNECTOR_Y, label, geo)
            into += _draw_connector(target.lane_index, TOP_CONNECTOR_Y, label, geo)
            start = TOP_CONNECTOR_Y + CONNECTOR_HEIGHT
            into += _line([(x1, start), (x1, target_top)], head=True)
        else:
            out += _line([(x0, source_bottom), (x0, ROW_HEIGHT)])
            drops[source.row_index].append(Drop(x0, source_bottom))
            # A lane change turns at the top of the target's row, clear of every symbol.
            path = [(x0, 0.0), (x0, JOG_Y), (x1, JOG_Y)] if x0 != x1 else [(x0, 0.0)]
            into += _line([*path, (x1, target_top)], head=True)
        if arrow.label:
            # Beside the line, clear of a connector pentagon if one hangs below.
            gap = CONNECTOR_WIDTH / 2 + 1.5 if target.row_index in layout.page_starts else 2.0
            out.append(_text(x0 + gap, source_bottom + 6.5, arrow.label, size=5.5, anchor="start"))

    for line in _return_lines(layout, geo):
        source = layout.symbol_for(line.arrow.from_step)
        target = layout.symbol_for(line.arrow.to_step)
        s_left, _top, s_right, _bottom = _symbol_box(source, geo)
        vertex = s_left if line.left else s_right
        # From the diamond's side out to the channel and up; the label sits under the exit,
        # where neither the channel nor the diamond is.
        by_row[line.bottom_row] += _line([(vertex, CENTER_Y), (line.x, CENTER_Y), (line.x, 0.0)])
        by_row[line.bottom_row].append(_text(vertex, CENTER_Y + 9.0, line.arrow.label, size=5.5))
        for row in range(line.top_row + 1, line.bottom_row):
            by_row[row] += _line([(line.x, 0.0), (line.x, ROW_HEIGHT)])
            drops[row].append(Drop(line.x, 0))
        y = line.arrive_y
        side = _side_x(target, geo, line.left, y)
        by_row[line.top_row] += _line([(line.x, ROW_HEIGHT), (line.x, y), (side, y)], head=True)
        drops[line.top_row].append(Drop(line.x, y))

    for symbol in steps:
        # Symbols last, so their white fill sits over nothing but their own outline.
        by_row[symbol.row_index] += _draw_symbol(symbol, geo)

    return by_row, drops


def row_drawings(layout: FlowLayout, geo: Geometry) -> list[RowDrawing]:
    """One drawing per step row: the SVG of its fixed part and the drops below it."""
    shapes, drops = _row_shapes(layout, geo)
    return [RowDrawing(row, _svg(geo.width, ROW_HEIGHT, shapes[row]), drops[row]) for row in shapes]


def _svg(width: float, height: float, shapes: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}pt" height="{_n(height)}pt" '
        f'viewBox="0 0 {_n(width)} {_n(height)}">{"".join(shapes)}</svg>'
    )


def flowchart_svg(layout: FlowLayout, geo: Geometry) -> str:
    """The whole flowchart as one SVG (rows stacked at their fixed height), e.g. for a page."""
    shapes, _drops = _row_shapes(layout, geo)
    body = [
        f'<g transform="translate(0 {_n(row * ROW_HEIGHT)})">{"".join(row_shapes)}</g>'
        for row, row_shapes in shapes.items()
    ]
    return _svg(geo.width, ROW_HEIGHT * len(shapes), body)
