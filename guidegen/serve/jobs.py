"""Workshop jobs: a folder each under the data directory, run one at a time by a queue.

A job folder (``jobs/<uuid4 hex>``, a name the server made) holds:

- ``job.json``: the job's state (queued, running, done, failed), written by the server only;
- ``inputs.json``: the form's values, which become the spec (``forms.make_spec``);
- ``attendees.csv`` and ``job-advert.md``: the upload and the pasted advert, under fixed names;
- ``progress.json`` and ``result.json``: written by the worker as it goes and at the end;
- ``out/``: the batch's output (the copies, ``manifest.csv``, ``_combined.pdf``);
- ``worker.log``: the worker's own output, for the server's operator.

A job is made in ``jobs/.new-<id>`` and renamed into place once complete, so the queue never
sees half a job. The queue runs each job in a worker process (``guidegen.serve.worker``) that
drives the batch engine and dies with the server. A job found queued or running when the
server starts (it was stopped, or killed) is run again: the batch engine skips the copies
already written (``--skip-existing``), so it resumes. Finished jobs are removed a day after
they finished, by the injectable clock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from guidegen.errors import UsageError
from guidegen.output import write_atomically

EXPIRY_SECONDS = 24 * 60 * 60
JOB_ID = re.compile(r"[0-9a-f]{32}")
PENDING = ("queued", "running")
FINISHED = ("done", "failed")


@dataclass
class Job:
    id: str
    created: float
    total: int  # rows in the attendee list
    label: str = ""  # the uploaded file's name, shown on the page and never used as a path
    state: str = "queued"
    started: float | None = None
    finished: float | None = None
    message: str = ""  # why it failed
    notes: list[str] = field(default_factory=list)  # columns not used, and the like

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


def write_json(path: Path, data: Any) -> None:
    write_atomically(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def read_json(path: Path) -> Any:
    """A JSON file the server or its worker wrote; None if it is missing or unreadable."""
    try:
        if path.is_symlink():
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class JobStore:
    """The data directory: job folders, one-workbook build folders and the lock."""

    def __init__(self, root: Path, clock: Callable[[], float]):
        self.root = Path(root)
        self.jobs = self.root / "jobs"
        self.workbooks = self.root / "workbooks"
        self.clock = clock
        self._lock_file: Any = None

    def open(self) -> None:
        """Make the folders (private to this user) and hold the lock: one server per data
        directory, since two would run the same jobs."""
        try:
            for folder in (self.root, self.jobs, self.workbooks):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                if folder.is_symlink() or not folder.is_dir():
                    raise UsageError(f"the data folder {folder} is not a folder")
            self._lock_file = (self.root / "serve.lock").open("a")
        except OSError as error:
            raise UsageError(
                f"cannot use the data folder {self.root}: {error.strerror or error}; give "
                "another one with --data-dir"
            ) from None
        try:
            import fcntl

            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass  # no flock (Windows): one server per data folder is the user's to keep
        except OSError:
            self._lock_file.close()
            self._lock_file = None
            raise UsageError(
                f"another guidegen serve is using the data folder {self.root}; stop it, or "
                "give this one its own folder with --data-dir"
            ) from None
        # Nobody else can be using them: a half-made job, or a one-workbook build that the
        # last server did not finish.
        for folder in self.jobs.glob(".new-*"):
            self._remove(folder)
        for folder in self.workbooks.iterdir():
            self._remove(folder)

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # ---- jobs ----

    def folder(self, job_id: str) -> Path | None:
        """The folder of a job id the server made; None for anything else."""
        if not JOB_ID.fullmatch(job_id):
            return None
        folder = self.jobs / job_id
        return folder if folder.is_dir() and not folder.is_symlink() else None

    def get(self, job_id: str) -> Job | None:
        folder = self.folder(job_id)
        data = read_json(folder / "job.json") if folder else None
        if not isinstance(data, dict):
            return None
        try:
            return Job.from_json(data)
        except TypeError:
            return None

    def all(self) -> list[Job]:
        jobs = [self.get(entry.name) for entry in self.jobs.iterdir()]
        return sorted((job for job in jobs if job is not None), key=lambda job: job.created)

    def save(self, job: Job) -> None:
        folder = self.folder(job.id)
        if folder is not None:
            write_json(folder / "job.json", asdict(job))

    def stage(self) -> tuple[str, Path]:
        """A new job id and the folder its files are written into before it is queued."""
        job_id = uuid.uuid4().hex
        staging = self.jobs / f".new-{job_id}"
        staging.mkdir(mode=0o700)
        return job_id, staging

    def commit(self, staging: Path, job: Job) -> None:
        write_json(staging / "job.json", asdict(job))
        os.replace(staging, self.jobs / job.id)

    def discard(self, staging: Path) -> None:
        self._remove(staging)

    def progress(self, job: Job) -> dict[str, Any]:
        folder = self.folder(job.id)
        data = read_json(folder / "progress.json") if folder else None
        return data if isinstance(data, dict) else {}

    def result(self, job: Job) -> dict[str, Any]:
        folder = self.folder(job.id)
        data = read_json(folder / "result.json") if folder else None
        return data if isinstance(data, dict) else {}

    def ahead_of(self, job: Job) -> int:
        """How many jobs run before this one."""
        return sum(other.pending and other.created < job.created for other in self.all())

    def next_pending(self) -> Job | None:
        return next((job for job in self.all() if job.pending), None)

    def sweep(self) -> list[str]:
        """Remove the jobs that finished a day ago or more; their ids."""
        now = self.clock()
        removed = []
        for job in self.all():
            if job.state in FINISHED and now - (job.finished or job.created) >= EXPIRY_SECONDS:
                folder = self.folder(job.id)
                if folder is not None:
                    self._remove(folder)
                    removed.append(job.id)
        return removed

    # ---- one-workbook builds ----

    def workbook_folder(self) -> Path:
        folder = self.workbooks / uuid.uuid4().hex
        folder.mkdir(mode=0o700)
        return folder

    def remove_workbook(self, folder: Path) -> None:
        self._remove(folder)

    def _remove(self, folder: Path) -> None:
        # Only folders this store made: a job id, a staging name, a build folder.
        if folder.parent not in (self.jobs, self.workbooks) or folder.is_symlink():
            return
        if not JOB_ID.fullmatch(folder.name.removeprefix(".new-")):
            return
        shutil.rmtree(folder, ignore_errors=True)


def worker_command(folder: Path, jobs: int, pause_after: int | None = None) -> list[str]:
    command = [sys.executable, "-m", "guidegen.serve.worker", str(folder), str(os.getpid())]
    command += ["--jobs", str(jobs)]
    if pause_after is not None:
        command += ["--pause-after", str(pause_after)]
    return command


def start_worker(command: list[str], folder: Path) -> subprocess.Popen:
    """The worker process for ``folder``, its output in ``worker.log`` there. It has a session
    of its own, so Ctrl-C reaches the server alone, which then stops it; and it dies with the
    server if the server is killed (``processes.die_with_parent``)."""
    with (folder / "worker.log").open("ab") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
            start_new_session=True,
        )


def stop_worker(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM (the worker writes what it finished and stops its own workers), then SIGKILL."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class JobQueue:
    """One job at a time, in the order they came, in a thread of the server."""

    def __init__(
        self,
        store: JobStore,
        jobs: int,
        echo: Callable[[str], None] = print,
        pause_after: int | None = None,  # tests: the worker waits after this many copies
        sweep_seconds: float = 60,
    ):
        self.store = store
        self.jobs = jobs
        self.echo = echo
        self.pause_after = pause_after
        self.sweep_seconds = sweep_seconds
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name="guidegen-jobs", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def notify(self) -> None:
        self.wake.set()

    def stop(self) -> None:
        with self._lock:  # no worker starts after this
            self.stopping.set()
            process = self.process
        self.wake.set()
        if process is not None:
            stop_worker(process)
        if self.thread.is_alive():
            self.thread.join(timeout=30)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.store.sweep()
            job = self.store.next_pending()
            if job is None:
                self.wake.wait(self.sweep_seconds)
                self.wake.clear()
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        folder = self.store.folder(job.id)
        if folder is None:
            return
        resumed = job.state == "running"
        job.state, job.started = "running", self.store.clock()
        self.store.save(job)
        doing = "resuming" if resumed else "building"
        self.echo(f"workshop {job.id[:8]}: {doing} {job.total} copies")
        with self._lock:
            if self.stopping.is_set():
                return
            command = worker_command(folder, self.jobs, self.pause_after)
            process = self.process = start_worker(command, folder)
        try:
            code = process.wait()
        finally:
            self.process = None
        if self.stopping.is_set():
            return  # still "running": the next server resumes it
        result = self.store.result(job)
        if code == 0 and result:
            job.state = "failed" if result.get("error") else "done"
            job.message = str(result.get("error") or "")
        else:
            job.state = "failed"
            job.message = (
                f"The build stopped unexpectedly (exit code {code}). The copies written so "
                "far are kept; the server's terminal says more."
            )
            self.echo(
                f"workshop {job.id[:8]}: the worker stopped with exit code {code}; see "
                f"{folder / 'worker.log'}"
            )
        job.finished = self.store.clock()
        self.store.save(job)
        self.echo(f"workshop {job.id[:8]}: {job.state}")
