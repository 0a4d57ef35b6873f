"""Every output guidegen writes is a builder in one registry (the Sphinx pattern).

A builder turns a prepared ``Book`` into the bytes of one file and says, in one line, what it
wrote. ``run`` is the walk every command shares: load the content, prepare the book once,
refuse an unwritable path before any layout, make each asked-for output and write it
atomically. Builders of one run share their work through ``Work``: the workbook PDF and its
``--html`` come from one layout.

A new output (an EPUB, the web page of ``guidegen serve``) is a new ``Builder`` subclass with
``@register`` in a module listed in ``BUILTIN`` below, and an option that asks for it; nothing
else branches on it. The builders import WeasyPrint only inside ``make``, so listing them is
cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from guidegen.content.load import Bank, load_bank
from guidegen.output import refuse_unwritable, write_atomically
from guidegen.paths import DEFAULT_OUTPUT_DIR
from guidegen.spec import WorkbookSpec

if TYPE_CHECKING:
    from guidegen.book.model import Book

BUILTIN = ("guidegen.builders.workbook", "guidegen.builders.cards")


@dataclass
class Output:
    """What a builder made: the file's bytes and what the command reports about it."""

    data: bytes
    summary: str  # "output/devops-engineer.pdf (176 pages)", with the path filled in by run
    facts: dict[str, Any] = field(default_factory=dict)  # pages, cards, notes, ... by name
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass
class Work:
    """One run's shared state: the bank, the prepared book, and what builders made for each
    other (``once``)."""

    bank: Bank
    book: Book
    status: Callable[[str], None]
    made: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]


class Builder:
    """One kind of output. ``default_name`` is the file name under output/ when no path is
    given ({role} is the role's id)."""

    name: ClassVar[str]
    default_name: ClassVar[str]

    def check(self, spec: WorkbookSpec) -> None:
        """Refuse a bad option before any work (default: nothing to check)."""

    def make(self, work: Work) -> Output:
        raise NotImplementedError


BUILDERS: dict[str, type[Builder]] = {}
B = TypeVar("B", bound=type[Builder])


def register(cls: B) -> B:
    if cls.name in BUILDERS:
        raise ValueError(f"two builders are named {cls.name!r}")
    BUILDERS[cls.name] = cls
    return cls


def builder(name: str, **options: Any) -> Builder:
    """The registered builder ``name``, made with its options (e.g. the cards' size)."""
    for module in BUILTIN:  # each registers its builders when first imported
        importlib.import_module(module)
    return BUILDERS[name](**options)


@dataclass
class Made:
    """One written file: where, and what its builder made."""

    builder: str
    path: Path
    output: Output

    @property
    def summary(self) -> str:
        return self.output.summary


def run(
    spec: WorkbookSpec,
    outputs: Sequence[tuple[Builder, Path | None]],
    bank: Bank | None = None,
    status: Callable[[str], None] = lambda what: None,
) -> tuple[list[Made], list[str]]:
    """Make and write each of ``outputs`` (a builder and its path, None for the default), in
    order; returns what was written and the warnings (the content's first)."""
    for wanted, _ in outputs:
        wanted.check(spec)  # a bad option is refused before the content is read
    from guidegen.book.model import prepare
    from guidegen.layout.session import forget_stylesheets

    forget_stylesheets()  # each run parses its stylesheets from the files as they are now
    status("Loading the content")
    bank = bank or load_bank(spec.content)
    book = prepare(bank, spec)
    paths = [
        path or DEFAULT_OUTPUT_DIR / wanted.default_name.format(role=book.selection.role.id)
        for wanted, path in outputs
    ]
    for path in paths:
        refuse_unwritable(path)  # before seconds of layout, not after
    work = Work(bank, book, status)
    written, warnings = [], [problem.one_line() for problem in bank.warnings]
    earlier: set[str] = set()  # two outputs of one book give its label warnings once
    for (wanted, _), path in zip(outputs, paths):
        output = wanted.make(work)
        write_atomically(path, output.data)
        output.summary = output.summary.replace("{path}", _shown(path))
        written.append(Made(wanted.name, path, output))
        warnings += [message for message in output.warnings if message not in earlier]
        earlier.update(output.warnings)
    return written, warnings


def _shown(path: Path) -> str:
    import click

    return click.format_filename(path)
