"""Option values shared by the CLI and the pipeline, kept import-free so --help stays fast."""

PAPERS = ("a4", "letter")
EDITIONS = ("study", "practice", "facilitator")
