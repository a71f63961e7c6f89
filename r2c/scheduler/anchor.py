"""The anchor job: append the heads of every chain to ``R2C_AUDIT_ANKER`` when they changed (r2c.store.anchor).

Idempotent: a run that finds the heads as the file last anchored them writes nothing, so it can run every tick.
A run writes a line when the file is new or empty, when a head changed, or when the current key id differs from
the last line's (after a rotation). The job keeps the file's fold in memory between runs and reads the file again
only when its size is not what the job last left it at (someone else wrote to it, or r2c restarted).
"""

from __future__ import annotations

from pathlib import Path

from r2c.clock import Clock
from r2c.scheduler.report import Report
from r2c.service.challenges import ChallengeService
from r2c.settings import Settings
from r2c.store.anchor import Anchor, anchor_line, append_line, current_heads


class AnchorJob:
    """Appends anchor lines to one file.

    Attributes:
        path: the anchor file (R2C_AUDIT_ANKER).
    """

    def __init__(self, path: Path):
        self.path = path
        self._fold: dict[str, tuple[int, str]] = {}
        self._key: str | None = None
        self._size = -1

    def run(self, service: ChallengeService, clock: Clock) -> Report:
        """Anchor the heads if they changed since the file's last line; done = heads written, queued = lines."""
        report = Report()
        with service.units.read() as connection:
            heads = current_heads(connection)
        size = self.path.stat().st_size if self.path.exists() else 0
        if size != self._size:
            self._load(size)
        key = service.keyring.current
        if size and key == self._key and all(self._fold.get(cid) == head for cid, head in heads.items()):
            return report
        line = anchor_line(heads, self._fold, at=clock.now(), key_id=key)
        append_line(self.path, line)
        self._fold.update({challenge_id: (seq, hash_) for challenge_id, (seq, hash_) in line["koppen"].items()})
        self._key, self._size = key, self.path.stat().st_size
        report.done, report.queued = len(line["koppen"]), 1
        return report

    def _load(self, size: int) -> None:
        if size == 0:
            self._fold, self._key = {}, None
            return
        anchor = Anchor.read(self.path)
        self._fold, self._key = anchor.latest(), anchor.last["sleutel"]


def anchor_job(settings: Settings) -> AnchorJob | None:
    """The anchor job of the settings, or None when R2C_AUDIT_ANKER is not set."""
    return AnchorJob(settings.audit_anker) if settings.audit_anker is not None else None
