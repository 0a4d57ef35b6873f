"""Benchmarks for guidegen, each against a baseline measured in the same run.

Run with `make bench` (or `.venv/bin/python benchmarks/run.py [--quick]`). Every case runs in a
fresh Python process, and repeated cases alternate with their baseline so that noise on this
shared machine hits both alike. Wall times are medians. Memory is the peak, over the run, of
the proportional set size (PSS) summed over guidegen's process and its workers, sampled every
20 ms from /proc: pages that forked workers share with their parent are counted once. CPU
time is user + system over the command and the workers it waited for; over the cores it is
the floor under the wall time (every core busy from the first instant to the last).

1. `guidegen build` against a plain WeasyPrint render of the same HTML (`build --html`).
2. Scaling: 250, 1,000 and 2,600 questions from a generated bank (the built-in questions
   cycled under new ids, one role printing them all): time, time per question, peak memory.
3. Start-up: `--help`, `roles`, `validate`, with guidegen's bytecode compiled first (as an
   installed copy has it: under PYTHONDONTWRITEBYTECODE a changed module would otherwise be
   compiled again on every run).
4. A batch: the cost of each extra copy (N copies against 11N).
5. The machine: cores, and whether WeasyPrint found HarfBuzz's subsetter (libharfbuzz-subset),
   which makes font subsetting faster for guidegen and the plain render alike.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

import yaml

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"

PLAIN_RENDER = """
import sys
from pathlib import Path
import weasyprint
text = Path(sys.argv[1]).read_text(encoding="utf-8")
weasyprint.HTML(string=text, base_url=sys.argv[2]).write_pdf(sys.argv[3])
"""

HARFBUZZ = """
from weasyprint.text.ffi import harfbuzz_subset
print("yes" if harfbuzz_subset is not None else "no")
"""


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.append(int(child))
            frontier.append(int(child))
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# Every case's environment: the content cache in the run's own folder (set in main), never
# the user's; a case may turn it off.
CASE_ENV: dict[str, str] = {}


class Measured(NamedTuple):
    seconds: float  # wall
    peak_mb: float  # peak PSS of the process tree
    cpu: float  # user + system seconds of the command and every worker it waited for


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> Measured:
    """Wall seconds, peak PSS (MB, the process tree summed) and CPU seconds of one command.

    The CPU time is what the benchmark's reaped children used, so it includes guidegen's layout
    workers (guidegen joins them): on 2 cores a build cannot take less wall time than half its
    CPU time, which is what the floors printed below say."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(
        args,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **CASE_ENV, **(env or {})},
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(_pss_kb(pid) for pid in _tree(process.pid)))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"benchmark case failed: {' '.join(map(str, args))}\n{err}")
    return Measured(seconds, peak[0] / 1024, _children_cpu() - cpu_before)


def guidegen(*args) -> list[str]:
    # -m from the repository's folder (run's cwd): this checkout's guidegen, not an installed one.
    return [sys.executable, "-m", "guidegen", *map(str, args)]


NO_CACHE = {"GUIDEGEN_CACHE_DIR": ""}


def median_runs(
    cases: dict[str, list[str]], repeat: int, envs: dict[str, dict[str, str]] | None = None
) -> dict[str, Measured]:
    """The median wall and CPU time and the peak memory of each case, the cases interleaved."""
    samples: dict[str, list[Measured]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, args in cases.items():
            samples[name].append(run(args, env=(envs or {}).get(name)))
    spans.update(
        {
            name: (min(m.seconds for m in runs), max(m.seconds for m in runs))
            for name, runs in samples.items()
        }
    )
    return {
        name: Measured(
            statistics.median(m.seconds for m in runs),
            max(m.peak_mb for m in runs),
            statistics.median(m.cpu for m in runs),
        )
        for name, runs in samples.items()
    }


spans: dict[str, tuple[float, float]] = {}  # each case's fastest and slowest run


def span(name: str) -> str:
    low, high = spans[name]
    return f"(range {low:.3f}-{high:.3f})"


def profile(tmp: Path, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
    """--profile: the case once more under cProfile, its top functions by cumulative time."""
    import pstats

    out = tmp / f"{name.replace(' ', '-')}.prof"
    run([sys.executable, "-m", "cProfile", "-o", out, *args[1:]], env=env)
    print(f"   profile of {name} (cProfile, top cumulative):")
    stats = pstats.Stats(str(out))
    stats.sort_stats("cumulative")
    shown = 0
    for func in stats.fcn_list:  # type: ignore[attr-defined]
        file, line, function = func
        if "<frozen" in file or file == "~" or "/click/" in file or function == "<module>":
            continue
        calls, _, tottime, cumtime, _ = stats.stats[func]  # type: ignore[attr-defined]
        where = file.split("site-packages/")[-1].replace(str(REPO) + "/", "")
        print(
            f"     {cumtime:7.3f} s cum {tottime:7.3f} s own {calls:7}  {where}:{line}({function})"
        )
        shown += 1
        if shown == 18:
            break


def generated_bank(tmp: Path, questions: int) -> Path:
    """The built-in content with its questions cycled under new ids, one role taking all."""
    folder = tmp / f"bank-{questions}"
    shutil.copytree(CONTENT, folder)
    source = []
    for path in sorted((folder / "questions").glob("*.yaml")):
        source += yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        path.unlink()
    made = []
    for index in range(questions):
        # A deep copy: shared lists would come out as YAML aliases, which content refuses.
        question = copy.deepcopy(source[index % len(source)])
        question["id"] = f"{question['id']}-{index}"
        question["title"] = f"{question['title']} ({index + 1})"
        made.append(question)
    # Files of 500 questions (about 1.5 MB): a content file may be at most 5 MB.
    for start in range(0, len(made), 500):
        (folder / "questions" / f"generated-{start // 500:02d}.yaml").write_text(
            yaml.safe_dump({"questions": made[start : start + 500]}, allow_unicode=True),
            encoding="utf-8",
        )
    for role in (folder / "roles").glob("*.yaml"):
        role.unlink()
    (folder / "roles" / "generated.yaml").write_text(
        yaml.safe_dump(
            {"id": "generated", "title": "Generated", "questions": [q["id"] for q in made]}
        ),
        encoding="utf-8",
    )
    workbook = yaml.safe_load((folder / "workbook.yaml").read_text(encoding="utf-8"))
    workbook.pop("default_role", None)
    (folder / "workbook.yaml").write_text(yaml.safe_dump(workbook), encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (medians)")
    parser.add_argument("--copies", type=int, default=50, help="copies in the batch case")
    parser.add_argument(
        "--quick", action="store_true", help="1 run, 250 questions only, 10 copies: a smoke test"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print a cProfile summary of the cases optimised (start-up, a batch copy)",
    )
    parser.add_argument(
        "--only",
        default="1,2,3,4",
        help="the numbered cases to run, comma-separated (default: all)",
    )
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.copies = 1, 10
    results: dict[str, object] = {}
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        CASE_ENV["GUIDEGEN_CACHE_DIR"] = str(tmp / "cache")

        # 5 first: it explains the others.
        harfbuzz = subprocess.run(
            [sys.executable, "-c", HARFBUZZ], capture_output=True, text=True, check=True
        ).stdout.strip()
        print(f"machine: {os.cpu_count()} cores; HarfBuzz subsetter present: {harfbuzz}")
        results["machine"] = {"cores": os.cpu_count(), "harfbuzz_subset": harfbuzz == "yes"}

        if "1" in only:
            # 1. One build against a plain render of the same HTML.
            run(guidegen("build", "--html", "--out", tmp / "html" / "book.pdf"))
            html = tmp / "html" / "book.html"
            base_url = CONTENT.resolve().as_uri() + "/"
            plain = [sys.executable, "-c", PLAIN_RENDER, html, base_url, tmp / "plain.pdf"]
            one = median_runs(
                {"guidegen build": guidegen("build", "--out", tmp / "build.pdf"), "plain": plain},
                args.repeat,
            )
            build, bare = one["guidegen build"], one["plain"]
            ratio = build.seconds / bare.seconds
            cores = os.cpu_count() or 1
            print(f"1. default workbook, median of {args.repeat} (interleaved)")
            print(
                f"   guidegen build            {build.seconds:6.2f} s  {build.peak_mb:5.0f} MB  "
                f"CPU {build.cpu:6.2f} s"
            )
            print(
                f"   plain WeasyPrint render   {bare.seconds:6.2f} s  {bare.peak_mb:5.0f} MB  "
                f"CPU {bare.cpu:6.2f} s"
            )
            print(f"   ratio guidegen / plain: {ratio:.2f}")
            # The floor: with every core busy from the first instant to the last, a build's wall
            # time is its CPU time over the cores. Below 0.5 x plain on 2 cores needs guidegen's
            # CPU time below the plain render's.
            print(
                f"   CPU guidegen / plain: {build.cpu / bare.cpu:.2f}; on {cores} cores the "
                f"build cannot beat {build.cpu / cores / bare.seconds:.2f} x plain"
            )
            results["build_vs_plain"] = {
                "ratio": ratio,
                **{k: v.seconds for k, v in one.items()},
                "cpu": {k: v.cpu for k, v in one.items()},
            }

        if "2" in only:
            # 2. Scaling.
            print("2. scaling (one build each)")
            scaling = {}
            for count in (250,) if args.quick else (250, 1000, 2600):
                folder = generated_bank(tmp, count)
                out = tmp / f"scale-{count}.pdf"
                seconds, peak, cpu = run(guidegen("build", "--content", folder, "--out", out))
                scaling[count] = {
                    "seconds": seconds,
                    "peak_mb": peak,
                    "bytes": out.stat().st_size,
                    "cpu": cpu,
                }
                print(
                    f"   {count:5} questions  {seconds:7.2f} s  {seconds / count * 1000:6.1f} ms "
                    f"per question  peak {peak:6.0f} MB  {out.stat().st_size / 2**20:5.1f} MiB  "
                    f"CPU {cpu:7.2f} s (floor on {os.cpu_count()} cores "
                    f"{cpu / (os.cpu_count() or 1):6.1f} s)"
                )
                shutil.rmtree(folder)
            if 1000 in scaling:
                growth = (scaling[1000]["seconds"] / 1000) / (scaling[250]["seconds"] / 250)
                print(f"   time per question at 1,000 / at 250: {growth:.2f}")
            results["scaling"] = scaling

        if "3" in only:
            # 3. Start-up. roles and validate read the content cache (guidegen/content/cache.py),
            # filled by a first run; "uncached" turns it off. The goal: at most 3 x a bare
            # `python -c pass` + 0.10 s.
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", REPO / "guidegen"], check=True
            )
            run(guidegen("roles"))  # fills the cache
            starts = median_runs(
                {
                    "python -c pass": [sys.executable, "-c", "pass"],
                    "--help": guidegen("--help"),
                    "roles": guidegen("roles"),
                    "validate": guidegen("validate"),
                    "roles uncached": guidegen("roles"),
                    "validate uncached": guidegen("validate"),
                },
                max(args.repeat, 15),  # short commands: many runs for a steady median
                envs={"roles uncached": NO_CACHE, "validate uncached": NO_CACHE},
            )
            limit = 3 * starts["python -c pass"].seconds + 0.10
            print(
                f"3. start-up (median of {max(args.repeat, 15)}, interleaved; limit {limit:.3f} s)"
            )
            for name, (seconds, _, _) in starts.items():
                print(f"   {name:18} {seconds:6.3f} s {span(name)}")
            results["startup"] = {k: v.seconds for k, v in starts.items()} | {"limit": limit}
            if args.profile:
                profile(tmp, "roles", guidegen("roles"))
                profile(tmp, "roles uncached", guidegen("roles"), NO_CACHE)

        if "4" in only:
            # 4. Batch: the cost of each extra copy, from N and 11N copies (the body's layout and
            # the workers' start are in both, so they cancel). A copy costs a few milliseconds:
            # with fewer extra copies the difference would be lost in the machine's noise.
            few, many = args.copies, 11 * args.copies
            rooms = {}
            for count in (few, many):
                rooms[count] = tmp / f"room-{count}.csv"
                with rooms[count].open("w", newline="", encoding="utf-8") as stream:
                    rows = [[f"Attendee Number {n}"] for n in range(1, count + 1)]
                    csv.writer(stream).writerows([["name"]] + rows)
            batch = median_runs(
                {
                    f"{count} copies": guidegen(
                        "batch", rooms[count], "--out-dir", tmp / f"out-{count}", "-q"
                    )
                    for count in (few, many)
                },
                args.repeat,
            )
            extra = (batch[f"{many} copies"].seconds - batch[f"{few} copies"].seconds) / (
                many - few
            )
            print(
                f"4. batch: {batch[f'{few} copies'].seconds:.2f} s for {few} copies, "
                f"{batch[f'{many} copies'].seconds:.2f} s for {many}: "
                f"{extra * 1000:.1f} ms per extra copy "
                f"{span(f'{few} copies')} {span(f'{many} copies')}"
            )
            results["batch"] = {
                "per_extra_copy_s": extra,
                **{k: v.seconds for k, v in batch.items()},
            }
            if args.profile:  # one worker, so that the per-copy path is in the profile
                profile(
                    tmp,
                    f"batch of {few} copies, --jobs 1",
                    guidegen(
                        "batch", rooms[few], "--out-dir", tmp / "out-prof", "-q", "--jobs", "1"
                    ),
                )

    print(json.dumps(results))


if __name__ == "__main__":
    main()
