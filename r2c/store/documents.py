"""Document storage: content-addressed files in a directory, so a retry or a rolled-back upload leaves no harm.

A file is written (atomically, via a temporary name) before the transaction that records it commits; if that
transaction fails the file is an orphan that a later upload of the same content reuses.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from r2c.errors import StorageError


class DocumentStore:
    """Files by their SHA-256 under ``root``.

    Attributes:
        root: the directory (created when missing).
    """

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        """Store ``content``; returns its SHA-256."""
        digest = hashlib.sha256(content).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, path)
        except OSError as error:
            raise StorageError(f"document kan niet worden opgeslagen in {self.root}: {error.strerror}") from None
        return digest

    def get(self, sha256: str) -> bytes:
        """The content with this SHA-256; StorageError when it is missing or altered."""
        try:
            content = self._path(sha256).read_bytes()
        except OSError:
            raise StorageError(f"document {sha256} ontbreekt in {self.root}") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise StorageError(f"document {sha256} in {self.root} is gewijzigd: de controlesom klopt niet")
        return content

    def discard(self, sha256: str) -> None:
        """Remove the content with this SHA-256, if present (after erasure)."""
        self._path(sha256).unlink(missing_ok=True)
