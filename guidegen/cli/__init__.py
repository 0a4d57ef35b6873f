"""The command line: one module per command, over the pipeline. ``main`` is the entry point."""

from guidegen.cli.main import main

__all__ = ["main"]
