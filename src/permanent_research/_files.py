"""Atomic file writes: a reader never sees a half-written file, and a failure leaves the old one.

Each write goes to a temporary file in the target's folder, gets the permissions a normally
created file would have (``mkstemp`` alone gives 0600), and is renamed into place with
``os.replace``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_text_atomic"]


@functools.cache
def _file_mode() -> int:
    """Mode of a normally created file: ``0o666`` minus the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` if the block succeeds.

    Examples
    --------
    >>> with atomic_path(Path("table.parquet")) as temporary:  # doctest: +SKIP
    ...     frame.to_parquet(temporary)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _file_mode())
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` atomically."""
    with atomic_path(Path(path)) as temporary:
        temporary.write_text(text, encoding="utf-8")
