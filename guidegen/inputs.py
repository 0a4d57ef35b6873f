"""Reading a small text file the user names (an attendee CSV, a job advert, a bank to import):
its bytes up to a limit, then UTF-8, each failure a UsageError naming the file (and line)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from guidegen.errors import UsageError


def read_limited(path: Path, shown: str, limit: int, too_big: Callable[[int], str]) -> bytes:
    """At most ``limit`` bytes of ``path``; ``too_big(size)`` is the message for a bigger file."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise UsageError(too_big(size))
        with path.open("rb") as stream:
            return stream.read(limit + 1)
    except OSError as error:
        raise UsageError(f"cannot read {shown}: {error.strerror or error}") from None


def decode_utf8(raw: bytes, shown: str, save_as: str) -> str:
    """``raw`` as UTF-8 text (a byte-order mark allowed); else the line of the first bad byte
    and ``save_as``, what to do about it."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise UsageError(
            f"{shown}:{line}: not UTF-8 text (byte 0x{raw[error.start]:02x}); {save_as}"
        ) from None
