"""The archive: every uploaded file, kept as sent, named by its SHA-256, never deleted.

A file is written beside its final name and renamed into place, so a reader never sees
half a file and a crash leaves at most a stray temporary file. Storing the same bytes
twice is a no-op.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archived_path(archive_dir: Path, sha256: str) -> Path:
    return archive_dir / sha256[:2] / sha256


def store(archive_dir: Path, data: bytes) -> tuple[str, Path]:
    """Keep the bytes; returns their SHA-256 and where they are."""
    sha256 = digest(data)
    target = archived_path(archive_dir, sha256)
    if target.exists():
        return sha256, target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o444)  # archived files are read-only
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return sha256, target


def read(archive_dir: Path, sha256: str) -> bytes:
    return archived_path(archive_dir, sha256).read_bytes()
