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


def csv_error(error: Exception, shown: str, row_start: int, line: int) -> UsageError:
    """What to say about a CSV the csv module stopped reading (an attendee list or a question
    bank): a quote never closed, named at the row it opens, or the line it choked on."""
    if "EOF" in str(error) or "end of data" in str(error):
        return UsageError(
            f"{shown}:{row_start}: a quoted cell that starts in this row is never closed; "
            'add the missing " (or remove the stray one)'
        )
    return UsageError(f"{shown}:{line}: not a readable CSV row ({error})")


def repeated_columns_error(shown: str, header: list[str], known) -> UsageError | None:
    """The header naming a known column twice, or None."""
    repeated = sorted({name for name in header if name in known and header.count(name) > 1})
    if not repeated:
        return None
    return UsageError(f"{shown}:1: the header names {', '.join(repeated)} more than once")
