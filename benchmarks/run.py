"""Benchmark: `guidegen build` against a plain WeasyPrint render of the same HTML.

Run with `make bench` (or `.venv/bin/python benchmarks/run.py [--repeat N]`). Each case runs in
a fresh Python process, alternating between cases so that noise from this shared machine hits
both alike; we report the median wall time, the peak resident memory and the ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Each case is a small program run in its own interpreter; it prints its peak RSS in MB.
PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"

GUIDEGEN_BUILD = """
import sys
from guidegen.cli import main
try:
    main(["build", "--out", sys.argv[1]])
except SystemExit as done:
    assert done.code in (0, None), done.code
""" + PEAK

PLAIN_WEASYPRINT = """
import sys
from pathlib import Path
import weasyprint
html = Path(sys.argv[2]).read_text(encoding="utf-8")
weasyprint.HTML(string=html, base_url=sys.argv[3]).write_pdf(sys.argv[1])
""" + PEAK


def run_case(program: str, *args: str) -> tuple[float, float]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", program, *args], capture_output=True,
                            text=True, check=True, cwd=REPO)
    seconds = time.perf_counter() - start
    return seconds, float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from guidegen.html import render_html
    from guidegen.load import load_bank
    from guidegen.paths import CONTENT_DIR
    from guidegen.select import select

    bank = load_bank(CONTENT_DIR)
    html = render_html(select(bank), bank.workbook)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        html_path = tmp / "workbook.html"
        html_path.write_text(html, encoding="utf-8")
        base_url = CONTENT_DIR.resolve().as_uri() + "/"
        cases = {
            "guidegen build (CLI, whole pipeline)": (GUIDEGEN_BUILD, str(tmp / "a.pdf")),
            "plain WeasyPrint, same HTML": (PLAIN_WEASYPRINT, str(tmp / "b.pdf"),
                                            str(html_path), base_url),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, (program, *case_args) in cases.items():
                samples[name].append(run_case(program, *case_args))
        sizes = {name: Path(case[1]).stat().st_size for name, case in cases.items()}

    print(f"Python {sys.version.split()[0]}, {args.repeat} runs each, medians")
    print(f"{'case':40} {'seconds':>8} {'peak MB':>8} {'PDF KiB':>8}")
    medians = {}
    for name, runs in samples.items():
        seconds = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        medians[name] = seconds
        print(f"{name:40} {seconds:8.2f} {peak:8.0f} {sizes[name] / 1024:8.0f}")
    guidegen_s, plain_s = medians.values()
    print(f"ratio guidegen / plain WeasyPrint: {guidegen_s / plain_s:.2f}")
    print(json.dumps({"guidegen_s": guidegen_s, "plain_s": plain_s,
                      "ratio": guidegen_s / plain_s}))


if __name__ == "__main__":
    main()
