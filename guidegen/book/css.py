"""The design's custom properties, put in place before WeasyPrint reads the stylesheets.

The stylesheets keep ``var(--accent)`` and friends as the design's knobs (styles/variables.css,
a theme's theme.css). WeasyPrint resolves a var() for every element that uses it, as a pending
value; substituting the values once, here, made a build about 5 % faster (benchmarks/run.py).
It is only done when every custom property is set in a ``:root`` rule, as guidegen's own
stylesheets do: a theme that sets one anywhere else (on ``.cover``, say) gets WeasyPrint's own
resolution, which honours the cascade.
"""

from __future__ import annotations

import re
from typing import Any

import tinycss2

Node = Any  # a tinycss2 node: tinycss2 ships no types

_VAR = re.compile(r"var\(\s*(--[A-Za-z0-9_-]+)\s*(?:,\s*((?:[^()]|\([^()]*\))*))?\)")


def _declarations(rule: Node) -> list[Node]:
    return [
        item
        for item in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        )
        if item.type == "declaration"
    ]


def custom_properties(texts: list[str]) -> dict[str, str] | None:
    """Every custom property set in ``:root`` rules, the last setting winning; None if one is
    set in any other rule."""
    values: dict[str, str] = {}

    def walk(rules: list[Node], top: bool) -> bool:
        for rule in rules:
            if rule.type not in ("qualified-rule", "at-rule") or rule.content is None:
                continue
            if rule.type == "at-rule":
                if rule.lower_at_keyword in ("media", "supports"):
                    nested = tinycss2.parse_rule_list(
                        rule.content, skip_comments=True, skip_whitespace=True
                    )
                    if not walk(nested, False):
                        return False
                    continue
                if any(d.name.startswith("--") for d in _declarations(rule)):
                    return False
                continue
            selector = tinycss2.serialize(rule.prelude).strip()
            for declaration in _declarations(rule):
                if not declaration.name.startswith("--"):
                    continue
                if selector != ":root" or not top:
                    return False
                values[declaration.name] = tinycss2.serialize(declaration.value).strip()
        return True

    for text in texts:
        rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
        if not walk(rules, True):
            return None
    return values


def substitute(text: str, values: dict[str, str], depth: int = 0) -> str:
    """``text`` with each var() replaced by its value (or its fallback)."""

    def one(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        if name in values:
            value = values[name]
        elif fallback is not None:
            value = fallback.strip()
        else:
            return match.group(0)  # unknown: leave it to WeasyPrint, which reports it
        return substitute(value, values, depth + 1) if depth < 10 else value

    return _VAR.sub(one, text)


def resolve(texts: list[str]) -> list[str]:
    """The stylesheets with their custom properties substituted, when that is safe."""
    values = custom_properties(texts)
    if values is None:
        return texts
    return [substitute(text, values) for text in texts]
