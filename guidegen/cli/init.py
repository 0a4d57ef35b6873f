"""guidegen init: start a content pack that validates and builds as it is."""

from __future__ import annotations

from pathlib import Path

import click

from guidegen.cli.common import shown
from guidegen.paths import PACKAGE_DIR

SCAFFOLD_DIR = PACKAGE_DIR / "scaffold"


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def init(folder: Path) -> None:
    """Start a content pack in FOLDER (new or empty): a workbook.yaml that builds on the
    built-in pack, one role, an example question of each kind, a group of questions to ask,
    the JSON Schema for editors and a README."""
    from guidegen.content.packfiles import prepare_pack_dir, write_pack_file, write_schema
    from guidegen.output import write_atomically

    prepare_pack_dir(folder)
    written = []
    for source in sorted(SCAFFOLD_DIR.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(SCAFFOLD_DIR).as_posix()
        text = source.read_text(encoding="utf-8")
        if source.suffix == ".yaml":
            written.append(write_pack_file(folder, relative, text))
        else:
            target = folder / relative
            write_atomically(target, text.encode("utf-8"))
            written.append(target)
    written.append(write_schema(folder))
    for path in written:
        click.echo(shown(path))
    pack = shown(folder)
    click.echo(
        f"\nNext: guidegen validate --content {pack}\n"
        f"      guidegen build --content {pack}\n"
        f"      guidegen preview --content {pack}"
    )
