"""The hash chain over a challenge's history, and its verification (``r2c audit verify``).

Each history row's ``hash`` covers its own fields, the hash of its payload and the previous row's hash; the
first row chains to a hash of the challenge id. The payload (reason and data, which may name people) is hashed
with a random salt, so that erasing payload and salt (AVG) leaves a chain that still verifies and a hash that
reveals nothing. The challenge row keeps the head hash and the version (= number of rows), so removing the last
row is seen too. What this cannot see: a whole challenge removed with its history; keep the digest that
``verify`` prints somewhere else to catch that (docs/audit.md).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ERASURE_KIND = "persoonsgegevens_gewist"


def canonical(value: Any) -> bytes:
    """A stable byte form of JSON-like ``value`` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def utc_text(moment: datetime) -> str:
    """``moment`` in UTC as text; a naive value (SQLite gives those back) is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def genesis(challenge_id: str) -> str:
    """The 'previous hash' of a challenge's first history row."""
    return hashlib.sha256(f"r2c:{challenge_id}".encode()).hexdigest()


def new_salt() -> str:
    """A random salt for one payload."""
    return secrets.token_hex(16)


def payload_hash(payload: Mapping[str, Any] | None, salt: str) -> str:
    """The salted hash of a history payload."""
    return hashlib.sha256(bytes.fromhex(salt) + canonical(payload)).hexdigest()


HASHED_FIELDS = ("challenge_id", "seq", "kind", "event", "transition", "from_state", "to_state", "actor_id",
                 "actor_rol", "at", "artikel", "payload_hash", "snapshot_hash", "prev_hash")
"""The fields of a history row that its hash covers (``at`` as UTC text)."""

SNAPSHOT_FIELDS = ("gemeente", "workflow", "workflow_version", "state", "fase", "resultaat", "titel",
                   "behandelaar", "facts", "created_at", "closed_at", "erased_at")
"""The fields of the challenge row that each history row commits to, as they were right after that change."""


def snapshot_hash(challenge: Mapping[str, Any]) -> str:
    """The hash of the challenge row's SNAPSHOT_FIELDS (moments as UTC text)."""
    values = [utc_text(v) if isinstance(v := challenge[name], datetime) else v for name in SNAPSHOT_FIELDS]
    return hashlib.sha256(canonical(values)).hexdigest()


def row_hash(fields: Mapping[str, Any]) -> str:
    """The hash of one history row from its fields (see HASHED_FIELDS)."""
    values = [utc_text(fields["at"]) if name == "at" else fields[name] for name in HASHED_FIELDS]
    return hashlib.sha256(canonical(values)).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One thing wrong in the audit trail.

    Attributes:
        challenge_id: the challenge concerned.
        seq: the history row concerned, or None for the challenge as a whole.
        message: what is wrong, in Dutch.
    """

    challenge_id: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.challenge_id}#{self.seq}" if self.seq is not None else self.challenge_id
        return f"{where}: {self.message}"


@dataclass
class Report:
    """The outcome of a verification.

    Attributes:
        challenges: how many challenges were checked.
        records: how many history rows were checked.
        findings: everything wrong; empty when the trail is intact.
        digest: a hash over every challenge's head, to keep elsewhere and compare later.
    """

    challenges: int = 0
    records: int = 0
    findings: list[Finding] = field(default_factory=list)
    digest: str = ""

    @property
    def ok(self) -> bool:
        """Whether nothing was found."""
        return not self.findings


def verify_chain(challenge_id: str, head: Mapping[str, Any] | None, rows: Iterable[Mapping[str, Any]]) -> tuple[
        int, list[Finding]]:
    """Check one challenge's history rows (in seq order) against each other and the challenge row ``head``.

    ``head`` has version, head_hash and the SNAPSHOT_FIELDS; None when the challenge row itself is gone.
    Returns (rows checked, findings).
    """
    findings: list[Finding] = []

    def bad(seq: int | None, message: str) -> None:
        findings.append(Finding(challenge_id, seq, message))

    prev = genesis(challenge_id)
    expected_seq = 1
    last: Mapping[str, Any] | None = None
    rows = list(rows)
    erasure_seqs = [r["seq"] for r in rows if r["kind"] == ERASURE_KIND]
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            bad(seq, f"volgnummer {seq} waar {expected_seq} verwacht werd: een record is verwijderd of ingevoegd")
            expected_seq = seq
        if row["prev_hash"] != prev:
            bad(seq, "verwijst niet naar het record ervoor: een record is verwijderd, ingevoegd of gewijzigd")
        if row_hash(row) != row["hash"]:
            bad(seq, "inhoud klopt niet met de hash: dit record is gewijzigd")
        if row["payload_salt"] is not None:
            if payload_hash(row["payload"], row["payload_salt"]) != row["payload_hash"]:
                bad(seq, "reden of gegevens kloppen niet met de hash: gewijzigd")
        elif row["payload"] is not None:
            bad(seq, "reden of gegevens staan in een record waarvan ze gewist waren: toegevoegd buiten r2c om")
        elif not any(s > seq for s in erasure_seqs):
            bad(seq, "reden en gegevens ontbreken zonder vastgelegde wissing van persoonsgegevens")
        prev = row["hash"]
        expected_seq += 1
        last = row
    if head is None:
        bad(None, "geschiedenis zonder uitdaging: de uitdaging is verwijderd")
    elif last is None:
        bad(None, "uitdaging zonder geschiedenis: de records zijn verwijderd")
    else:
        if head["version"] != last["seq"]:
            bad(None, f"versie {head['version']}, maar de geschiedenis eindigt bij {last['seq']}: "
                      "een record is verwijderd of toegevoegd")
        if head["head_hash"] != last["hash"]:
            bad(None, "de laatste hash van de uitdaging past niet bij het laatste record")
        if head["state"] != last["to_state"]:
            bad(None, f"staat '{head['state']}' volgt niet uit de geschiedenis ('{last['to_state']}')")
        elif snapshot_hash(head) != last["snapshot_hash"]:
            changed = "staat, resultaat, titel, feiten, behandelaar of datums"
            bad(None, f"de uitdaging zelf ({changed}) is gewijzigd buiten r2c om: ze past niet bij record "
                      f"{last['seq']}")
    return len(rows), findings


def verify_database(session: Any, *, gemeente: str | None = None) -> Report:
    """Verify every challenge's chain (of one gemeente, or all), streaming the history in (challenge, seq) order."""
    from itertools import groupby

    from sqlalchemy import select

    from r2c.store.tables import ChallengeRow, HistoryRow

    challenge, history = ChallengeRow.__table__, HistoryRow.__table__
    heads_query = select(challenge.c.id, challenge.c.version, challenge.c.head_hash,
                         *(challenge.c[name] for name in SNAPSHOT_FIELDS if name != "state"), challenge.c.state)
    rows_query = select(history).order_by(history.c.challenge_id, history.c.seq)
    if gemeente is not None:
        heads_query = heads_query.where(challenge.c.gemeente == gemeente)
        rows_query = rows_query.where(history.c.challenge_id.in_(
            select(challenge.c.id).where(challenge.c.gemeente == gemeente)))
    heads = {r.id: r._mapping for r in session.execute(heads_query)}
    report = Report()
    seen: set[str] = set()
    digest = hashlib.sha256()
    stream = session.execute(rows_query.execution_options(yield_per=2000))
    for challenge_id, group in groupby((r._mapping for r in stream), key=lambda r: r["challenge_id"]):
        seen.add(challenge_id)
        count, findings = verify_chain(challenge_id, heads.get(challenge_id), group)
        report.records += count
        report.findings += findings
    for challenge_id in sorted(set(heads) - seen):
        report.findings += verify_chain(challenge_id, heads[challenge_id], [])[1]
    for challenge_id in sorted(heads):
        digest.update(f"{challenge_id}:{heads[challenge_id]['head_hash']}\n".encode())
    report.challenges = len(heads | dict.fromkeys(seen))
    report.digest = digest.hexdigest()
    return report
