"""Server-side SVG for the project pages: the transition diagram of the help page, drawn from
`stages.ALLOWED`, and horizontal bar charts for the dashboard. Every figure is `role="img"`
with a title and a description; pages show the same figures in a table beside it."""

from dataclasses import dataclass

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from biaozhun.projects.stages import ALLOWED, MAIN_LINE, STAGE_CODES, Stage

register = template.Library()

BOX_W, BOX_H, PITCH, TOP = 190, 46, 74, 24
MAIN_X = 250
SIDE_X = 520
BUS_X = 750
FAR_X = 780


@dataclass(frozen=True)
class Box:
    x: float
    y: float

    @property
    def cx(self) -> float:
        return self.x + BOX_W / 2

    @property
    def cy(self) -> float:
        return self.y + BOX_H / 2


def _row(i: float) -> float:
    return TOP + i * PITCH


def _layout() -> dict[str, Box]:
    """Main line top to bottom; rejection on the left, extension and termination right."""
    boxes = {stage: Box(MAIN_X, _row(i)) for i, stage in enumerate(MAIN_LINE)}
    side = {
        Stage.REJECTED: Box(10, _row(0.5)),
        Stage.EXTENDED: Box(SIDE_X, _row(3.5)),
        Stage.TERMINATED: Box(FAR_X, _row(4.5)),
    }
    boxes.update(side)
    # Any stage added later without a place gets one below the right column.
    spare = 9
    for stage in Stage:
        if stage not in boxes:
            boxes[stage] = Box(SIDE_X, _row(spare))
            spare += 1
    return boxes


def _clip(box: Box, tx: float, ty: float) -> tuple[float, float]:
    """Where the segment from the box centre towards (tx, ty) leaves the box."""
    dx, dy = tx - box.cx, ty - box.cy
    if dx == 0 and dy == 0:
        return box.cx, box.cy
    scale = min(BOX_W / 2 / abs(dx) if dx else float("inf"),
                BOX_H / 2 / abs(dy) if dy else float("inf"))
    return box.cx + dx * scale, box.cy + dy * scale


def _box_svg(stage: str, box: Box, css: str) -> SafeString:
    return format_html(
        '<g class="node {}"><rect x="{}" y="{}" width="{}" height="{}" rx="6"/>'
        '<text x="{}" y="{}" class="label">{}</text>'
        '<text x="{}" y="{}" class="code">{}</text></g>',
        css, _n(box.x), _n(box.y), BOX_W, BOX_H, _n(box.cx), _n(box.cy - 3),
        Stage(stage).label, _n(box.cx), _n(box.cy + 15), STAGE_CODES[stage])


def _n(value: float) -> str:
    """A coordinate for SVG: at most one decimal (format_html escapes numbers to text)."""
    return f"{value:.1f}".removesuffix(".0")


def _line(x1, y1, x2, y2, css="edge", arrow=True) -> SafeString:
    return format_html('<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"{}/>',
                       css, _n(x1), _n(y1), _n(x2), _n(y2),
                       mark_safe(' marker-end="url(#bz-arrow)"') if arrow else "")


def _path(d: str, css="edge back") -> SafeString:
    return format_html('<path class="{}" d="{}" marker-end="url(#bz-arrow)"/>', css, d)


def transitions_text() -> list[str]:
    """Each stage and where it may go, in words (the diagram's long description)."""
    order = list(MAIN_LINE) + [s for s in Stage if s not in MAIN_LINE]
    lines = []
    for stage in order:
        exits = sorted(ALLOWED[stage], key=order.index)
        name = f"{Stage(stage).label}（{STAGE_CODES[stage]}）"
        if exits:
            targets = "、".join(f"{Stage(t).label}（{STAGE_CODES[t]}）" for t in exits)
            lines.append(_("%(stage)s 可转入 %(targets)s") % {"stage": name, "targets": targets})
        else:
            lines.append(_("%(stage)s 为终点") % {"stage": name})
    return lines


@register.simple_tag
def stage_diagram() -> SafeString:
    """The transition table of `stages.ALLOWED` as an accessible SVG."""
    boxes = _layout()
    main_index = {stage: i for i, stage in enumerate(MAIN_LINE)}
    edges, bus_sources = [], []
    for source in list(MAIN_LINE) + [s for s in Stage if s not in MAIN_LINE]:
        for target in sorted(ALLOWED[source], key=lambda s: list(Stage.values).index(s)):
            a, b = boxes[source], boxes[target]
            if target == Stage.TERMINATED:
                bus_sources.append(a)
            elif source in main_index and target in main_index:
                i, j = main_index[source], main_index[target]
                if j == i + 1:
                    edges.append(_line(a.cx, a.y + BOX_H, b.cx, b.y - 2))
                else:  # back along the main line, on the left
                    # Alternate the bend so that consecutive back edges stay apart.
                    bend = MAIN_X - 24 - 16 * (i % 2) - 10 * (i - j - 1)
                    edges.append(_path(
                        f"M{a.x:.0f},{a.cy + 8:.0f} H{bend} V{b.cy - 8:.0f} H{b.x - 2:.0f}"))
            else:
                x1, y1 = _clip(a, b.cx, b.cy)
                x2, y2 = _clip(b, a.cx, a.cy)
                edges.append(_line(x1, y1, x2, y2))
    term = boxes[Stage.TERMINATED]
    if bus_sources:
        top = min(min(s.cy for s in bus_sources), term.cy)
        bottom = max(max(s.cy for s in bus_sources), term.cy)
        for s in bus_sources:
            edges.append(_line(s.x + BOX_W, s.cy, BUS_X, s.cy, css="edge bus", arrow=False))
        edges.append(_line(BUS_X, top, BUS_X, bottom, css="edge bus", arrow=False))
        edges.append(_line(BUS_X, term.cy, term.x - 2, term.cy, css="edge bus"))
    nodes = []
    for stage, box in boxes.items():
        css = "main" if stage in main_index else (
            "end" if stage in (Stage.REJECTED, Stage.TERMINATED) else "side")
        nodes.append(_box_svg(stage, box, css))
    width = FAR_X + BOX_W + 10
    height = _row(len(MAIN_LINE)) - PITCH + BOX_H + TOP
    title = _("地方标准制修订流程图")
    desc = "；".join(transitions_text()) + "。"
    return format_html(
        '<svg class="diagram" role="img" aria-labelledby="bz-flow-title bz-flow-desc" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="bz-flow-title">{title}</title><desc id="bz-flow-desc">{desc}</desc>'
        '<defs><marker id="bz-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
        '</defs><g class="edges">{edges}</g><g class="nodes">{nodes}</g></svg>',
        w=width, h=int(height), title=title, desc=desc,
        edges=mark_safe("".join(edges)), nodes=mark_safe("".join(nodes)))


@register.simple_tag
def bar_chart(rows, chart_id: str, title: str, desc: str = "", unit: str = "") -> SafeString:
    """Horizontal bars for (label, value) rows; None draws no bar and shows "—"."""
    rows = [(str(label), value) for label, value in rows]
    label_w, bar_w, row_h, value_w = 150, 300, 28, 90
    top = max((v for _, v in rows if v is not None), default=0) or 1
    width, height = label_w + bar_w + value_w, row_h * len(rows) + 8
    bars = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        shown = "—" if value is None else f"{value:g}{unit}"
        length = 0 if value is None else max(bar_w * value / top, 1 if value else 0)
        bars.append(format_html(
            '<g><text class="bar-label" x="{}" y="{}">{}</text>'
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}"/>'
            '<text class="bar-value" x="{}" y="{}">{}</text></g>',
            label_w - 8, _n(y + row_h / 2 + 5), label, label_w, y + 4, _n(length), row_h - 8,
            _n(label_w + length + 6), _n(y + row_h / 2 + 5), shown))
    if not desc:
        desc = "；".join(f"{label}：{'—' if v is None else f'{v:g}{unit}'}" for label, v in rows)
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{bars}</svg>',
        id=chart_id, w=width, h=height, title=title, desc=desc,
        bars=format_html_join("", "{}", ((b,) for b in bars)))

