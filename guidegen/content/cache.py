"""A cache of loaded content folders, so that ``roles``, ``validate`` and the other commands
that read a folder nobody has changed skip PyYAML, the parse and pydantic's validation.

What is cached: a ``Bank`` that loaded without a problem (warnings included), and the summary
``roles`` and ``validate`` print (``cli/common.py``), as JSON, in
``$GUIDEGEN_CACHE_DIR`` or else the user's cache folder (platformdirs: ``~/.cache/guidegen``
on Linux), one file per content folder, named by a hash of the folder's path: never beside
the user's files. ``GUIDEGEN_CACHE_DIR=`` (empty) turns the cache off.

When it is used: only when every input of the load is as it was when the cached load began.
The inputs are listed before the load reads anything (so a file changed while it is read
makes the entry stale, not wrong): the folder's resolved path, and for workbook.yaml,
vocabulary.yaml, questions/, ask/, roles/ and every entry of those folders, its ``lstat``
(type and mode, size, mtime_ns, ctime_ns, inode, device, link count) and, for a symbolic
link, where it leads and that file's ``stat``. A pack that extends the built-in one adds
the built-in folder's inputs; a pack with a theme adds where the theme folder resolves. The
entry also names the guidegen version and a hash of the source that shapes it (the models,
the loader, and the summary the CLI stores beside the Bank), so a changed schema never reads
an old entry. A file written less than ``RACY_NS`` before the listing is not cached at all:
within one tick of the file system's clock a second write could leave size and times
unchanged. ctime cannot be set back by a
program, so a file restored with its old mtime (``touch -d``, ``tar``, ``rsync -t``) is
still seen as changed.

What it can never do: hide a content error. A load with a problem is never stored, so a
folder with an error is read again every time and reports it with its file and line.

Safety: the entry is JSON, read into the content models' own classes only (a closed list, by
name), never pickle: a swapped-in file can at worst hold wrong text, not run code, and it
names no file to read. An entry that is not a regular file owned by the user, is writable
by others, or does not decode is ignored and written again. Entries are written atomically
(``guidegen.output``; not flushed to disk: a cut-short entry does not decode), in a folder
made private to the user.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import time
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guidegen import __version__
from guidegen.content.bank import Bank
from guidegen.errors import ContentError, OutputError, Problem
from guidegen.paths import CONTENT_DIR

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import BaseModel

CACHE_ENV = "GUIDEGEN_CACHE_DIR"
FORMAT = 1  # the layout of an entry; the source hash covers what the models hold
RACY_NS = 2_000_000_000  # FAT's 2-second clock is the coarsest a content folder may be on
MAX_ENTRY_BYTES = 512 * 1024 * 1024
_FOLDERS = ("questions", "ask", "roles")
_FILES = ("workbook.yaml", "vocabulary.yaml")


def cache_folder() -> Path | None:
    """Where entries live, or None when the cache is off."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return Path(value) if value else None
    import platformdirs

    return Path(platformdirs.user_cache_dir("guidegen", appauthor=False)) / "content"


def load(
    content_dir: Path, strict: bool = False, summarise: Callable[[Bank], Any] | None = None
) -> Bank:
    """``load.load_bank(content_dir, strict)``, from the cache when nothing changed.

    ``summarise(bank)``, when given, makes the JSON data stored beside a new entry for
    ``summary`` to return (the CLI's role table and counts).
    """
    entry = _Entry(content_dir)
    bank = entry.bank()
    if bank is None:
        bank = _load_uncached(content_dir, strict)
        entry.store(bank, summarise(bank) if summarise else None)
    _refuse_warnings(bank.warnings, strict)
    return bank


def summary(content_dir: Path, strict: bool = False) -> tuple[Any, list[Problem]] | None:
    """The stored summary of an unchanged folder and its warnings, or None (then ``load``).

    Neither the models nor pydantic are imported: that is the whole of what ``roles`` and
    ``validate`` spend on a folder nobody changed.
    """
    entry = _Entry(content_dir)
    if entry.header is None or entry.header.get("summary") is None:
        return None
    warnings = entry.warnings()
    if warnings is None:
        return None
    _refuse_warnings(warnings, strict)
    return entry.header["summary"], warnings


def _refuse_warnings(warnings: list[Problem], strict: bool) -> None:
    if strict and warnings:
        # What load_bank(strict=True) raises for a folder whose only problems are warnings.
        raise ContentError(list(warnings))


def _load_uncached(content_dir: Path, strict: bool) -> Bank:
    from guidegen.content.load import load_bank

    return load_bank(content_dir, strict=strict)


def _name(content_dir: Path) -> str:
    # The folder as written and where it is: problems name files relative to the folder as
    # written, so two spellings of one folder are two entries.
    return f"{os.path.abspath(content_dir)}\0{content_dir}"


def _source_hash() -> str:
    """The source of what shapes an entry: the content package, the Problem it reports, and
    the role lists and summary the CLI stores (select.py, cli/common.py)."""
    package = Path(__file__).resolve().parent
    root = package.parent
    digest = hashlib.sha256()
    extra = [root / "errors.py", root / "select.py", root / "cli" / "common.py"]
    for path in [*sorted(package.glob("*.py")), *extra]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _signature(path: Path) -> list | None:
    """What a change to ``path`` changes (None: it does not exist)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    found: list = [_stat_fields(info)]
    if stat.S_ISLNK(info.st_mode):
        # Where the link leads, and that file: retargeting a link, or editing its target,
        # changes one of them.
        found.append(os.path.realpath(path))
        try:
            found.append(_stat_fields(os.stat(path)))
        except OSError:
            found.append(None)  # a broken link (or a loop): the loader reports it
    return found


def _stat_fields(info: os.stat_result) -> list[int]:
    return [
        info.st_mode,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
        info.st_ino,
        info.st_dev,
        info.st_nlink,
    ]


def _inputs(content_dir: Path) -> dict[str, Any]:
    """Every file and folder the loader looks at in ``content_dir``, with its signature."""
    found: dict[str, Any] = {"": [os.path.realpath(content_dir), _signature(content_dir)]}
    for name in _FILES:
        found[name] = _signature(content_dir / name)
    for name in _FOLDERS:
        folder = content_dir / name
        found[name] = _signature(folder)
        try:
            entries = sorted(os.listdir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        # Every entry, not only *.yaml files: a folder named x.yaml, or a link that becomes a
        # file, is what the loader decides on, so it is an input too.
        for entry in entries:
            found[f"{name}/{entry}"] = _signature(folder / entry)
    return found


def _theme(content_dir: Path, theme: str | None) -> list | None:
    """What ``load``'s theme check decides on: where the theme folder resolves, and whether
    it is a folder there."""
    if theme is None:
        return None
    try:
        resolved = (content_dir / theme).resolve(strict=True)
    except (OSError, RuntimeError):
        return [theme, None, False]
    return [theme, str(resolved), resolved.is_dir()]


def _newest_ns(inputs: Any) -> int:
    """The latest mtime or ctime among the signatures in ``inputs``."""
    if not isinstance(inputs, list | dict):
        return 0
    parts = list(inputs.values()) if isinstance(inputs, dict) else inputs
    if len(parts) == 7 and all(isinstance(part, int) for part in parts):  # _stat_fields
        return max(parts[2], parts[3])
    return max((_newest_ns(part) for part in parts), default=0)


def _key(content_dir: Path, pack: dict, builtin: dict | None, theme: list | None) -> dict:
    return {
        "format": FORMAT,
        "version": __version__,
        "source": _source_hash(),
        "folder": _name(content_dir),
        "pack": pack,
        "builtin": builtin,
        "theme": theme,
    }


# An entry is two lines of JSON: a header (the key, the warnings, the summary) and the Bank,
# so that ``summary`` parses a few kilobytes instead of the whole bank.
_DECODE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


class _Entry:
    """The cache entry of one content folder: its inputs as they are now, and what the
    entry holds if it was made from exactly these inputs (else ``header`` is None)."""

    def __init__(self, content_dir: Path):
        self.content_dir = content_dir
        self.path: Path | None = None
        self.header: dict | None = None
        self.body = b""
        folder = cache_folder()
        if folder is None:
            return
        try:
            # Listed before anything is read: see the module's docstring.
            self.started = time.time_ns()
            self.pack = _inputs(content_dir)
            self.builtin = _inputs(CONTENT_DIR)
        except OSError:
            return  # the loader reports what cannot be read
        name = hashlib.sha256(_name(content_dir).encode()).hexdigest()[:32]
        self.path = folder / f"{name}.json"
        raw = _read_file(self.path)
        if raw is None:
            return
        first, _, self.body = raw.partition(b"\n")
        try:
            header = json.loads(first)
            key = header["key"]
            if (
                key.get("format") != FORMAT
                or key.get("version") != __version__
                or key.get("folder") != _name(content_dir)
                or key.get("pack") != self.pack
                or (key.get("builtin") is not None and key["builtin"] != self.builtin)
                or key.get("source") != _source_hash()
            ):
                return
            theme = key.get("theme")
            if theme is not None and _theme(content_dir, theme[0]) != theme:
                return
        except (*_DECODE_ERRORS, OSError):
            return  # corrupt, or from a guidegen that wrote it differently: load again
        self.header = header

    def warnings(self) -> list[Problem] | None:
        assert self.header is not None
        try:
            warnings = _decode(self.header["warnings"])
        except _DECODE_ERRORS:
            return None
        if not isinstance(warnings, list) or not all(isinstance(w, Problem) for w in warnings):
            return None
        return warnings

    def bank(self) -> Bank | None:
        if self.header is None:
            return None
        try:
            bank = _decode(json.loads(self.body))
        except _DECODE_ERRORS:
            return None
        if not isinstance(bank, Bank) or bank.content_dir != self.content_dir:
            return None
        return bank

    def store(self, bank: Bank, summary: Any) -> None:
        """Write ``bank`` as this folder's entry, unless an input is too new to be told apart
        from a write still to come; a cache that cannot be written is no error."""
        if self.path is None:
            return
        content_dir = self.content_dir
        extends = (
            bank.workbook.extends == "builtin" and content_dir.resolve() != CONTENT_DIR.resolve()
        )
        try:
            theme = _theme(content_dir, bank.workbook.theme)
            if theme is not None and not theme[2]:
                return  # changed since the load checked it
            inputs = [self.pack, self.builtin] if extends else [self.pack]
            if _newest_ns(inputs) >= self.started - RACY_NS:
                return
            key = _key(content_dir, self.pack, self.builtin if extends else None, theme)
            header = {"key": key, "warnings": _encode(bank.warnings), "summary": summary}
            data = b"\n".join(
                json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                for part in (header, _encode(bank))
            )
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # An entry that was refused (a link, or writable by others) goes first: a new
            # file would keep its permissions, and a link is never written through.
            if os.path.lexists(self.path):
                os.unlink(self.path)
            from guidegen.output import write_atomically

            write_atomically(self.path, data, durable=False)
        except (OSError, OutputError):
            pass


def _read_file(path: Path) -> bytes | None:
    """The entry's bytes, if it is a regular file of the user's that no one else can write."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        handle = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                or (hasattr(os, "getuid") and info.st_uid != os.getuid())
                or info.st_size > MAX_ENTRY_BYTES
            ):
                return None
            return stream.read()
    except OSError:
        return None


# The entry's JSON: every value tagged with what it was, so it is read back as exactly that.
# A model is {"$model": class name, "set": the fields the file gave, "fields": {name: value}}.


@functools.cache
def _model_classes() -> dict[str, type[BaseModel]]:
    from pydantic import BaseModel

    from guidegen.content import models

    return {
        name: value
        for name, value in vars(models).items()
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel
    }


def _encode(value: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return {
            "$model": type(value).__name__,
            "set": sorted(value.model_fields_set),
            "fields": {name: _encode(item) for name, item in value.__dict__.items()},
        }
    if isinstance(value, Bank):
        return {"$bank": {f.name: _encode(getattr(value, f.name)) for f in fields(Bank)}}
    if isinstance(value, Problem):
        return {"$problem": [_encode(getattr(value, f.name)) for f in fields(Problem)]}
    if isinstance(value, Path):
        return {"$path": str(value)}
    if isinstance(value, dict):
        return {"$dict": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item) for item in value]}
    if value is None or isinstance(value, str | int | float):
        return value  # bool is an int
    raise TypeError(f"the content cache cannot store a {type(value).__name__}")


def _decode(data: Any) -> Any:

    def node(value: Any) -> Any:
        if isinstance(value, list):
            return [node(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "$model" in value:
            # The models are imported at the first one: a summary has none (see ``summary``).
            cls = _model_classes()[value["$model"]]  # a KeyError for a name that is not one
            values = {name: node(item) for name, item in value["fields"].items()}
            if set(values) != set(cls.model_fields):
                raise ValueError("fields differ from the model's")
            return cls.model_construct(_fields_set=set(value["set"]), **values)
        if "$dict" in value:
            return {node(key): node(item) for key, item in value["$dict"]}
        if "$path" in value:
            return Path(value["$path"])
        if "$tuple" in value:
            return tuple(node(item) for item in value["$tuple"])
        if "$problem" in value:
            return Problem(*(node(item) for item in value["$problem"]))
        if "$bank" in value:
            return Bank(**{name: node(item) for name, item in value["$bank"].items()})
        raise ValueError("an untagged mapping")

    return node(data)
