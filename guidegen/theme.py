"""Themes: a folder whose files take the place of built-in ones with the same name.

A theme folder may hold ``templates/NAME.html``, ``styles/NAME.css``, ``labels/CODE.yaml`` and
any fonts and images its stylesheets use. guidegen looks for each template and stylesheet in
the theme first and in the built-in folders after (the MkDocs pattern: a loader list of
``[theme, built-in]``). A theme template extends the built-in one it replaces with
``{% extends "builtin:NAME.html" %}`` and overrides only the blocks it needs; the built-in
``styles/theme.css`` is empty, so the usual theme is one short ``styles/theme.css`` that sets
the custom properties documented in ``styles/variables.css``.

Nothing in a theme may point outside it: templates are read only if they resolve inside the
theme folder (a symbolic link that leaves it is refused), and the URL fetcher gives stylesheets,
fonts and images only files from the theme, the content and the built-in folders. Its templates
render in the sandbox of ``book/sandbox.py``; a pack's own theme must be inside the pack
(``pack_theme``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from guidegen.errors import ContentError, Problem, RenderError, UsageError
from guidegen.paths import STYLES_DIR, TEMPLATES_DIR

if TYPE_CHECKING:
    from jinja2 import nodes

BUILTIN_PREFIX = "builtin"


@dataclass(frozen=True)
class Theme:
    """The folders to search, the theme's own first; empty for the built-in look alone."""

    folders: tuple[Path, ...] = ()

    def template_dirs(self) -> list[Path]:
        return [folder / "templates" for folder in self.folders] + [TEMPLATES_DIR]

    def stylesheet(self, name: str) -> Path:
        for folder in self.folders:
            candidate = folder / "styles" / name
            if candidate.is_file():
                return candidate
        return STYLES_DIR / name

    @property
    def roots(self) -> tuple[Path, ...]:
        return tuple(folder.resolve() for folder in self.folders)


def resolve_theme(
    given: Path | None,
    content_dir: Path,
    named_in_content: str | None,
    content_file: Path | None = None,
) -> Theme:
    """The theme from --theme, else the one the content's workbook.yaml names, else none."""
    if given is not None:
        folder = Path(given)
        if not folder.is_dir():
            raise UsageError(
                f"--theme {folder}: no such folder (a theme is a folder with "
                "templates/, styles/ or labels/ in it)"
            )
        return Theme((folder,))
    if named_in_content:
        folder, problem = pack_theme(content_dir, named_in_content)
        if problem is not None:
            where = content_file or content_dir / "workbook.yaml"
            raise ContentError([Problem(where, None, None, "theme", problem)])
        return Theme((folder,))
    return Theme()


def pack_theme(content_dir: Path, name: str) -> tuple[Path, str | None]:
    """The theme folder a content pack names, and what is wrong with it (None: nothing).

    A pack is shared data, so its theme must be a folder inside the pack itself, after every
    symbolic link is followed: ``theme: /etc`` or ``theme: ../elsewhere`` would otherwise let a
    downloaded pack read templates and stylesheets from anywhere. ``--theme`` is the user's own
    choice and may be anywhere.
    """
    folder = content_dir / name
    try:
        resolved = folder.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a link that loops
        return folder, f"no such theme folder: {name} (a folder inside the content pack)"
    if not resolved.is_relative_to(content_dir.resolve()):
        return folder, (
            f"the theme '{name}' is outside the content pack; a pack's theme must be a "
            "folder inside the pack (use --theme to build with a theme from elsewhere)"
        )
    if not resolved.is_dir():
        return folder, f"the theme '{name}' is not a folder (a theme is a folder in the pack)"
    return folder, None


class ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that reads only files that really live inside its folder.

    Jinja's own loader follows symbolic links anywhere; a theme from elsewhere could then
    print any file the user can read.
    """

    def __init__(self, folder: Path, trusted: bool):
        super().__init__(str(folder))
        self.folder = folder.resolve()
        self.trusted = trusted

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        resolved = Path(filename).resolve()
        if not resolved.is_relative_to(self.folder):
            raise RenderError(
                f"{filename}: a theme template that is a link to a file outside "
                "the theme folder is refused"
            )
        if not self.trusted and os.stat(resolved).st_nlink > 1:
            raise RenderError(
                f"{filename}: a theme template with a second hard link is refused "
                "(copy the file instead of linking it)"
            )
        return source, filename, uptodate


def template_loader(theme: Theme) -> jinja2.BaseLoader:
    """Theme folders first, then the built-in templates; ``builtin:NAME`` always the built-in."""
    builtin = ConfinedLoader(TEMPLATES_DIR, trusted=True)
    loaders: list[jinja2.BaseLoader] = [
        ConfinedLoader(folder, trusted=False)
        for folder in theme.template_dirs()[:-1]
        if folder.is_dir()
    ]
    loaders.append(builtin)
    loaders.append(jinja2.PrefixLoader({BUILTIN_PREFIX: builtin}, delimiter=":"))
    return jinja2.ChoiceLoader(loaders)


def check_theme_templates(env: jinja2.Environment, theme: Theme) -> None:
    """Every theme template parses, and each block it overrides exists in what it extends.

    Jinja ignores a top-level block that no template up the ``extends`` chain has, so a
    misspelt block name would silently change nothing; it is an error here, with its line.
    A block nested inside another one is the template's own (as in a copied built-in
    template) and needs no parent.
    """
    from jinja2 import nodes

    assert env.loader is not None  # the environment is made with template_loader(theme)
    for folder in theme.template_dirs()[:-1]:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            # through the loader, so that a link out of the theme is refused before it is read
            source = env.loader.get_source(env, name)[0]
            tree = _parse(env, source, name, path)
            extends = next(iter(tree.find_all(nodes.Extends)), None)
            if extends is None or not isinstance(extends.template, nodes.Const):
                continue
            parent_name = extends.template.value
            inherited = _chain_blocks(env, parent_name, path, extends.lineno, seen={name})
            for block in _top_level_blocks(tree):
                if block.name not in inherited:
                    known = ", ".join(sorted(inherited)) or "none"
                    raise RenderError(
                        f"{path}:{block.lineno}: block '{block.name}' is not in "
                        f"{parent_name} or what it extends; its blocks are: {known}"
                    )


def _parse(env: jinja2.Environment, source: str, name: str, path: Path | str) -> nodes.Template:
    try:
        return env.parse(source, name, str(path))
    except jinja2.TemplateSyntaxError as error:
        raise RenderError(
            f"{error.filename or path}:{error.lineno}: template syntax error: {error.message}"
        ) from None


def _top_level_blocks(tree: nodes.Node) -> list[nodes.Block]:
    """The blocks of ``tree`` that are not inside another block."""
    from jinja2 import nodes

    found: list[nodes.Block] = []

    def walk(node: nodes.Node) -> None:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Block):
                found.append(child)
            else:
                walk(child)

    walk(tree)
    return found


def _chain_blocks(
    env: jinja2.Environment, name: str, child: Path, line: int, seen: set[str]
) -> set[str]:
    """Every block in template ``name`` and in the templates it extends, in turn."""
    from jinja2 import nodes

    if name in seen:
        raise RenderError(f"{child}:{line}: '{name}' extends itself, through {sorted(seen)}")
    seen = seen | {name}
    assert env.loader is not None  # check_theme_templates's environment, made with a loader
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        raise RenderError(
            f"{child}:{line}: extends '{name}', which does not exist (built-in "
            "templates are named builtin:NAME.html)"
        ) from None
    tree = _parse(env, source, name, filename or name)
    blocks = {block.name for block in tree.find_all(nodes.Block)}
    extends = next(iter(tree.find_all(nodes.Extends)), None)
    if extends is not None and isinstance(extends.template, nodes.Const):
        parent_file = Path(filename) if filename else child
        blocks |= _chain_blocks(env, extends.template.value, parent_file, extends.lineno, seen)
    return blocks
