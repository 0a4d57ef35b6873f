"""The page's HTML: ``templates/serve/``, rendered in the sandbox every template renders in,
with autoescaping on (every name, company and CSV cell shown is escaped)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

# The one import from the book stage: its Jinja sandbox (see book/sandbox.py).
from guidegen.book.sandbox import TemplateSandbox
from guidegen.paths import STYLES_DIR, TEMPLATES_DIR

PAGE_TEMPLATES = TEMPLATES_DIR / "serve"


@cache
def environment() -> jinja2.Environment:
    return TemplateSandbox(
        # Rooted at templates/ with the page's names under serve/, so that a theme made by
        # copying templates/ checks them against their own base (theme.py).
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> str:
    return environment().get_template(f"serve/{name}").render(**context)


@cache
def static_files() -> dict[str, tuple[bytes, str]]:
    """The page's own stylesheet and script: fixed names, read once."""
    return {
        "serve.css": ((STYLES_DIR / "serve.css").read_bytes(), "text/css; charset=utf-8"),
        "progress.js": (
            (PAGE_TEMPLATES / "progress.js").read_bytes(),
            "text/javascript; charset=utf-8",
        ),
    }


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"
