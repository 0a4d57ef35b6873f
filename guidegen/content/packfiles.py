"""Writing a content pack (``guidegen init`` and ``guidegen import``): one place for the
layout of a new pack, its schema comment and the rule that a pack never overwrites files.

A written pack carries its own copy of the JSON Schema at ``DIR/content.schema.json``, and every
YAML file's first line points at it by a path relative to that file. The editor comment then
resolves wherever the pack is moved, inside or outside this repository.
"""

from __future__ import annotations

import os
from pathlib import Path

from guidegen.errors import UsageError
from guidegen.output import existing_kind, write_atomically

SCHEMA_NAME = "content.schema.json"


def schema_comment(pack_dir: Path, file: Path) -> str:
    """The first line of a YAML file at ``file`` inside the pack at ``pack_dir``."""
    relative = os.path.relpath(pack_dir / SCHEMA_NAME, file.parent)
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}\n"


def prepare_pack_dir(pack_dir: Path) -> None:
    """Refuse a target that is a file, a link or a folder with files in it; create it."""
    kind = existing_kind(pack_dir)
    if kind == "folder":
        if any(pack_dir.iterdir()):
            raise UsageError(
                f"{pack_dir} is not empty; give a new or empty folder, so no file is overwritten"
            )
    elif kind is not None:
        raise UsageError(f"{pack_dir} exists and is not a folder; give a new or empty folder")
    try:
        pack_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        from guidegen.errors import OutputError

        raise OutputError(f"cannot create {pack_dir}: {error.strerror or error}") from None


def write_pack_file(pack_dir: Path, relative: str, yaml_text: str) -> Path:
    """Write one YAML file of the pack with its schema comment first."""
    target = pack_dir / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        from guidegen.errors import OutputError

        raise OutputError(f"cannot create {target.parent}: {error.strerror or error}") from None
    write_atomically(target, (schema_comment(pack_dir, target) + yaml_text).encode("utf-8"))
    return target


def write_schema(pack_dir: Path) -> Path:
    """Copy the JSON Schema beside the pack's files (what their first line points at)."""
    from guidegen.content.schema import content_schema_json

    target = pack_dir / SCHEMA_NAME
    write_atomically(target, content_schema_json().encode("utf-8"))
    return target
