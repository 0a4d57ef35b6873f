"""Every role x candidate edition x paper built and checked against the layout rules
(tests/layout_checks.py): `make layout-matrix`. The suite checks four of these sixteen books;
this checks them all, two builds at a time, and prints one line per book.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guidegen.content.load import load_bank  # noqa: E402
from guidegen.paths import CONTENT_DIR  # noqa: E402
from tests.layout_checks import all_faults, blank_pages, measure  # noqa: E402
from tests.pdfread import Workbook  # noqa: E402


def build(folder: Path, role: str, edition: str, paper: str) -> Path:
    out = folder / f"{role}-{edition}-{paper}.pdf"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "guidegen",
            "build",
            "--role",
            role,
            "--edition",
            edition,
            "--paper",
            paper,
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


def main() -> int:
    roles = sorted(load_bank(CONTENT_DIR).roles)
    combinations = [
        (role, edition, paper)
        for role in roles
        for edition in ("study", "practice")
        for paper in ("a4", "letter")
    ]
    failed = 0
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(2) as pool:
        books = pool.map(lambda combo: (combo, build(Path(folder), *combo)), combinations)
        for (role, edition, paper), path in books:
            book = Workbook(path)
            faults = {rule: found for rule, found in all_faults(book, paper).items() if found}
            median, _ = measure(book, 10.5)
            print(
                f"{role:28} {edition:9} {paper:7} {book.page_count:4} pages  "
                f"blank {blank_pages(book)}  measure {median:.0f}  "
                + ("ok" if not faults else f"FAULTS {faults}")
            )
            failed += bool(faults)
            book.close()
    print(f"{len(combinations) - failed} of {len(combinations)} books keep every rule")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
