"""The wheel carries content, templates and styles: an installed guidegen builds from anywhere."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pikepdf
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = dist.glob("guidegen-*.whl")
    return found


@pytest.mark.slow
def test_wheel_installs_and_builds_from_an_empty_folder(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    target = Path(
        subprocess.run(
            [str(python), "-c", purelib], check=True, capture_output=True, text=True
        ).stdout.strip()
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        check=True,
    )
    # Dependencies come from this test environment rather than a second download: the wheel's
    # own files are what this test is about. A .pth file is not followed into that folder, so
    # the editable checkout installed there is not visible.
    (target / "deps-from-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    workdir = tmp_path / "empty"
    workdir.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import guidegen.paths as p; print(p.CONTENT_DIR)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
    ).stdout.strip()
    assert where.startswith(str(env_dir)), f"guidegen not imported from the wheel: {where}"
    result = subprocess.run(
        [str(env_dir / "bin" / "guidegen"), "build", "--count", "4"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pdf = workdir / "output" / "devops-engineer.pdf"
    with pikepdf.open(pdf) as document:
        pages = len(document.pages)
    assert pages > 10 and f"({pages} pages)" in result.stdout
