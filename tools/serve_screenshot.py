"""A screenshot of guidegen serve's start page, as headless Chromium shows it 1000 px wide.

    python tools/serve_screenshot.py docs/serve.png [--chromium /usr/bin/chromium]

Starts ``guidegen serve`` with the built-in content on a free port and an empty data folder,
opens the page with Playwright and saves the screenshot (the whole page, or --height px of it),
in 64 colours if Pillow is there.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--height", type=int, default=0, help="0: the whole page")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [sys.executable, "-m", "guidegen", "serve", "--port", "0", "--data-dir", data],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            first = server.stdout.readline() if server.stdout else ""
            match = re.search(r" at (http://\S+) ", first)
            if not match:
                sys.exit(f"guidegen serve did not start: {first}")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=args.chromium, args=["--no-sandbox"]
                )
                page = browser.new_page(viewport={"width": args.width, "height": 800})
                page.goto(match.group(1))
                if args.height:
                    page.set_viewport_size({"width": args.width, "height": args.height})
                page.screenshot(path=str(args.out), full_page=not args.height)
                browser.close()
            _shrink(args.out)
        finally:
            server.terminate()
            server.wait()


def _shrink(path: Path) -> None:
    """64 colours are plenty for a page of text and flat colour: a third of the bytes."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        flat = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    flat.save(path, optimize=True)


if __name__ == "__main__":
    main()
