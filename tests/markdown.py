"""Read docs/ the way the doc tests need it: marked blocks and tables, plain cell text, heading anchors, links.

A block or table is marked by an HTML comment on the line right above it, e.g. ``<!-- bestand: path -->``;
the comment is invisible on GitHub and names what the test compares the block or table with.
"""

from __future__ import annotations

import re
from pathlib import Path

MARKED_BLOCK = re.compile(r"^<!-- (?P<mark>[^>]*?) -->\n```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)
MARKED_TABLE = re.compile(r"^<!-- (?P<mark>[^>]*?) -->\n(?P<table>(?:\|.*\n)+)", re.M)
FENCE = re.compile(r"^```.*?^```$", re.M | re.S)
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def marked_blocks(text: str) -> list[tuple[str, str, str]]:
    """(mark, language, body) of every fenced block with a marking comment, in order."""
    return [(m["mark"], m["lang"], m["body"]) for m in MARKED_BLOCK.finditer(text)]


def marked_tables(text: str) -> dict[str, list[dict[str, str]]]:
    """Each marked table as a list of rows, a row mapping the header's cells to its own (raw markdown)."""
    tables = {}
    for m in MARKED_TABLE.finditer(text):
        header, _rule, *rows = [cells(line) for line in m["table"].splitlines()]
        assert m["mark"] not in tables, f"two tables marked {m['mark']!r}"
        tables[m["mark"]] = [dict(zip(header, row, strict=True)) for row in rows]
    return tables


def cells(line: str) -> list[str]:
    """The cells of one table row, stripped."""
    return [c.strip() for c in line.strip().strip("|").split("|")]


def plain(cell: str) -> str:
    """A cell as text: links reduced to their label, code marks gone, whitespace collapsed."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cell).replace("`", "")
    return " ".join(text.split())


def code(cell: str) -> list[str]:
    """The code spans in a cell: ``\\`a\\`, \\`b\\``` gives ['a', 'b']."""
    return re.findall(r"`([^`]+)`", cell)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = plain(heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor in a markdown file (headings inside code blocks do not count)."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out = set()
    for heading in HEADING.findall(text):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(path: Path) -> list[str]:
    """Every relative link target in a markdown file, outside code blocks (``file#anchor``, ``#anchor``)."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return [t for t in LINK.findall(text) if not re.match(r"^[a-z]+:", t)]
