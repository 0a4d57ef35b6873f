"""Benchmarks for guidegen, each against a baseline measured in the same run.

Run with `make bench` (or `.venv/bin/python benchmarks/run.py [--quick]`). Every case runs in a
fresh Python process, and repeated cases alternate with their baseline so that noise on this
shared machine hits both alike. Wall times are medians; memory is the peak resident set size.

1. `guidegen build` against a plain WeasyPrint render of the same HTML.
2. A batch of personalised copies against the same number of plain full renders.
3. Scaling: 30, 60, 120 and 240 questions from a generated bank.
4. `batch --jobs 1` against `--jobs 2`.
5. The cost of tagging (PDF/UA-1): the same HTML rendered with and without it.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
# Peak resident memory of the process, or of its largest worker process if that is larger.
PEAK = (
    "\nimport resource; print(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)"
)

GUIDEGEN = (
    """
import sys
from guidegen.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert done.code in (0, None), done.code
"""
    + PEAK
)

TAGGED_RENDER = (
    """
import sys
from pathlib import Path
import weasyprint
text = Path(sys.argv[2]).read_text(encoding="utf-8")
weasyprint.HTML(string=text, base_url=sys.argv[1]).write_pdf(sys.argv[3], pdf_variant="pdf/ua-1")
"""
    + PEAK
)

PLAIN_RENDERS = (
    """
import sys
from pathlib import Path
import weasyprint
base_url, out = sys.argv[1], Path(sys.argv[2])
for index, html in enumerate(sys.argv[3:]):
    text = Path(html).read_text(encoding="utf-8")
    weasyprint.HTML(string=text, base_url=base_url).write_pdf(out / f"{index}.pdf")
"""
    + PEAK
)


def run(program: str, *args: str) -> tuple[float, float]:
    """Wall seconds and peak MB of one fresh interpreter running ``program``."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", program, *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"benchmark case failed:\n{done.stderr}")
    return seconds, float(done.stdout.strip().splitlines()[-1])


def median_runs(cases: dict, repeat: int) -> dict[str, tuple[float, float]]:
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, (program, *args) in cases.items():
            samples[name].append(run(program, *args))
    return {
        name: (statistics.median(s for s, _ in runs), max(m for _, m in runs))
        for name, runs in samples.items()
    }


def personal_html(tmp: Path, names: list[str]) -> list[Path]:
    """The HTML a plain renderer would need for each personalised copy."""
    from guidegen.html import render_html
    from guidegen.load import load_bank
    from guidegen.paths import CONTENT_DIR
    from guidegen.select import Personal, select

    bank = load_bank(CONTENT_DIR)
    paths = []
    for index, name in enumerate(names):
        html = render_html(select(bank, personal=Personal(name=name)), bank.workbook)
        path = tmp / f"copy-{index}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    return paths


def generated_bank(tmp: Path, questions: int) -> Path:
    """The built-in content with its questions repeated under new ids, one role taking all."""
    from guidegen.paths import CONTENT_DIR

    folder = tmp / f"bank-{questions}"
    shutil.copytree(CONTENT_DIR, folder)
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
    (folder / "questions" / "generated.yaml").write_text(
        yaml.safe_dump({"questions": made}, allow_unicode=True), encoding="utf-8"
    )
    for role in (folder / "roles").glob("*.yaml"):
        role.unlink()
    (folder / "roles" / "generated.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "generated",
                "title": "Generated",
                "summary": "Scaling benchmark.",
                "intro": "Generated for the benchmark.",
                "questions": [q["id"] for q in made],
            }
        ),
        encoding="utf-8",
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (medians)")
    parser.add_argument("--copies", type=int, default=100, help="personalised copies")
    parser.add_argument(
        "--quick", action="store_true", help="1 run, 20 copies, no 240-question case: a smoke test"
    )
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.copies = 1, 20
    results: dict[str, object] = {}

    from guidegen.html import render_html
    from guidegen.load import load_bank
    from guidegen.paths import CONTENT_DIR
    from guidegen.select import select

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base_url = CONTENT_DIR.resolve().as_uri() + "/"

        # 1. One build against a plain render of the same HTML.
        bank = load_bank(CONTENT_DIR)
        html = tmp / "workbook.html"
        html.write_text(render_html(select(bank), bank.workbook), encoding="utf-8")
        (tmp / "plain").mkdir()
        one = median_runs(
            {
                "guidegen build": (GUIDEGEN, "build", "--out", tmp / "build.pdf"),
                "plain WeasyPrint render": (PLAIN_RENDERS, base_url, tmp / "plain", html),
            },
            args.repeat,
        )
        print("1. one workbook (median of", args.repeat, "runs)")
        for name, (seconds, peak) in one.items():
            print(f"   {name:28} {seconds:6.2f} s  {peak:5.0f} MB")
        ratio = one["guidegen build"][0] / one["plain WeasyPrint render"][0]
        print(
            f"   time ratio guidegen / plain: {ratio:.2f} (speed {1 / ratio:.2f}x the plain render)"
        )
        results["build_vs_plain"] = {"ratio": ratio, **{k: v[0] for k, v in one.items()}}

        # 2. Personalised copies against plain full renders.
        names = [f"Attendee Number {n}" for n in range(1, args.copies + 1)]
        attendees = tmp / "room.csv"
        with attendees.open("w", newline="", encoding="utf-8") as stream:
            csv.writer(stream).writerows([["name"]] + [[n] for n in names])
        one_row = tmp / "one.csv"
        one_row.write_text("name\nAttendee Number 1\n", encoding="utf-8")
        htmls = personal_html(tmp, names)
        (tmp / "plain-copies").mkdir()
        batch_s, batch_mb = run(GUIDEGEN, "batch", attendees, "--out-dir", tmp / "batch", "-q")
        single_s, _ = run(GUIDEGEN, "batch", one_row, "--out-dir", tmp / "single", "-q")
        plain_s, plain_mb = run(PLAIN_RENDERS, base_url, tmp / "plain-copies", *htmls)
        per_extra = (batch_s - single_s) / (args.copies - 1)
        copy_size = (tmp / "batch" / "attendee-number-2.pdf").stat().st_size
        # The size bound is against a plain (unpersonalised) `guidegen build`, tagged like
        # the copies; the plain WeasyPrint renders are untagged and smaller.
        plain_size = (tmp / "build.pdf").stat().st_size
        print(f"2. {args.copies} personalised copies")
        print(
            f"   guidegen batch            {batch_s:6.2f} s  {batch_mb:5.0f} MB  "
            f"{per_extra * 1000:5.1f} ms per extra copy"
        )
        print(
            f"   plain full renders        {plain_s:6.2f} s  {plain_mb:5.0f} MB  "
            f"{plain_s / args.copies:5.2f} s per copy"
        )
        print(
            f"   speed-up: {plain_s / batch_s:.1f}x; copy {copy_size / 1024:.0f} KiB vs "
            f"plain guidegen build {plain_size / 1024:.0f} KiB "
            f"({copy_size / plain_size:.2f}x)"
        )
        results["batch"] = {
            "copies": args.copies,
            "batch_s": batch_s,
            "plain_s": plain_s,
            "per_extra_copy_s": per_extra,
            "speedup": plain_s / batch_s,
            "size_ratio": copy_size / plain_size,
            "batch_peak_mb": batch_mb,
        }

        # 3. Scaling with the number of questions.
        print("3. scaling (one build each)")
        scaling = {}
        for count in (30, 60, 120) if args.quick else (30, 60, 120, 240):
            folder = generated_bank(tmp, count)
            seconds, peak = run(
                GUIDEGEN,
                "build",
                "--content",
                folder,
                "--role",
                "generated",
                "--out",
                tmp / f"scale-{count}.pdf",
            )
            scaling[count] = (seconds, peak)
            print(
                f"   {count:4} questions  {seconds:6.2f} s  {peak:5.0f} MB  "
                f"{seconds / count * 1000:5.1f} ms per question"
            )
        results["scaling"] = scaling

        # 4. Worker processes.
        jobs = median_runs(
            {
                f"--jobs {n}": (
                    GUIDEGEN,
                    "batch",
                    attendees,
                    "--out-dir",
                    tmp / f"jobs-{n}",
                    "-q",
                    "--jobs",
                    str(n),
                )
                for n in (1, 2)
            },
            max(1, args.repeat - 1),
        )
        print("4. batch worker processes")
        for name, (seconds, peak) in jobs.items():
            print(f"   {name:10} {seconds:6.2f} s  {peak:5.0f} MB (largest process)")
        results["jobs"] = {k: v[0] for k, v in jobs.items()}

        # 5. Tagging.
        tagging = median_runs(
            {
                "untagged": (PLAIN_RENDERS, base_url, tmp / "plain", html),
                "tagged (PDF/UA-1)": (TAGGED_RENDER, base_url, html, tmp / "tagged.pdf"),
            },
            args.repeat,
        )
        cost = tagging["tagged (PDF/UA-1)"][0] / tagging["untagged"][0] - 1
        print("5. tagging")
        for name, (seconds, peak) in tagging.items():
            print(f"   {name:18} {seconds:6.2f} s  {peak:5.0f} MB")
        print(f"   tagging costs {cost * 100:+.1f}% build time")
        results["tagging_cost"] = cost

    print(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
