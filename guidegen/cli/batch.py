"""guidegen batch: one personalised workbook per row of an attendee CSV."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from guidegen.cli.common import TEXT, check_writable, load, shown, usage, warn
from guidegen.cli.options import spec_options

# Measured (benchmarks/run.py, 100 copies, 2 cores): --jobs 2 took 4.4 s against 6.7 s.
DEFAULT_JOBS = min(
    2,
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
)


@click.command()
@click.argument("attendees", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@spec_options(name=False)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the copies (default: output/<csv name>).",
)
@click.option(
    "--combined",
    is_flag=True,
    help="Also write _combined.pdf: every copy in order, each on a right-hand page.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=DEFAULT_JOBS,
    show_default=True,
    help="Worker processes. Two halved the time of 100 copies on a 2-core machine "
    "(benchmarks/run.py); more than the cores available does not help.",
)
@click.option(
    "--shard",
    default="1/1",
    show_default=True,
    metavar="K/N",
    type=TEXT,
    help="Render only rows whose index mod N is K-1, to split a run across machines.",
)
@click.option("--skip-existing", is_flag=True, help="Leave complete PDFs already there alone.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def batch(attendees, spec, out_dir, combined, jobs, shard, skip_existing, quiet):
    """One personalised workbook per row of a CSV (columns: name, company, role, edition, date,
    language, posting); a column wins over the option for its row."""
    from guidegen.batch import attendees as attendee_list
    from guidegen.batch import run as batching

    bank = load(spec.content)
    shard_k_n = attendee_list.parse_shard(shard)
    table = attendee_list.read_attendees(attendees)
    rows = table.rows
    if table.unused_columns:
        warn(f"{shown(attendees)}: column(s) not used: {', '.join(table.unused_columns)}")
    if spec.role is not None:
        from guidegen.select import resolve_role

        spec = spec.with_changes(role=resolve_role(bank, spec.role).id)
    out_dir = out_dir or Path("output") / (attendee_list.file_stem(attendees.stem)[0] or "batch")
    if out_dir.exists() and not out_dir.is_dir():
        usage(f"--out-dir {shown(out_dir)} is a file; give a folder")
    check_writable(out_dir / "manifest.csv")
    attendee_list.assign_files(rows)
    options = batching.BatchOptions(
        spec=spec,
        out_dir=out_dir,
        combined=combined,
        shard=shard_k_n,
        skip_existing=skip_existing,
        csv_folder=attendees.parent,
    )
    label = shown(attendees)
    if quiet:
        progress = _QuietProgress(label)
    elif sys.stderr.isatty():
        progress = _BarProgress(label)
    else:
        progress = _LinesProgress(label)
    progress.expect([row for row in rows if attendee_list.in_shard(row, shard_k_n)])
    with progress:
        result = batching.run_batch(bank, rows, options, progress, jobs=jobs)
    manifest = batching.write_manifest(result, options)
    for refused in result.refused:
        warn(f"refused reference {refused}")
    for message in result.warnings:
        warn(message)
    progress.finish()
    written = sum(row.status == "ok" for row in result.rows)
    skipped = sum(row.status.startswith("skipped") for row in result.rows)
    summary = f"{written} written, {skipped} skipped, {len(result.failed)} failed"
    if result.interrupted:
        missing = sum(row.status.startswith("not written") for row in result.rows)
        summary += f", {missing} not written (interrupted)"
    click.echo(f"{summary} in {shown(out_dir)} (manifest: {manifest.name})")
    if result.combined_path:
        click.echo(shown(result.combined_path))
    if result.interrupted:
        sys.exit(result.interrupted)
    if result.failed:
        sys.exit(1)


class _LinesProgress:
    """Without a terminal: one line per row, in the CSV's order, as soon as it is known.

    Rows finish out of order when workers share the work; each is held back until the rows
    before it are done, so a log reads like the CSV. A failure goes to stderr, once.
    """

    def __init__(self, label: str):
        self.label = label
        self.order: list[int] = []
        self.ready: dict[int, object] = {}
        self.next = 0

    def expect(self, rows) -> None:
        self.order = [row.number for row in rows]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def start(self, total_units: int) -> None:
        pass

    def advance(self, units: int) -> None:
        pass

    def row_done(self, row) -> None:
        self.ready[row.number] = row
        while self.next < len(self.order) and self.order[self.next] in self.ready:
            self._print(self.ready.pop(self.order[self.next]))
            self.next += 1

    def _print(self, row) -> None:
        if row.failed:
            click.echo(
                f"error: {self.label}: row {row.number}: {row.status.removeprefix('error: ')}",
                err=True,
            )
        else:
            click.echo(f"row {row.number}: {row.file}: {row.status}")

    def finish(self) -> None:
        """Print what is still held back (after an interruption, rows behind a gap)."""
        for number in self.order[self.next :]:
            if number in self.ready:
                self._print(self.ready.pop(number))
        self.next = len(self.order)


class _QuietProgress(_LinesProgress):
    """--quiet: nothing for rows that worked; each failure once, in order, at the end."""

    def _print(self, row) -> None:
        if row.failed:
            super()._print(row)


class _BarProgress(_LinesProgress):
    """On a terminal: a bar with an honest time estimate (work is counted in units where a
    body's layout weighs as much as 100 copies); failures print above it as they happen."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("Building copies"),
            BarColumn(),
            TextColumn("{task.fields[copies]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.task = self.bar.add_task("copies", total=None, copies=f"0/{len(self.order)}")
        self.done = 0
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        self.bar.__exit__(*exc)
        return False

    def start(self, total_units: int) -> None:
        self.bar.update(self.task, total=max(total_units, 1))

    def advance(self, units: int) -> None:
        self.bar.advance(self.task, units)

    def _print(self, row) -> None:
        self.done += 1
        self.bar.update(self.task, copies=f"{self.done}/{len(self.order)}")
        if row.failed:
            self.console.print(
                f"error: {self.label}: row {row.number}: {row.status.removeprefix('error: ')}",
                markup=False,
                highlight=False,
            )
