"""Reading one content file safely: the file, its text, then YAML with a position for every value.

Content folders come from anywhere (a colleague, an imported bank, a pull request), so reading
one is treated like parsing untrusted input:
- the file must really live inside its folder: a symbolic link that leaves it is refused, and so
  is a file with a second hard link (its other name can be any file on the disk), except in the
  built-in folders, where installers such as uv hard-link package files from their cache;
- at most ``MAX_BYTES`` per file, so a mistaken 50 MB paste fails in milliseconds;
- UTF-8 text, with control characters reported at their line and column;
- YAML is composed once into nodes (libyaml when present), and the plain data is built from
  those nodes here rather than by PyYAML's constructor. That one walk records each value's line
  and column, refuses a key given twice, refuses aliases and merge keys (a few lines of them
  can expand into billions of values) and refuses every tag outside YAML's core types
  (``!!binary``, ``!!set``, ``!!python/...``, local ``!tags``). A date-like value such as
  2027-03-09 stays the text it was written as.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, cast

import yaml
from yaml.constructor import SafeConstructor

from guidegen.errors import Problem

MAX_BYTES = 5 * 1024 * 1024
Position = tuple[int, int]  # 1-based line and column
# What a Problem takes: a Position, or (None, None) when the file gives none.
Where = tuple[int | None, int | None]
NOWHERE: Where = (None, None)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What YAML itself refuses (the YAML 1.1 printable set), found here first so the author is told
# the line and column rather than a character offset. Written as the few ranges outside that
# set: the same characters, and it compiles in a tenth of the time (every command pays it).
_NOT_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
_CORE = "tag:yaml.org,2002:"
_SCALARS = {"str", "int", "float", "bool", "null", "timestamp", "value"}
_SCALAR = SafeConstructor()


@dataclass
class Parsed:
    """A file's data and where each part of it was written."""

    path: Path  # as shown to the author
    data: Any
    positions: dict[tuple, Position] = field(default_factory=dict)
    # Block and quoted scalars: where their text starts and its style, for placing a problem
    # found inside a long text on its own line.
    scalars: dict[tuple, tuple[int, int, str | None]] = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # Problems that do not stop a build

    def position(self, loc: tuple) -> Position | None:
        """The position of the deepest part of ``loc`` that exists in the file."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.positions:
                return self.positions[loc[:end]]
        return None

    def position_in_text(self, loc: tuple, offset: int) -> Position | None:
        """The line and column of character ``offset`` of the string value at ``loc``.

        Exact for block scalars (``|`` and ``>``), where each line of the value is a line of the
        file; for other styles the start of the value is the best the file allows.
        """
        if loc not in self.scalars:
            return self.position(loc)
        line, column, style = self.scalars[loc]
        value = self._value(loc)
        if style in ("|", ">") and isinstance(value, str):
            before = value[:offset]
            lines_before = before.count("\n")
            indent = self._block_indent(loc)
            col = len(before) - (before.rfind("\n") + 1) + 1 + indent
            return line + 1 + lines_before, col
        return line, column

    def _value(self, loc: tuple) -> Any:
        value = self.data
        for part in loc:
            value = value[part]
        return value

    def _block_indent(self, loc: tuple) -> int:
        return self.scalars.get(loc + ("indent",), (0, 0, None))[0]


def _dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def read_text(
    path: Path, shown_as: Path, root: Path, problems: list[Problem], trusted: bool = False
) -> str | None:
    """The text of a content file, or None with the reason added to ``problems``."""

    def refuse(message: str, line: int | None = None, column: int | None = None) -> None:
        problems.append(Problem(shown_as, line, column, "", message))

    try:
        resolved = path.resolve(strict=True)
        info = os.stat(resolved)
    except OSError as error:
        refuse(f"cannot be read: {error.strerror or error}")
        return None
    except RuntimeError:  # Python 3.11 reports a symbolic link loop so
        refuse("is a symbolic link that leads back to itself; replace it with the file")
        return None
    if not resolved.is_relative_to(root.resolve()):
        refuse(
            "is a symbolic link to a file outside the content folder; guidegen reads only "
            "files inside it (copy the file in instead)"
        )
        return None
    if not trusted and info.st_nlink > 1:
        refuse(
            f"has {info.st_nlink} hard links; a hard link can be any file on the disk, so "
            "guidegen reads only content files with a single name (copy the file instead "
            "of linking it)"
        )
        return None
    if info.st_size > MAX_BYTES:
        refuse(
            f"is {info.st_size / 1_048_576:.1f} MB; a content file may be at most "
            f"{MAX_BYTES // 1_048_576} MB (split it into several files)"
        )
        return None
    try:
        raw = resolved.read_bytes()
    except OSError as error:
        refuse(f"cannot be read: {error.strerror or error}")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        refuse(f"is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8", line, column)
        return None
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        refuse(
            f"contains the control character U+{ord(bad.group()):04X}, which YAML does "
            "not allow; delete it (it is often pasted in invisibly)",
            line,
            column,
        )
        return None
    return text


def parse_yaml(text: str, shown_as: Path, problems: list[Problem]) -> Parsed | None:
    """``text`` as data with positions, or None with every problem found added."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = error.problem or error.context or "malformed YAML"
        problems.append(
            Problem(
                shown_as,
                line,
                column,
                "",
                f"malformed YAML: {what} (check indentation and quoting)",
            )
        )
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(shown_as, None, None, "", f"malformed YAML: {error}"))
        return None
    finally:
        loader.dispose()
    parsed = Parsed(shown_as, None)
    if root is None:
        return parsed
    builder = _Builder(parsed, problems, text)
    try:
        parsed.data = builder.build(root, ())
    except _Refused:
        return None
    return parsed


class _Refused(Exception):
    """The file uses YAML that content must not: the problem is already recorded."""


class _Builder:
    def __init__(self, parsed: Parsed, problems: list[Problem], text: str):
        self.parsed, self.problems, self.text = parsed, problems, text
        self.lines = text.splitlines()
        self.seen: set[int] = set()

    def refuse(self, node: yaml.Node | None, loc: tuple, message: str, mark=None) -> NoReturn:
        mark = mark or (node.start_mark if node is not None else None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        self.problems.append(Problem(self.parsed.path, line, column, _dotted(loc), message))
        raise _Refused

    def build(self, node: yaml.Node, loc: tuple) -> Any:
        if id(node) in self.seen:
            self.refuse(
                node,
                loc,
                "YAML aliases (*name) and merge keys (<<) are not allowed in "
                "content; write the text out",
                mark=self._first_alias(),
            )
        self.seen.add(id(node))
        self.parsed.positions.setdefault(
            loc, (node.start_mark.line + 1, node.start_mark.column + 1)
        )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            self._core(node, loc, "seq")
            return [self.build(item, loc + (index,)) for index, item in enumerate(node.value)]
        # A composed node that is neither a mapping nor a sequence is a scalar.
        return self._scalar(cast(yaml.ScalarNode, node), loc)

    def _core(self, node: yaml.Node, loc: tuple, expected: str) -> None:
        if node.tag != _CORE + expected:
            self.refuse(
                node,
                loc,
                f"the YAML tag {node.tag.replace(_CORE, '!!')} is not "
                "allowed in content; write plain text, lists and mappings",
            )

    def _mapping(self, node: yaml.MappingNode, loc: tuple) -> dict:
        self._core(node, loc, "map")
        data: dict[str, Any] = {}
        first: dict[str, Position] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge":
                self.refuse(
                    key_node,
                    loc,
                    "YAML aliases (*name) and merge keys (<<) are not "
                    "allowed in content; write the text out",
                )
            if not isinstance(key_node, yaml.ScalarNode):
                self.refuse(key_node, loc, "a key must be a plain name, not a list or mapping")
            key = key_node.value
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in first:
                # PyYAML would keep the last value silently; an author loses text unnoticed.
                self.problems.append(
                    Problem(
                        self.parsed.path,
                        *position,
                        _dotted(loc + (key,)),
                        f"key '{key}' appears twice (first on line {first[key][0]})",
                    )
                )
                continue
            first[key] = position
            data[key] = self.build(value_node, loc + (key,))
            self.parsed.positions[loc + (key,)] = position  # a key's own line beats its value's
        return data

    def _scalar(self, node: yaml.ScalarNode, loc: tuple) -> Any:
        kind = node.tag.removeprefix(_CORE) if node.tag.startswith(_CORE) else None
        if kind not in _SCALARS:
            self.refuse(
                node,
                loc,
                f"the YAML tag {node.tag.replace(_CORE, '!!')} is not "
                "allowed in content; write plain text, lists and mappings",
            )
        if node.style is not None:
            self.parsed.scalars[loc] = (
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                node.style,
            )
            if node.style in ("|", ">"):
                self.parsed.scalars[loc + ("indent",)] = (self._indent(node), 0, None)
        if kind in ("str", "timestamp", "value"):
            return node.value
        try:
            return getattr(_SCALAR, f"construct_yaml_{kind}")(node)
        except (ValueError, yaml.YAMLError):
            return node.value

    def _indent(self, node: yaml.ScalarNode) -> int:
        """Columns of indentation of a block scalar's first line (its text starts there)."""
        for line in self.lines[node.start_mark.line + 1 :]:
            if line.strip():
                return len(line) - len(line.lstrip(" "))
        return 0

    def _first_alias(self):
        try:
            for event in yaml.parse(self.text, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent):
                    return event.start_mark
        except yaml.YAMLError:
            pass
        return None
