"""Writing content YAML that a person will keep editing (``guidegen import``).

- Markdown fields are literal block scalars (``|``), so the text reads as it prints and a
  diff shows the lines that changed; a block keeps every character, tabs and trailing spaces
  included (PyYAML would fall back to a quoted string for those).
- Keys stay in the order given; lists of tags are written on one line (``tags: [a, b]``);
  sequences are indented under their key, as in the built-in content.
- Nothing is wrapped: a long title stays on one line.
- Every value is read back with the loader content is read with, and must come back exactly;
  a block that would not (a character YAML treats as a line break) is written quoted instead.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
# What a literal block can hold as typed: printable text and tabs, one kind of line break.
_BLOCK_SAFE = re.compile(
    "[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)


class Block(str):
    """Markdown text: written as a literal block scalar, ending in one line break."""

    def __new__(cls, text: str) -> Block:
        return super().__new__(cls, text if text.endswith("\n") else text + "\n")


class Flow(list):
    """A short list written on one line, such as tags."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)

    def analyze_scalar(self, scalar: str):
        analysis = super().analyze_scalar(scalar)
        # PyYAML refuses a block for text with tabs or trailing spaces, which YAML allows.
        if not analysis.allow_block and analysis.multiline and _BLOCK_SAFE.fullmatch(scalar):
            analysis.allow_block = True
        return analysis


def _represent_block(dumper: _Dumper, value: Block) -> yaml.ScalarNode:
    text = str(value)
    style = "|" if _round_trips(text) else '"'
    return dumper.represent_scalar(_STR, text, style=style)


def _represent_flow(dumper: _Dumper, value: Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)


_Dumper.add_representer(Block, _represent_block)
_Dumper.add_representer(Flow, _represent_flow)


def _dump(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
        default_flow_style=False,
    )


def _round_trips(text: str) -> bool:
    probe = yaml.dump(
        {"v": text},
        Dumper=_Probe,
        allow_unicode=True,
        width=1_000_000,
    )
    try:
        return yaml.load(probe, Loader=_Loader) == {"v": text}
    except yaml.YAMLError:  # libyaml refuses a block whose first line starts with a tab
        return False


class _Probe(_Dumper):
    """Dumps one text as a block, to see whether it reads back unchanged."""


_Probe.add_representer(str, lambda dumper, value: dumper.represent_scalar(_STR, value, style="|"))


def dump_content(data: Any) -> str:
    """``data`` as YAML text; it loads back equal to ``data`` (checked)."""
    text = _dump(data)
    if yaml.load(text, Loader=_Loader) != data:
        raise RuntimeError("the YAML written does not read back as the data given")
    return text
