"""The ``guidegen`` command group: every command ends a known failure the same way, one line
and the right exit code (0 done, 1 content or render problem, 2 usage or output problem, 130 or
143 interrupted). Each command lives in a module of its own in this package.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import signal
import sys
import threading

import click

from guidegen import __version__
from guidegen.cli.common import fail_content, usage
from guidegen.errors import ContentError, GuidegenError, Interrupted, OutputError, UsageError

# Command name -> the module of guidegen.cli that defines it (a function of the same name).
# A command's module is imported only when that command runs (or --help lists them all), so
# `guidegen roles` does not pay for the options and imports of build, batch and cards.
COMMANDS = {
    "build": "build",
    "batch": "batch",
    "cards": "cards",
    "roles": "roles",
    "validate": "validate",
    "schema": "schema",
    "init": "init",
    "preview": "preview",
    "serve": "serve",
    "import": "import_",
}


# guidegen's models are pydantic's only users here: looking for pydantic plugins would list
# the entry points of every installed package (4 ms of each command with 70 packages).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

# The interpreter's last step is a garbage collection that walks every object pydantic, click
# and the content made: 20 ms of a 160 ms `guidegen roles`. Frozen objects are not walked. This
# runs after every other exit handler (it is registered first), when guidegen has closed its
# files; the operating system takes the memory back.
atexit.register(gc.freeze)


def _on_sigterm(signum, frame):
    raise Interrupted(143)


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        return getattr(importlib.import_module(f"guidegen.cli.{module}"), module)

    def invoke(self, ctx):
        previous = None
        if threading.current_thread() is threading.main_thread():
            # SIGTERM unwinds through Python like Ctrl-C, so temporary files are removed.
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return super().invoke(ctx)
        except ContentError as error:
            fail_content(error)
        except OutputError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except UsageError as error:
            usage(str(error))
        except GuidegenError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Interrupted as interruption:
            click.echo("stopped", err=True)
            sys.exit(interruption.code)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guidegen")
def main() -> None:
    """Turn an interview-question bank into printable PDF workbooks."""
