"""A workflow drawn as SVG, in pure Python: nothing to load in the browser, no CDN, and easy to test.

Layered layout, top to bottom (a long procedure scrolls down the page instead of shrinking across it):
states are placed in layers by their distance from the initial state along the workflow's forward
transitions; an edge that spans several layers passes through invisible points in the layers between; the
order within a layer is chosen to cross few edges (barycentre sweeps), and positions pull each state
towards its neighbours. Final states have a double border; a transition written `from: "*"` is drawn once,
from a dashed "any open state" box. Right-to-left languages mirror the drawing and set the text direction.
Only presentation attributes are used (no style attribute), so a strict Content-Security-Policy allows it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from passage.cases.workflows.definition import RTL_LANGUAGES, GetText, State, StateKind, Transition, Workflow

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Arabic', Tahoma, sans-serif"
NODE_FONT, LABEL_FONT = 13.0, 11.0
NODE_MIN_WIDTH, NODE_PADDING, LINE_HEIGHT = 110.0, 14.0, 16.0
LAYER_GAP, NODE_GAP, DUMMY_WIDTH, MARGIN = 78.0, 36.0, 14.0, 24.0
COLOURS = {
    "text": "#212529",
    "muted": "#6c757d",
    "edge": "#6c757d",
    "node": "#f8f9fa",
    "initial": "#e7f1ff",
    "initial_border": "#0d6efd",
    "final": "#e9ecef",
    "border": "#495057",
    "label_bg": "#ffffff",
    "current": "#fff3cd",
    "current_border": "#b35c00",
}
LabelOf = Callable[[State | Transition], str]
_RTL_CHARACTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _identity(message: str) -> str:
    return message


def text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` in a sans-serif font (no font metrics without a browser)."""
    width = 0.0
    for character in text:
        if character in "iljtf.,:;'|!() ":
            width += 0.3
        elif character.isupper() or character in "mwMW":
            width += 0.72
        else:
            width += 0.56
    return width * size


def wrap(text: str, limit: int) -> list[str]:
    """Break `text` into lines of about `limit` characters (two lines at most; the rest in the tooltip)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
        if len(lines[1]) > limit + 4:
            lines[1] = lines[1][: limit + 1].rstrip() + "…"
    return lines or [""]


@dataclass
class _Node:
    key: str
    layer: int
    width: float
    height: float = 0.0
    lines: list[str] = field(default_factory=list)
    sub: str = ""  # the deadline, under the label
    state: State | None = None
    any_of: Transition | None = None  # the pseudo-state "any open state" of a from-any transition
    reserve: float = 0.0  # room kept free on each side (for a transition back to the same state)
    x: float = 0.0  # centre
    y: float = 0.0  # top

    @property
    def room(self) -> float:
        return self.width + 2 * self.reserve

    @property
    def dummy(self) -> bool:
        return self.state is None and self.any_of is None


@dataclass
class _Edge:
    transition: Transition
    source: str
    target: str
    chain: list[str] = field(default_factory=list)  # node keys from the upper end to the lower end
    upward: bool = False  # drawn against the layers (a step back)
    points: list[tuple[float, float]] = field(default_factory=list)


class _Layout:
    def __init__(self, workflow: Workflow, label: LabelOf, _: GetText) -> None:
        self.workflow = workflow
        self.label = label
        self._ = _
        self.nodes: dict[str, _Node] = {}
        self.edges: list[_Edge] = []
        self.layers: list[list[str]] = []

    # -- layers -------------------------------------------------------------------------------------------
    def assign_layers(self) -> dict[str, int]:
        """Longest distance from the initial state once the steps back (edges closing a cycle) are set aside."""
        workflow = self.workflow
        succ: dict[str, list[str]] = defaultdict(list)
        for transition in workflow.transitions:
            if transition.from_any or not workflow.has_state(transition.target):
                continue
            for source in transition.sources:
                if workflow.has_state(source) and transition.target not in succ[source]:
                    succ[source].append(transition.target)
        initial = workflow.initial_state
        roots = [initial.code] if initial else []
        roots += [state.code for state in workflow.states if state.code not in roots]
        visited: set[str] = set()
        order: list[str] = []  # reverse post-order of a depth-first walk: a topological order without the back edges
        forward: dict[str, list[str]] = defaultdict(list)
        for root in roots:
            if root in visited:
                continue
            stack: list[tuple[str, int]] = [(root, 0)]
            on_stack = {root}
            visited.add(root)
            while stack:
                node, index = stack[-1]
                if index < len(succ[node]):
                    stack[-1] = (node, index + 1)
                    following = succ[node][index]
                    if following in on_stack:
                        continue  # a step back
                    forward[node].append(following)
                    if following not in visited:
                        visited.add(following)
                        on_stack.add(following)
                        stack.append((following, 0))
                else:
                    stack.pop()
                    on_stack.discard(node)
                    order.append(node)
        layer = {code: 0 for code in order}
        for node in reversed(order):
            for following in forward[node]:
                layer[following] = max(layer[following], layer[node] + 1)
        entered = {target for targets in succ.values() for target in targets}
        deepest = max(layer.values(), default=0)
        for state in workflow.final_states:  # entered only `from: "*"`: at the bottom, with the other ends
            if state.code not in entered:
                layer[state.code] = max(deepest, 1)
        return layer

    def build(self) -> None:
        workflow = self.workflow
        layer_of = self.assign_layers()
        for state in workflow.states:
            lines = wrap(self.label(state), 22)
            sub = ""
            if state.deadline is not None:
                parts = []
                if state.deadline.days:
                    parts.append(self._("%(days)s d") % {"days": state.deadline.days})
                if state.deadline.hours:
                    parts.append(self._("%(hours)s h") % {"hours": state.deadline.hours})
                sub = " ".join(parts)
            width = max(NODE_MIN_WIDTH, *(text_width(line, NODE_FONT) + 2 * NODE_PADDING for line in lines))
            self.nodes[state.code] = _Node(
                state.code, layer_of.get(state.code, 0), width, lines=lines, sub=sub, state=state
            )
        for transition in workflow.transitions:
            if not workflow.has_state(transition.target):
                continue
            if transition.from_any:
                key = f"*{transition.code}"
                lines = [self._("any open state")]
                width = max(90.0, text_width(lines[0], LABEL_FONT) + 2 * NODE_PADDING)
                layer = max(self.nodes[transition.target].layer - 1, 0)
                self.nodes[key] = _Node(key, layer, width, lines=lines, any_of=transition)
                self.edges.append(_Edge(transition, key, transition.target))
                continue
            for source in transition.sources:
                if workflow.has_state(source):
                    self.edges.append(_Edge(transition, source, transition.target))
        for edge in self.edges:  # a from-any box in the target's layer (the target is first): push the target down
            if self.nodes[edge.source].layer == self.nodes[edge.target].layer and edge.source.startswith("*"):
                self.nodes[edge.target].layer += 1
        depth = max((node.layer for node in self.nodes.values()), default=0) + 1
        self.layers = [[] for _ in range(depth)]
        for key, node in self.nodes.items():
            self.layers[node.layer].append(key)
        for edge in self.edges:
            self.chain(edge)
            if edge.source == edge.target:
                loop = self.nodes[edge.source]
                label = max(text_width(line, LABEL_FONT) for line in wrap(self.label(edge.transition), 24))
                loop.reserve = max(loop.reserve, 56.0 + label)

    def chain(self, edge: _Edge) -> None:
        """The nodes an edge passes, upper end first, with an invisible point in every layer it crosses."""
        upper, lower = edge.source, edge.target
        if self.nodes[upper].layer > self.nodes[lower].layer:
            upper, lower = lower, upper
            edge.upward = True
        chain = [upper]
        top, bottom = self.nodes[upper].layer, self.nodes[lower].layer
        for layer in range(top + 1, bottom):
            key = f"~{edge.transition.code}:{edge.source}:{layer}"
            self.nodes[key] = _Node(key, layer, DUMMY_WIDTH)
            self.layers[layer].append(key)
            chain.append(key)
        chain.append(lower)
        edge.chain = chain

    # -- order within layers ------------------------------------------------------------------------------
    def neighbours(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        above: dict[str, list[str]] = defaultdict(list)
        below: dict[str, list[str]] = defaultdict(list)
        for edge in self.edges:
            for upper, lower in zip(edge.chain, edge.chain[1:], strict=False):
                if self.nodes[upper].layer != self.nodes[lower].layer:
                    below[upper].append(lower)
                    above[lower].append(upper)
        return above, below

    def crossings(self, below: dict[str, list[str]]) -> int:
        total = 0
        for layer, following in zip(self.layers, self.layers[1:], strict=False):
            position = {key: index for index, key in enumerate(following)}
            pairs = [(i, position[t]) for i, key in enumerate(layer) for t in below[key] if t in position]
            total += sum(1 for a in pairs for b in pairs if a[0] < b[0] and a[1] > b[1])
        return total

    def order(self) -> None:
        above, below = self.neighbours()
        best = [list(layer) for layer in self.layers]
        best_crossings = self.crossings(below)
        for sweep in range(8):
            downward = sweep % 2 == 0
            indices = range(1, len(self.layers)) if downward else range(len(self.layers) - 2, -1, -1)
            for index in indices:
                reference = self.layers[index - 1] if downward else self.layers[index + 1]
                position = {key: i for i, key in enumerate(reference)}
                linked = above if downward else below
                current = self.layers[index]

                def barycentre(key: str, current: list[str] = current, linked=linked, position=position) -> float:
                    others = [position[other] for other in linked[key] if other in position]
                    return sum(others) / len(others) if others else float(current.index(key))

                self.layers[index] = sorted(current, key=barycentre)
            crossings = self.crossings(below)
            if crossings < best_crossings:
                best, best_crossings = [list(layer) for layer in self.layers], crossings
        self.layers = best

    # -- coordinates --------------------------------------------------------------------------------------
    def place(self) -> None:
        above, below = self.neighbours()
        for layer in self.layers:  # packed, each layer centred on 0
            total = sum(self.nodes[key].room for key in layer) + NODE_GAP * (len(layer) - 1)
            x = -total / 2
            for key in layer:
                node = self.nodes[key]
                node.x = x + node.room / 2
                x += node.room + NODE_GAP
        for sweep in range(12):
            downward = sweep % 2 == 0
            indices = range(1, len(self.layers)) if downward else range(len(self.layers) - 2, -1, -1)
            for index in indices:
                layer = self.layers[index]
                linked = above if downward else below
                desired = []
                for key in layer:
                    others = [self.nodes[other].x for other in linked[key]] or [self.nodes[key].x]
                    desired.append(sum(others) / len(others))
                self.spread(layer, desired)
        left = min((node.x - node.room / 2 for node in self.nodes.values()), default=0.0)
        for node in self.nodes.values():
            node.x += MARGIN - left
        y = MARGIN
        for layer in self.layers:
            height = max(self.height(self.nodes[key]) for key in layer) if layer else 0.0
            for key in layer:
                node = self.nodes[key]
                node.height = height if not node.dummy else 0.0
                node.y = y
            y += height + LAYER_GAP

    def height(self, node: _Node) -> float:
        if node.dummy:
            return 0.0
        lines = len(node.lines) + (1 if node.sub else 0)
        return 18.0 + LINE_HEIGHT * lines

    def spread(self, layer: list[str], desired: list[float]) -> None:
        """Put each node as near its desired centre as the order and the gaps allow (from both sides, averaged)."""
        widths = [self.nodes[key].room for key in layer]
        gaps = [(widths[i] + widths[i + 1]) / 2 + NODE_GAP for i in range(len(layer) - 1)]
        from_left = list(desired)
        for i in range(1, len(layer)):
            from_left[i] = max(from_left[i], from_left[i - 1] + gaps[i - 1])
        from_right = list(desired)
        for i in range(len(layer) - 2, -1, -1):
            from_right[i] = min(from_right[i], from_right[i + 1] - gaps[i])
        placed = [(a + b) / 2 for a, b in zip(from_left, from_right, strict=True)]
        for i in range(1, len(layer)):
            placed[i] = max(placed[i], placed[i - 1] + gaps[i - 1])
        for key, x in zip(layer, placed, strict=True):
            self.nodes[key].x = x

    # -- edges --------------------------------------------------------------------------------------------
    def route(self) -> None:
        """Points of each edge, with its ends spread along the sides of the states they join."""
        ends: dict[tuple[str, str], list[tuple[float, int, str]]] = defaultdict(list)
        for index, edge in enumerate(self.edges):
            if edge.source == edge.target:
                continue
            if len(edge.chain) == 2 and self.nodes[edge.chain[0]].layer == self.nodes[edge.chain[1]].layer:
                for end, other in ((edge.source, edge.target), (edge.target, edge.source)):
                    ends[(end, "bottom")].append((self.nodes[other].x, index, end))
                continue
            upper, after_upper = edge.chain[0], edge.chain[1]
            lower, before_lower = edge.chain[-1], edge.chain[-2]
            ends[(upper, "bottom")].append((self.nodes[after_upper].x, index, upper))
            ends[(lower, "top")].append((self.nodes[before_lower].x, index, lower))
        offset: dict[tuple[int, str, str], float] = {}
        for (key, side), attached in ends.items():
            attached.sort()
            node = self.nodes[key]
            span = node.width * 0.6
            for position, (_x, index, _end) in enumerate(attached):
                share = 0.0 if len(attached) == 1 else (position / (len(attached) - 1) - 0.5) * span
                offset[(index, key, side)] = share
        for index, edge in enumerate(self.edges):
            if edge.source == edge.target:
                node = self.nodes[edge.source]
                right = node.x + node.width / 2
                edge.points = [(right, node.y + node.height * 0.3), (right, node.y + node.height * 0.7)]
                continue
            first, last = self.nodes[edge.chain[0]], self.nodes[edge.chain[-1]]
            if first.layer == last.layer:
                edge.points = [
                    (first.x + offset[(index, first.key, "bottom")], first.y + first.height),
                    (last.x + offset[(index, last.key, "bottom")], last.y + last.height),
                ]
                continue
            points = [(first.x + offset[(index, first.key, "bottom")], first.y + first.height)]
            for key in edge.chain[1:-1]:
                dummy = self.nodes[key]
                layer_height = max(self.height(self.nodes[k]) for k in self.layers[dummy.layer])
                points += [(dummy.x, dummy.y), (dummy.x, dummy.y + layer_height)]
            points.append((last.x + offset[(index, last.key, "top")], last.y))
            edge.points = points


def _path(edge: _Edge) -> str:
    """SVG path data: cubic curves between layers, straight lines through the layers an edge crosses."""
    points = list(reversed(edge.points)) if edge.upward else edge.points
    if edge.source == edge.target:
        (x0, y0), (x1, y1) = points
        return f"M{x0:.1f},{y0:.1f} C{x0 + 48:.1f},{y0 - 14:.1f} {x1 + 48:.1f},{y1 + 14:.1f} {x1:.1f},{y1:.1f}"
    if len(points) == 2 and points[0][1] == points[1][1]:  # same layer: an arc below
        (x0, y0), (x1, y1) = points
        return f"M{x0:.1f},{y0:.1f} C{x0:.1f},{y0 + 42:.1f} {x1:.1f},{y1 + 42:.1f} {x1:.1f},{y1:.1f}"
    data = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for index, ((x0, y0), (x1, y1)) in enumerate(itertools.pairwise(points)):
        if index % 2:  # through a layer the edge crosses
            data.append(f"L{x1:.1f},{y1:.1f}")
        else:  # across the gap between two layers
            middle = (y0 + y1) / 2
            data.append(f"C{x0:.1f},{middle:.1f} {x1:.1f},{middle:.1f} {x1:.1f},{y1:.1f}")
    return " ".join(data)


def _cubic_at(p0: tuple[float, float], p3: tuple[float, float], t: float) -> tuple[float, float]:
    middle = (p0[1] + p3[1]) / 2
    p1, p2 = (p0[0], middle), (p3[0], middle)
    u = 1 - t
    x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
    y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
    return x, y


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _direction(text: str) -> str:
    return ' direction="rtl"' if _RTL_CHARACTER.search(text) else ""


def _transition_title(transition: Transition, label: str, _: GetText) -> str:
    requires = transition.requires
    parts = [label, _("roles: %(roles)s") % {"roles": ", ".join(transition.roles)}]
    if requires.forms:
        parts.append(_("forms: %(codes)s") % {"codes": ", ".join(requires.forms)})
    if requires.documents:
        parts.append(_("documents: %(codes)s") % {"codes": ", ".join(requires.documents)})
    if requires.fields:
        parts.append(_("fields: %(codes)s") % {"codes": ", ".join(requires.fields)})
    if requires.approval:
        parts.append(_("approved by a second %(role)s") % {"role": requires.approval.role})
    if requires.different_person_from:
        parts.append(_("not by whoever took %(codes)s") % {"codes": ", ".join(requires.different_person_from)})
    if requires.reason:
        parts.append(_("reason required"))
    return " · ".join(parts)


def _state_title(state: State, label: str, _: GetText) -> str:
    parts = [label]
    if state.deadline is not None:
        deadline = _("deadline %(duration)s") % {"duration": str(state.deadline)}
        if state.deadline.escalation is not None:
            deadline += ", " + _("then escalated to %(role)s") % {"role": state.deadline.escalation.role}
        parts.append(deadline)
    if state.on_entry:
        parts.append(_("on entry: %(actions)s") % {"actions": ", ".join(a.kind.value for a in state.on_entry)})
    return " · ".join(parts)


def workflow_svg(
    workflow: Workflow,
    *,
    language: str = "en",
    gettext: GetText | None = None,
    rtl: bool | None = None,
    current: str | None = None,
) -> str:
    """The workflow as an SVG document (a string to embed in a page or write to a file); `current`: the state a
    case is in, drawn highlighted (a case page's "you are here")."""
    _ = gettext or _identity
    if rtl is None:
        rtl = language.split("-")[0] in RTL_LANGUAGES

    def label_of(item: State | Transition) -> str:
        return item.label.get(language, gettext)

    layout = _Layout(workflow, label_of, _)
    layout.build()
    layout.order()
    layout.place()
    layout.route()
    labels = _place_labels(layout, label_of)
    width, height = _fit(layout, labels)
    ident = "wf-" + re.sub(r"[^a-z0-9_-]", "-", f"{workflow.code}-{workflow.version}")

    def x(value: float) -> float:
        return width - value if rtl else value

    def mirrored(path: str) -> str:
        if not rtl:
            return path
        return re.sub(
            r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)", lambda m: f"{width - float(m.group(1)):.1f},{m.group(2)}", path
        )

    name = workflow.name.get(language, gettext)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-labelledby="{ident}-title" font-family="{_attr(FONT)}" font-size="{NODE_FONT:g}" '
        f'data-workflow="{_attr(workflow.code)}" data-version="{workflow.version}">',
        f'<title id="{ident}-title"{_direction(name)}>{escape(name)} (v{workflow.version})</title>',
        "<defs>",
        f'<marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{COLOURS["edge"]}"/></marker>',
        "</defs>",
        '<g class="transitions">',
    ]
    for edge in layout.edges:
        label = label_of(edge.transition)
        dashed = ' stroke-dasharray="5 4"' if edge.transition.from_any else ""
        out.append(
            f'<g class="transition" data-transition="{_attr(edge.transition.code)}">'
            f"<title>{escape(_transition_title(edge.transition, label, _))}</title>"
            f'<path d="{mirrored(_path(edge))}" fill="none" stroke="{COLOURS["edge"]}" stroke-width="1.4"{dashed} '
            f'marker-end="url(#{ident}-arrow)"/></g>'
        )
    out.append("</g>")
    out.append('<g class="states">')
    for node in layout.nodes.values():
        if node.dummy:
            continue
        out.extend(_node_svg(node, x(node.x), label_of, _, current=current))
    out.append("</g>")
    out.append('<g class="labels">')
    out.extend(_labels_svg(labels, x))
    out.append("</g></svg>")
    return "\n".join(out)


def _node_svg(node: _Node, centre: float, label_of: LabelOf, _: GetText, *, current: str | None) -> list[str]:
    left, top, width, height = centre - node.width / 2, node.y, node.width, node.height
    if node.any_of is not None:
        text = node.lines[0]
        return [
            f'<g class="any-state" data-transition="{_attr(node.any_of.code)}">',
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" rx="14" '
            f'fill="none" stroke="{COLOURS["muted"]}" stroke-dasharray="4 3"/>',
            f'<text x="{centre:.1f}" y="{top + height / 2 + 4:.1f}" text-anchor="middle" font-size="{LABEL_FONT:g}" '
            f'font-style="italic" fill="{COLOURS["muted"]}"{_direction(text)}>{escape(text)}</text>',
            "</g>",
        ]
    state = node.state
    if state is None:  # an invisible point: nothing to draw
        return []
    fill, stroke, stroke_width = COLOURS["node"], COLOURS["border"], "1.2"
    if state.kind is StateKind.INITIAL:
        fill, stroke, stroke_width = COLOURS["initial"], COLOURS["initial_border"], "2"
    elif state.kind is StateKind.FINAL:
        fill = COLOURS["final"]
    here = state.code == current
    if here:
        fill, stroke, stroke_width = COLOURS["current"], COLOURS["current_border"], "3"
    label = " ".join(node.lines)
    out = [
        f'<g class="state state-{state.kind.value}{" state-current" if here else ""}" data-state="{_attr(state.code)}"'
        + (' aria-current="step">' if here else ">"),
        f"<title>{escape(_state_title(state, label_of(state), _))}</title>",
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" rx="8" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{stroke_width}"/>',
    ]
    if state.kind is StateKind.FINAL:  # the double border
        out.append(
            f'<rect x="{left + 4:.1f}" y="{top + 4:.1f}" width="{width - 8:.1f}" height="{height - 8:.1f}" rx="5" '
            f'fill="none" stroke="{stroke}" stroke-width="1"/>'
        )
    lines = len(node.lines) + (1 if node.sub else 0)
    baseline = top + (height - LINE_HEIGHT * lines) / 2 + LINE_HEIGHT - 3
    weight = ' font-weight="600"' if state.kind is StateKind.INITIAL else ""
    for line in node.lines:
        out.append(
            f'<text x="{centre:.1f}" y="{baseline:.1f}" text-anchor="middle" fill="{COLOURS["text"]}"{weight}'
            f"{_direction(label)}>{escape(line)}</text>"
        )
        baseline += LINE_HEIGHT
    if node.sub:
        out.append(
            f'<text x="{centre:.1f}" y="{baseline:.1f}" text-anchor="middle" font-size="{LABEL_FONT:g}" '
            f'fill="{COLOURS["muted"]}">{escape(node.sub)}</text>'
        )
    out.append("</g>")
    return out


@dataclass
class _Label:
    edge: _Edge
    text: str
    lines: list[str]
    box: tuple[float, float, float, float]  # left, top, right, bottom


def _place_labels(layout: _Layout, label_of: LabelOf) -> list[_Label]:
    """Each transition's label on its edge, where it overlaps no state and no label already placed."""
    taken: list[tuple[float, float, float, float]] = [
        (node.x - node.width / 2, node.y, node.x + node.width / 2, node.y + node.height)
        for node in layout.nodes.values()
        if not node.dummy
    ]
    placed = []
    for edge in layout.edges:
        text = label_of(edge.transition)
        lines = wrap(text, 24)
        width = max(text_width(line, LABEL_FONT) for line in lines) + 8
        height = 14.0 * len(lines) + 2
        centre = _label_spot(edge, width, height, taken)
        box = (centre[0] - width / 2, centre[1] - height / 2, centre[0] + width / 2, centre[1] + height / 2)
        taken.append(box)
        placed.append(_Label(edge, text, lines, box))
    return placed


def _fit(layout: _Layout, labels: list[_Label]) -> tuple[float, float]:
    """Shift the drawing so that nothing (a label past the leftmost state) falls off the canvas; its size."""
    nodes = list(layout.nodes.values())
    left = min([node.x - node.room / 2 for node in nodes] + [label.box[0] for label in labels], default=0.0)
    shift = MARGIN - left
    for node in nodes:
        node.x += shift
    for edge in layout.edges:
        edge.points = [(px + shift, py) for px, py in edge.points]
    for label in labels:
        le, top, right, bottom = label.box
        label.box = (le + shift, top, right + shift, bottom)
    right = max([node.x + node.room / 2 for node in nodes] + [label.box[2] for label in labels], default=0.0)
    bottom = max([node.y + node.height for node in nodes] + [label.box[3] for label in labels], default=0.0)
    return float(math.ceil(right + MARGIN)), float(math.ceil(bottom + MARGIN))


def _labels_svg(labels: list[_Label], x: Callable[[float], float]) -> list[str]:
    out = []
    for label in labels:
        left, top, right, _bottom = label.box
        width, shown = right - left, x((left + right) / 2)
        out.append(f'<g class="transition-label" data-transition="{_attr(label.edge.transition.code)}">')
        out.append(
            f'<rect x="{shown - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" height="{_bottom - top:.1f}" '
            f'rx="3" fill="{COLOURS["label_bg"]}" fill-opacity="0.9"/>'
        )
        baseline = top + 12
        for line in label.lines:
            out.append(
                f'<text x="{shown:.1f}" y="{baseline:.1f}" text-anchor="middle" font-size="{LABEL_FONT:g}" '
                f'fill="{COLOURS["muted"]}"{_direction(label.text)}>{escape(line)}</text>'
            )
            baseline += 14
        out.append("</g>")
    return out


def _label_spot(
    edge: _Edge, width: float, height: float, taken: list[tuple[float, float, float, float]]
) -> tuple[float, float]:
    """Candidate spots along the edge, best first; the first that overlaps nothing, else the least crowded."""
    points = edge.points
    if edge.source == edge.target:
        (x0, y0), (_x1, y1) = points
        candidates = [(x0 + 52 + width / 2, (y0 + y1) / 2)]
    elif len(points) == 2 and points[0][1] == points[1][1]:
        candidates = [((points[0][0] + points[1][0]) / 2, points[0][1] + 32)]
    else:
        segments = [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2)]  # the gaps between layers
        ts = (0.5, 0.35, 0.65, 0.22, 0.78)
        candidates = [_cubic_at(p0, p3, t) for p0, p3 in segments for t in ts]
        candidates += [(cx + dx, cy) for cx, cy in candidates[:5] for dx in (width * 0.6, -width * 0.6)]

    def overlap(centre: tuple[float, float]) -> float:
        left, top = centre[0] - width / 2, centre[1] - height / 2
        right, bottom = left + width, top + height
        return sum(
            max(0.0, min(right, r) - max(left, le)) * max(0.0, min(bottom, b) - max(top, t)) for le, t, r, b in taken
        )

    best = min(candidates, key=lambda spot: (overlap(spot) > 0, overlap(spot)))
    return best
