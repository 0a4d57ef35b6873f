"""The wheel carries content, templates and styles: an installed guidegen builds from anywhere."""

from __future__ import annotations

import os
import re
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


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A virtual environment with the wheel installed (its dependencies from this one)."""
    env_dir = tmp_path_factory.mktemp("wheel-venv") / "venv"
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
    return env_dir


def run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(env_dir / "bin" / "guidegen"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.mark.slow
def test_wheel_installs_and_builds_from_an_empty_folder(installed, tmp_path):
    env_dir = installed
    workdir = tmp_path / "empty"
    workdir.mkdir()
    where = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import guidegen.paths as p; print(p.CONTENT_DIR)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
    ).stdout.strip()
    assert where.startswith(str(env_dir)), f"guidegen not imported from the wheel: {where}"
    result = run(env_dir, "build", "--count", "4", cwd=workdir)
    assert result.returncode == 0, result.stderr
    pdf = workdir / "output" / "devops-engineer.pdf"
    with pikepdf.open(pdf) as document:
        pages = len(document.pages)
    assert pages > 10 and f"({pages} pages)" in result.stdout


@pytest.mark.slow
def test_wheel_init_validate_build(installed, tmp_path):
    result = run(installed, "init", "pack", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pack" / "content.schema.json").is_file()
    result = run(installed, "validate", "--content", "pack", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(installed, "build", "--content", "pack", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "output" / "my-role.pdf") as document:
        titles = [item.title for part in document.open_outline().root for item in part.children]
    assert "This CI job fails. What would you check first?" in titles


@pytest.mark.slow
def test_wheel_preview_serves_the_book_and_its_styles(installed, tmp_path):
    import signal
    import urllib.request

    assert run(installed, "init", "pack", cwd=tmp_path).returncode == 0
    process = subprocess.Popen(
        [str(installed / "bin" / "guidegen"), "preview", "--content", "pack", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = process.stdout.readline().split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=30) as response:
            page = response.read().decode("utf-8")
        assert "Why do you want to join this company?" in page
        sheet = re.search(r'href="(/files/[^"]+/base\.css)"', page).group(1)
        assert str(installed) in sheet  # the installed copy's stylesheet, served
        with urllib.request.urlopen(url.rstrip("/") + sheet, timeout=30) as response:
            assert response.status == 200 and b"--" in response.read()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0, process.stderr.read()
