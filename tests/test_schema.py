"""The JSON Schema accepts every built-in content file and rejects what validation rejects."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from guidegen.content.schema import content_schema
from guidegen.paths import CONTENT_DIR

FILES = sorted(CONTENT_DIR.rglob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CONTENT_DIR)))
def test_content_file_points_at_the_schema_and_passes_it(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    depth = len(path.relative_to(CONTENT_DIR).parts)
    assert first == f"# yaml-language-server: $schema={'../' * depth}schema/content.schema.json"
    target = (path.parent / first.split("=", 1)[1]).resolve()
    assert target.is_file(), f"{path}: schema comment points at a missing file"
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), content_schema())


def test_schema_rejects_an_unknown_field_and_a_bad_kind():
    schema = content_schema()
    question = yaml.safe_load((CONTENT_DIR / "questions" / "technical.yaml").read_text())
    question["questions"][0]["kind"] = "trivia"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(question, schema)
    role = yaml.safe_load((CONTENT_DIR / "roles" / "cloud-engineer.yaml").read_text())
    role["colour"] = "blue"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(role, schema)
