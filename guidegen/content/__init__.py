"""Stage 1: the content format (models), reading files safely (yamlread), loading and
validating a content folder (load), and the JSON Schema for editors (schema)."""
