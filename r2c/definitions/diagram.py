"""Diagrams of a workflow: Mermaid text (phases as composite states) and a standalone SVG.

The SVG needs no Graphviz: phases are columns in their file order, states are boxes in them, transitions are
curved arrows with the event's label. Good enough to review a gemeente's procedure; Mermaid for documents.
"""

from __future__ import annotations

from html import escape

from r2c.definitions.loader import Loaded


def _node_id(state: str) -> str:
    return state.replace(".", "__")


def mermaid(loaded: Loaded) -> str:
    """A Mermaid ``stateDiagram-v2``; internal steps (no change of state) are left out."""
    d, g = loaded.definition, loaded.graph
    lines = ["stateDiagram-v2", f"    %% {d.naam} (versie {d.versie})"]
    phases: dict[str, list[str]] = {}
    for state in g.states:
        phases.setdefault(g.phase_of[state], []).append(state)
    for phase, states in phases.items():
        lines.append(f'    state "{d.fasen[phase].label}" as {phase} {{')
        for state in states:
            lines.append(f'        state "{g.states[state].label}" as {_node_id(state)}')
        lines.append("    }")
    lines.append(f"    [*] --> {_node_id(d.initieel)}")
    seen: set[tuple[str, str, str]] = set()
    for e in g.edges:
        if e.dest is None or (e.source, e.dest, e.event) in seen:
            continue
        seen.add((e.source, e.dest, e.event))
        lines.append(f"    {_node_id(e.source)} --> {_node_id(e.dest)}: {e.event}")
    for state, staat in g.states.items():
        if staat.eind:
            lines.append(f"    {_node_id(state)} --> [*]")
    return "\n".join(lines) + "\n"


def svg(loaded: Loaded) -> str:
    """A standalone SVG drawing of the workflow."""
    d, g = loaded.definition, loaded.graph
    col_w, row_h, box_w, box_h, top = 230, 70, 180, 40, 60
    columns: dict[str, list[str]] = {}
    for state in g.states:
        columns.setdefault(g.phase_of[state], []).append(state)
    pos: dict[str, tuple[float, float]] = {}
    for ci, (phase, states) in enumerate(columns.items()):
        for ri, state in enumerate(states):
            pos[state] = (20 + ci * col_w, top + 30 + ri * row_h)
    width = 40 + len(columns) * col_w
    height = top + 60 + max(len(s) for s in columns.values()) * row_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f"<title>{escape(d.naam)} (versie {escape(d.versie)})</title>",
           '<defs><marker id="pijl" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
           f'<text x="20" y="24" font-size="16" font-weight="bold">{escape(d.naam)} — versie {escape(d.versie)}</text>']
    for ci, (phase, states) in enumerate(columns.items()):
        x = 10 + ci * col_w
        h = len(states) * row_h + 20
        out.append(f'<rect x="{x}" y="{top}" width="{col_w - 20}" height="{h}" rx="8" fill="#f4f6fa" stroke="#b8c2d6"/>')
        out.append(f'<text x="{x + 8}" y="{top + 16}" font-weight="bold">{escape(d.fasen[phase].label)}</text>')
    seen: set[tuple[str, str]] = set()
    for i, e in enumerate(g.edges):
        if e.dest is None or (e.source, e.dest) in seen:
            continue
        seen.add((e.source, e.dest))
        (x1, y1), (x2, y2) = pos[e.source], pos[e.dest]
        sx, sy = x1 + box_w, y1 + box_h / 2
        tx, ty = x2, y2 + box_h / 2
        if x2 <= x1:  # backwards or within a column: loop below
            sx, sy, tx, ty = x1 + box_w / 2, y1 + box_h, x2 + box_w / 2, y2 + box_h
        bend = 30 + (i % 5) * 12
        cx, cy = (sx + tx) / 2, max(sy, ty) + bend if x2 <= x1 else (sy + ty) / 2 - bend
        out.append(f'<path d="M {sx:.0f} {sy:.0f} Q {cx:.0f} {cy:.0f} {tx:.0f} {ty:.0f}" fill="none" '
                   f'stroke="#555" marker-end="url(#pijl)"><title>{escape(e.event)}</title></path>')
        out.append(f'<text x="{cx:.0f}" y="{(cy + (sy + ty) / 2) / 2:.0f}" font-size="10" fill="#333" '
                   f'text-anchor="middle">{escape(e.event)}</text>')
    for state, (x, y) in pos.items():
        staat = g.states[state]
        fill = "#dfe9d8" if staat.eind else ("#fff3c4" if state == d.initieel else "#ffffff")
        out.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="{fill}" stroke="#334"/>')
        out.append(f'<text x="{x + box_w / 2}" y="{y + box_h / 2 + 4}" text-anchor="middle">{escape(staat.label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
