"""The JSON Schema of the content format, generated from the pydantic models.

One schema covers every kind of content file (a question file, an ask file, a role, the
workbook text), so every file can point at it from its `yaml-language-server` comment.
"""

import json
from typing import Union

from pydantic import TypeAdapter

from guidegen.content.models import AskFile, QuestionFile, Role, Vocabulary, WorkbookText


def content_schema() -> dict:
    adapter = TypeAdapter(Union[QuestionFile, AskFile, Role, WorkbookText, Vocabulary])  # noqa: UP007
    schema = adapter.json_schema(ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "guidegen content file",
        "description": "A questions/*.yaml, ask/*.yaml, roles/*.yaml, workbook.yaml or "
        "vocabulary.yaml file. "
        "See docs/content-format.md.",
        **schema,
    }


def content_schema_json() -> str:
    return json.dumps(content_schema(), indent=2, ensure_ascii=False) + "\n"
