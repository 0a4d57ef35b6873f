"""The ``guidegen`` command group: every command ends a known failure the same way, one line
and the right exit code (0 done, 1 content or render problem, 2 usage or output problem, 130 or
143 interrupted). Each command lives in a module of its own in this package.
"""

from __future__ import annotations

import signal
import sys
import threading

import click

from guidegen import __version__
from guidegen.cli.batch import batch
from guidegen.cli.build import build
from guidegen.cli.cards import cards
from guidegen.cli.common import fail_content, usage
from guidegen.cli.import_ import import_
from guidegen.cli.init import init
from guidegen.cli.preview import preview
from guidegen.cli.roles import roles
from guidegen.cli.schema import schema
from guidegen.cli.validate import validate
from guidegen.errors import ContentError, GuidegenError, Interrupted, OutputError, UsageError


def _on_sigterm(signum, frame):
    raise Interrupted(143)


class _Commands(click.Group):
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


for command in (build, batch, cards, roles, validate, schema, init, preview, import_):
    main.add_command(command)
