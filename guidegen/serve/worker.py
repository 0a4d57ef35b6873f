"""The worker process of ``guidegen serve``: it builds what one folder asks for, then exits.

``python -m guidegen.serve.worker FOLDER SERVER_PID [--jobs N]``. A workshop runs through the
batch engine (``batch.run.run_batch``: shared bodies, its own worker processes, the manifest,
``skip_existing`` so that running it again resumes it), a single workbook through
``build.build``. Progress goes to ``progress.json`` as the batch engine reports each row, the
outcome to ``result.json``. The first thing it does is ``processes.die_with_parent``: it never
outlives the server. SIGTERM (the server stopping) ends the batch the way it ends ``guidegen
batch``: the copies written are kept, and the process exits with 143 without a result, so the
job stays running and the next server resumes it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any

from guidegen.batch.run import Progress
from guidegen.errors import ContentError, GuidegenError, Interrupted
from guidegen.processes import die_with_parent
from guidegen.serve.forms import ATTENDEES, INPUTS, make_spec, page_message
from guidegen.serve.jobs import read_json, write_json

PROGRESS_SECONDS = 0.25  # progress.json is rewritten at most this often (and at the end)


class FileProgress(Progress):
    """The batch engine's progress, as ``progress.json`` for the page to show."""

    def __init__(self, path: Path, total: int, pause_after: int | None = None):
        self.path = path
        self.total = total
        self.done = 0
        self.failed: list[dict[str, Any]] = []
        self.pause_after = pause_after
        self.written = 0.0

    def start(self, total_units: int) -> None:
        self.write(force=True)

    def row_done(self, row) -> None:
        if row.failed:
            self.failed.append(
                {"row": row.number, "name": row.name, "message": row.status.removeprefix("error: ")}
            )
        else:
            self.done += 1
        self.write(force=self.done + len(self.failed) >= self.total)
        if self.pause_after is not None and self.done >= self.pause_after:
            # A test's hook: hold the job here, as if the machine were slow, until stopped.
            self.write(force=True)
            while True:
                time.sleep(0.05)

    def write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.written < PROGRESS_SECONDS:
            return
        self.written = now
        finished = self.done + len(self.failed) >= self.total
        write_json(
            self.path,
            {
                "total": self.total,
                "done": self.done,
                "failed": self.failed,
                "stage": "finishing" if finished else "copies",
            },
        )


def build_workshop(
    folder: Path, inputs: dict, jobs: int, pause_after: int | None
) -> dict[str, Any]:
    from guidegen.batch import attendees as attendee_list
    from guidegen.batch import run as batching
    from guidegen.content.load import load_bank

    spec = make_spec(inputs, Path(inputs["content"]), folder)
    bank = load_bank(spec.content)
    table = attendee_list.read_attendees(folder / ATTENDEES)
    rows = table.rows
    for row in rows:
        # A posting cell names a file beside the CSV: here there is none, and no name a
        # browser sent may reach the file system. The form's advert is every copy's.
        row.values.pop("posting", None)
    attendee_list.assign_files(rows)
    options = batching.BatchOptions(
        spec=spec,
        out_dir=folder / "out",
        combined=inputs.get("combined") == "yes",
        skip_existing=True,  # a job run again resumes
    )
    progress = FileProgress(folder / "progress.json", len(rows), pause_after)
    progress.write(force=True)
    result = batching.run_batch(bank, rows, options, progress, jobs=jobs)
    batching.write_manifest(result, options)
    progress.write(force=True)
    if result.interrupted:
        return {"interrupted": result.interrupted}
    return {
        "written": sum(row.status == "ok" for row in result.rows),
        "skipped": sum(row.status.startswith("skipped") for row in result.rows),
        "failed": progress.failed,
        "combined": result.combined_path is not None,
        "warnings": [f"refused reference {ref}" for ref in result.refused] + result.warnings,
    }


def build_workbook(folder: Path, inputs: dict) -> dict[str, Any]:
    from guidegen.build import build

    spec = make_spec(inputs, Path(inputs["content"]), folder)
    built = build(spec, out=folder / "workbook.pdf")
    return {"pages": built.pages}


def _on_sigterm(signum, frame):
    raise Interrupted(143)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m guidegen.serve.worker")
    parser.add_argument("folder", type=Path)
    parser.add_argument("parent", type=int)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--pause-after", type=int)
    args = parser.parse_args(argv)
    die_with_parent(args.parent)
    signal.signal(signal.SIGTERM, _on_sigterm)
    folder: Path = args.folder
    inputs = read_json(folder / INPUTS)
    if not isinstance(inputs, dict) or "content" not in inputs:
        print(f"{folder / INPUTS} is missing or unreadable", file=sys.stderr)
        return 1
    try:
        if inputs.get("kind") == "workbook":
            result = build_workbook(folder, inputs)
        else:
            result = build_workshop(folder, inputs, args.jobs, args.pause_after)
    except Interrupted as stop:
        return stop.code
    except KeyboardInterrupt:
        return 130
    except ContentError as error:
        problems = "; ".join(problem.one_line() for problem in error.problems[:5])
        result = {"error": f"The server's content has problems: {problems}"}
    except GuidegenError as error:
        result = {"error": page_message(str(error), folder)}
    if result.get("interrupted"):
        return int(result["interrupted"])
    write_json(folder / "result.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
