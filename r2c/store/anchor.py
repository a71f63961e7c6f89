"""The anchor: the heads of every chain, kept outside the database in an append-only file (``R2C_AUDIT_ANKER``).

One JSON line per change of the database's heads, appended and fsync'd by the planner (r2c.scheduler.anchor)::

    {"versie": 1, "tijd": "2026-03-02T08:00:00+00:00", "vingerafdruk": "<as r2c audit verify prints it>",
     "uitdagingen": 2, "records": 5, "sleutel": "1a2b3c4d", "koppen": {"<challenge id>": [4, "<hash of #4>"]}}

``koppen`` holds the heads (seq and hash of the last row) of the challenges that changed since the line before;
the first line holds all of them. Folding the lines gives, per challenge, the last head that was anchored.
History only grows, so ``r2c audit verify --anker FILE`` checks that each anchored head is still in the chain at
that seq with that hash: new rows after it are fine, a rewritten row at or before it is not, nor is a challenge
that is gone. ``sleutel`` is the id of the key r2c hashed with (null: none); from the first line of the last run
of keyed lines on, a keyless row beyond what was anchored then is a finding (the key was stripped).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from r2c.errors import R2CError
from r2c.store.audit import Finding, heads_digest
from r2c.store.tables import ChallengeRow

VERSION = 1
CHALLENGE = ChallengeRow.__table__
_HEADS = select(CHALLENGE.c.id, CHALLENGE.c.version, CHALLENGE.c.head_hash)


class AnchorError(R2CError):
    """The anchor file is missing or damaged (which may itself be tampering): a Dutch message naming the line."""


@dataclass(frozen=True)
class AnchoredHead:
    """The last anchored head of one challenge.

    Attributes:
        seq: the row that was the last one.
        hash: that row's hash.
        line: the number of the anchor line that wrote it (from 1).
        at: when that line was written (its ``tijd``).
    """

    seq: int
    hash: str
    line: int
    at: str


@dataclass
class Anchor:
    """An anchor file read and folded; a check for ``r2c.store.audit.verify_database``.

    Attributes:
        path: the file.
        heads: challenge id -> its last anchored head.
        lines: how many lines the file has.
        last: the last line (parsed).
        pinned: the heads as anchored by the first line of the last run of keyed lines, or None when the last
            line had no key: from then on r2c hashed with a key, so a keyless row after them is a finding.
        pinned_line: the number of that line.
    """

    path: Path
    heads: dict[str, AnchoredHead] = field(default_factory=dict)
    lines: int = 0
    last: dict[str, Any] = field(default_factory=dict)
    pinned: dict[str, AnchoredHead] | None = None
    pinned_line: int = 0

    @classmethod
    def read(cls, path: Path) -> Anchor:
        """Read and fold the file; AnchorError when it is missing, empty or has a line that is not an anchor."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AnchorError(f"anker {path} bestaat niet") from None
        except (OSError, UnicodeDecodeError) as error:
            raise AnchorError(f"anker {path} is niet te lezen ({type(error).__name__})") from None
        anchor = cls(path)
        for number, raw in enumerate(text.splitlines(), start=1):
            line = _parse(path, number, raw)
            anchor.lines = number
            for challenge_id, (seq, hash_) in line["koppen"].items():
                anchor.heads[challenge_id] = AnchoredHead(seq, hash_, number, line["tijd"])
            if line["sleutel"] is None:
                anchor.pinned = None
            elif anchor.pinned is None:
                anchor.pinned, anchor.pinned_line = dict(anchor.heads), number
            anchor.last = line
        if not anchor.lines:
            raise AnchorError(f"anker {path} is leeg")
        return anchor

    def where(self, head: AnchoredHead) -> str:
        """'regel N van FILE, TIME': where a head was anchored, for a message."""
        return f"regel {head.line} van {self.path.name}, {head.at}"

    def check(self, challenge_id: str, rows: list[Mapping[str, Any]]) -> list[Finding]:
        """The anchored head must still be in the chain, at its seq with its hash; no keyless row after pinning."""
        findings: list[Finding] = []
        head = self.heads.get(challenge_id)
        if head is not None:
            row = next((r for r in rows if r["seq"] == head.seq), None)
            if row is None:
                findings.append(Finding(challenge_id, head.seq, f"staat in het anker ({self.where(head)}) maar "
                                                                "ontbreekt: de geschiedenis is ingekort"))
            elif row["hash"] != head.hash:
                findings.append(Finding(challenge_id, head.seq, f"past niet bij het anker ({self.where(head)}): de "
                                                                "geschiedenis tot hier is herschreven"))
        if self.pinned is not None:
            pinned = self.pinned.get(challenge_id)
            after = pinned.seq if pinned is not None else 0
            keyless = [r["seq"] for r in rows if r["seq"] > after and r.get("key_id") is None]
            if keyless:
                findings.append(Finding(challenge_id, keyless[0], (
                    f"zonder sleutel vastgelegd na regel {self.pinned_line} van {self.path.name}, vanaf waar r2c met "
                    f"een sleutel werkte: de hashes zijn zonder de sleutel opnieuw berekend, of r2c draaide zonder "
                    "sleutel")))
        return findings

    def missing(self, present: set[str]) -> list[Finding]:
        """Anchored challenges that are no longer in the database."""
        return [Finding(challenge_id, None, f"staat in het anker ({self.where(head)}) maar niet meer in de "
                                            "database: de uitdaging is met haar geschiedenis verwijderd")
                for challenge_id, head in sorted(self.heads.items()) if challenge_id not in present]

    def latest(self) -> dict[str, tuple[int, str]]:
        """Challenge id -> (seq, hash) of its last anchored head."""
        return {challenge_id: (head.seq, head.hash) for challenge_id, head in self.heads.items()}


def _parse(path: Path, number: int, raw: str) -> dict[str, Any]:
    """One anchor line, checked for its shape."""
    try:
        line = json.loads(raw)
        if not isinstance(line, dict) or line.get("versie") != VERSION or not isinstance(line["tijd"], str):
            raise ValueError
        if not isinstance(line["koppen"], dict) or not all(
                isinstance(seq, int) and isinstance(hash_, str) for seq, hash_ in line["koppen"].values()):
            raise ValueError
        if line["sleutel"] is not None and not isinstance(line["sleutel"], str):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise AnchorError(f"regel {number} van anker {path} is geen ankerregel: het bestand is beschadigd of "
                          "gewijzigd") from None
    return line


def current_heads(connection: Connection) -> dict[str, tuple[int, str]]:
    """Every challenge's head as the challenge row has it: id -> (version, head_hash)."""
    return {row.id: (row.version, row.head_hash) for row in connection.execute(_HEADS)}


def anchor_line(heads: Mapping[str, tuple[int, str]], anchored: Mapping[str, tuple[int, str]], *, at: datetime,
                key_id: str | None) -> dict[str, Any]:
    """The line that anchors ``heads``, listing the ones that differ from ``anchored`` (the file's fold so far)."""
    changed = {challenge_id: list(head) for challenge_id, head in sorted(heads.items())
               if anchored.get(challenge_id) != head}
    digest = heads_digest({challenge_id: hash_ for challenge_id, (_, hash_) in heads.items()})
    return {"versie": VERSION, "tijd": at.astimezone(UTC).isoformat(timespec="seconds"), "vingerafdruk": digest,
            "uitdagingen": len(heads), "records": sum(seq for seq, _ in heads.values()), "sleutel": key_id,
            "koppen": changed}


def append_line(path: Path, line: Mapping[str, Any]) -> None:
    """Append ``line`` to the anchor file as one write, in append mode, and fsync it (and a new file's folder)."""
    new = not path.exists()
    data = (json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if new and hasattr(os, "O_DIRECTORY"):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
