"""The hash chain over a challenge's history, and its verification (``r2c audit verify``).

Each history row's ``hash`` covers its own fields, the hash of its payload and the previous row's hash; the
first row chains to a hash of the challenge id. The payload (reason and data, which may name people) is hashed
with a random salt, so that erasing payload and salt (AVG) leaves a chain that still verifies and a hash that
reveals nothing. The challenge row keeps the head hash and the version (= number of rows), so removing the last
row is seen too.

Keyed (``R2C_AUDIT_SLEUTEL`` or ``R2C_AUDIT_SLEUTELBESTAND``, r2c.store.audit_keys): a row's hash is then an
HMAC-SHA256 with the current key of a ``Keyring``, and the row records the key's id (``key_id``), so someone
with the code and write access but without the key cannot recompute a chain that verifies. Rows hashed before
keying (``key_id`` NULL) keep their plain SHA-256 and still verify; a keyless row after the first keyed row (in
the chain, or in time) is a finding: that is what recomputing without the key looks like.

What this cannot see: a whole challenge removed with its history, or (without a key) a whole chain recomputed;
the anchor outside the database (r2c.store.anchor) catches both (docs/audit.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

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


def _hashed_values(fields: Mapping[str, Any]) -> list[Any]:
    """HASHED_FIELDS of one history row, ``at`` as UTC text: what both the plain and the keyed hash cover."""
    return [utc_text(fields["at"]) if name == "at" else fields[name] for name in HASHED_FIELDS]


def row_hash(fields: Mapping[str, Any]) -> str:
    """The hash of one history row from its fields (see HASHED_FIELDS)."""
    return hashlib.sha256(canonical(_hashed_values(fields))).hexdigest()


def keyed_row_hash(fields: Mapping[str, Any], secret: bytes) -> str:
    """The HMAC-SHA256 with ``secret`` of one history row: HASHED_FIELDS and then its ``key_id``."""
    return hmac.new(secret, canonical([*_hashed_values(fields), fields["key_id"]]), hashlib.sha256).hexdigest()


def key_id(secret: str) -> str:
    """The id of an audit key: 8 hex characters of a SHA-256 of it (domain-separated), safe to store and show."""
    return hashlib.sha256(b"r2c-audit-sleutel:" + secret.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Keyring:
    """The audit keys r2c knows: the current one hashes new rows, every one verifies the rows it hashed.

    Attributes:
        current: the id of the key new rows are hashed with; None: no key, rows get the plain SHA-256.
        secrets: key id -> secret (never shown: not in repr).
    """

    current: str | None = None
    secrets: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, secrets: Iterable[str]) -> Keyring:
        """A keyring of ``secrets``, the last one current; none gives the keyless keyring."""
        secrets = list(secrets)
        keys = {key_id(secret): secret.encode() for secret in secrets}
        return cls(key_id(secrets[-1]) if secrets else None, keys)

    def hash_of(self, fields: Mapping[str, Any]) -> str | None:
        """The hash of a row by its ``key_id`` (plain SHA-256 when None); None when that key is not here."""
        kid = fields.get("key_id")
        if kid is None:
            return row_hash(fields)
        secret = self.secrets.get(kid)
        return None if secret is None else keyed_row_hash(fields, secret)


NO_KEYS = Keyring()
"""The keyring without keys: r2c as before keying."""


def heads_digest(heads: Mapping[str, str]) -> str:
    """The fingerprint ``r2c audit verify`` prints: SHA-256 over 'id:head_hash' lines, sorted by id."""
    digest = hashlib.sha256()
    for challenge_id in sorted(heads):
        digest.update(f"{challenge_id}:{heads[challenge_id]}\n".encode())
    return digest.hexdigest()


DOWNGRADE = ("zonder sleutel vastgelegd terwijl r2c al met een sleutel werkte: de hashes zijn zonder de sleutel "
             "opnieuw berekend, of r2c draaide zonder sleutel")


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
        keyed: how many of the rows were hashed with a key.
    """

    challenges: int = 0
    records: int = 0
    findings: list[Finding] = field(default_factory=list)
    digest: str = ""
    keyed: int = 0

    @property
    def ok(self) -> bool:
        """Whether nothing was found."""
        return not self.findings


class AnchorCheck(Protocol):
    """A check of the history against heads kept outside the database (r2c.store.anchor.Anchor)."""

    def check(self, challenge_id: str, rows: list[Mapping[str, Any]]) -> list[Finding]:
        """Findings about one challenge's rows (in seq order)."""

    def missing(self, present: set[str]) -> list[Finding]:
        """Findings about anchored challenges that are not in ``present``."""


def verify_chain(challenge_id: str, head: Mapping[str, Any] | None, rows: Iterable[Mapping[str, Any]], *,
                 keyring: Keyring = NO_KEYS, keyed_since: str | None = None) -> tuple[int, list[Finding]]:
    """Check one challenge's history rows (in seq order) against each other and the challenge row ``head``.

    ``head`` has version, head_hash and the SNAPSHOT_FIELDS; None when the challenge row itself is gone. A row
    with a ``key_id`` is checked with that key of ``keyring``; ``keyed_since`` (UTC text) is the moment of the
    first keyed row in the database: a keyless row after it is a finding, as is one after a keyed row.
    Returns (rows checked, findings).
    """
    findings: list[Finding] = []

    def bad(seq: int | None, message: str) -> None:
        findings.append(Finding(challenge_id, seq, message))

    keyed_seen = False
    downgraded: list[int] = []
    unknown: dict[str, list[int]] = {}

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
        kid = row.get("key_id")
        if kid is not None:
            keyed_seen = True
        elif keyed_seen or (keyed_since is not None and utc_text(row["at"]) > keyed_since):
            downgraded.append(seq)
        expected = keyring.hash_of(row)
        if expected is None:
            unknown.setdefault(kid, []).append(seq)
        elif expected != row["hash"]:
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
    if downgraded:
        more = f" ({len(downgraded)} record(s) zonder sleutel vanaf hier)" if len(downgraded) > 1 else ""
        bad(downgraded[0], DOWNGRADE + more)
    for kid, seqs in unknown.items():
        bad(seqs[0], f"vastgelegd met sleutel {kid}, die niet is ingesteld: {len(seqs)} record(s) vanaf hier niet te "
                     "controleren; zet die sleutel in R2C_AUDIT_SLEUTELBESTAND")
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


def verify_database(session: Any, *, gemeente: str | None = None, keyring: Keyring = NO_KEYS,
                    anchor: AnchorCheck | None = None) -> Report:
    """Verify every challenge's chain (of one gemeente, or all), streaming the history in (challenge, seq) order;
    keyed rows with ``keyring``, and against ``anchor`` when given (which is about the whole database)."""
    from itertools import groupby

    from sqlalchemy import func, select

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
    first_keyed = session.execute(select(func.min(history.c.at)).where(history.c.key_id.is_not(None))).scalar()
    keyed_since = utc_text(first_keyed) if first_keyed is not None else None
    report = Report()
    seen: set[str] = set()
    stream = session.execute(rows_query.execution_options(yield_per=2000))
    for challenge_id, group in groupby((r._mapping for r in stream), key=lambda r: r["challenge_id"]):
        seen.add(challenge_id)
        rows = list(group)
        count, findings = verify_chain(challenge_id, heads.get(challenge_id), rows, keyring=keyring,
                                       keyed_since=keyed_since)
        report.records += count
        report.keyed += sum(1 for row in rows if row["key_id"] is not None)
        report.findings += findings
        if anchor is not None:
            report.findings += anchor.check(challenge_id, rows)
    for challenge_id in sorted(set(heads) - seen):
        report.findings += verify_chain(challenge_id, heads[challenge_id], [])[1]
        if anchor is not None:
            report.findings += anchor.check(challenge_id, [])
    if anchor is not None:
        report.findings += anchor.missing(set(heads) | seen)
    report.challenges = len(heads | dict.fromkeys(seen))
    report.digest = heads_digest({challenge_id: head["head_hash"] for challenge_id, head in heads.items()})
    return report
