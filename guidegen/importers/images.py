"""The images a source shows, and which of them come into the pack.

A relative image path (``![diagram](img/arch.png)``) is resolved against the source's folder;
the file is copied into the pack at the same relative path, so the text needs no change (a
pack's relative URLs resolve against the pack's folder). It is copied only if it is an image
file inside the source's folder (no ``..`` out of it, no symbolic link), at most 10 MB. A web
address is not fetched at import or at build: it prints as a link. Every image that is not
copied is reported with its line and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from guidegen.importers.markdown_lines import read_lines
from guidegen.importers.records import SourceRecords

_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I)
SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MAX_BYTES = 10 * 1024 * 1024


@dataclass
class ImagePlan:
    copies: dict[str, Path] = field(default_factory=dict)  # pack-relative path: source file
    not_copied: list[tuple[int, str, str]] = field(default_factory=list)  # line, url, why


def references(text: str) -> list[tuple[int, str]]:
    """(line, url) of every image outside fenced code (and front matter and MDX), in order."""
    found = []
    for line in read_lines(text, SourceRecords("questions-md")):
        if not line.code:
            found += [(line.number, url) for url in _MARKDOWN_IMAGE.findall(line.text)]
            found += [(line.number, url) for url in _HTML_IMAGE.findall(line.text)]
    return found


def plan_images(source_path: Path, text: str) -> ImagePlan:
    plan = ImagePlan()
    folder = source_path.resolve().parent
    for line, url in references(text):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            plan.not_copied.append((line, url, "a web address: printed as a link, not fetched"))
            continue
        if parts.scheme or parts.netloc or url.startswith("/"):
            plan.not_copied.append((line, url, "not a path relative to the source's folder"))
            continue
        relative = unquote(parts.path)
        target = folder / relative
        if not relative.lower().endswith(SUFFIXES):
            plan.not_copied.append((line, url, f"not an image file ({', '.join(SUFFIXES)})"))
        elif ".." in Path(relative).parts:
            plan.not_copied.append((line, url, "outside the source's folder"))
        elif any(
            p.is_symlink()
            for p in [target, *target.parents]
            if p != folder and p.is_relative_to(folder)
        ):
            plan.not_copied.append((line, url, "a symbolic link"))
        elif not target.resolve().is_relative_to(folder):
            plan.not_copied.append((line, url, "outside the source's folder"))
        elif not target.is_file():
            plan.not_copied.append((line, url, "no such file"))
        elif target.stat().st_size > MAX_BYTES:
            plan.not_copied.append((line, url, f"larger than {MAX_BYTES // 1_048_576} MB"))
        else:
            plan.copies[Path(relative).as_posix()] = target
    return plan
