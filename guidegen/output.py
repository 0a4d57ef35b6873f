"""Every file guidegen writes goes through ``write_atomically``.

The rules, in one place:
- A temporary file is created beside the target with ``O_CREAT | O_EXCL | O_NOFOLLOW``, filled,
  flushed to disk and renamed onto the final name, so a failed or interrupted run never leaves
  half a file and never damages an earlier one.
- A symbolic link at the final name is refused, never followed: in a shared output folder a
  planted link would otherwise let a batch overwrite any file the user can write. The rename
  itself replaces a name, not what a name points at, so a link planted after the check is
  replaced, not followed.
- The temporary name is short and fixed in length, so any final name the file system accepts
  (255 bytes on Linux and macOS) can be written.
- Every operating-system failure becomes one ``OutputError`` line (exit 2) naming the path and
  the reason: a full disk, a read-only folder, a name that is too long.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from guidegen.errors import OutputError

NAME_MAX = 255  # bytes in one file name on Linux, macOS (APFS) and Windows (NTFS, in UTF-16)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def check_name(path: Path) -> None:
    """Refuse a file name that no common file system would store."""
    size = len(os.fsencode(path.name))
    if not path.name:
        raise OutputError(f"cannot write {path}: it names no file")
    if size > NAME_MAX:
        raise OutputError(
            f"cannot write {path.name[:40]}…: the file name is {size} bytes long "
            f"and file systems allow at most {NAME_MAX}; choose a shorter name"
        )


def existing_kind(path: Path) -> str | None:
    """None if nothing is at ``path``; else 'file', 'link', 'folder' or 'special'."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise OutputError(
            f"cannot write {path}: a part of the path is a file, not a folder"
        ) from None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "special"


def refuse_unwritable(path: Path) -> None:
    """The checks ``write_atomically`` makes before writing, for a caller that wants to fail
    before spending seconds on layout."""
    check_name(path)
    kind = existing_kind(path)
    if kind == "link":
        raise OutputError(
            f"cannot write {path}: it is a symbolic link, and guidegen never "
            "writes through one; remove the link or choose another name"
        )
    if kind == "folder":
        raise OutputError(f"cannot write {path}: it is a folder; give a file name inside it")
    if kind == "special":
        raise OutputError(
            f"cannot write {path}: it is not a regular file (a device, socket or "
            "pipe); give a file name"
        )
    if kind == "file" and _read_only(path):
        raise OutputError(
            f"cannot write {path}: the file is read-only, and guidegen leaves it as it is; "
            "make it writable (chmod u+w) or choose another name"
        )
    folder = path.parent
    try:
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # the nearest folder that exists; the rest will be made
        usable = folder.is_dir()
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None
    if not usable:
        raise OutputError(f"cannot write {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: {folder} is not a writable folder")


def _read_only(path: Path) -> bool:
    """Whether an existing file is read-only: no write bit at all, or none for this user.

    The file is replaced by renaming a new one over it, which only needs the folder to be
    writable; a user who made the file read-only (or root, who may write anything) still
    means it to be kept.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not mode & 0o222 or not os.access(path, os.W_OK)


def write_atomically(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` as one complete file, or raise OutputError and change nothing.

    An existing file keeps its permission bits; a new one gets the usual umask. ``durable=False``
    skips the flush to disk, for a file that may be lost (the content cache: an entry cut short
    by a crash does not decode, and is written again).
    """
    path = Path(path)
    refuse_unwritable(path)
    try:
        previous_mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        previous_mode = None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the folder {path.parent}: {_reason(error)}") from None
    temp = path.parent / f".guidegen-{secrets.token_hex(6)}.part"
    flags = (
        os.O_WRONLY
        | os.O_CREAT
        | os.O_EXCL
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_BINARY", 0)
    )
    # The temporary file is opened inside the block that removes it: a signal that lands just
    # after it is created (between two bytecodes) still removes it.
    opened = False
    try:
        try:
            handle = os.open(temp, flags, 0o666)
        except OSError as error:
            raise OutputError(
                f"cannot write to the folder {path.parent}: {_reason(error)}"
            ) from None
        opened = True
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
            if previous_mode is not None and hasattr(os, "fchmod"):
                os.fchmod(stream.fileno(), previous_mode)
        os.replace(temp, path)
    except BaseException as error:
        if opened or not isinstance(error, OutputError):
            try:
                os.unlink(temp)  # ours: created with O_EXCL under a random name
            except OSError:
                pass
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {path}: {_reason(error)}") from None
        raise
