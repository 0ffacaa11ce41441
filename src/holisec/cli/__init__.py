"""The ``holisec`` command line: Typer sub-apps, one module per area (the only code that prints)."""
from __future__ import annotations

from typing import Optional

import typer

from holisec.cli import data, framework, holistic, index, report, serve, uncertainty, warn

app = typer.Typer(
    name="holisec",
    help="Holistic security risk observatory: composite risk index (scores 0-100, higher = more risk), "
         "audit, early warning.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        import holisec

        typer.echo(f"holisec {holisec.__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                                help="Print the holisec version and exit.")) -> None:
    """Holistic security risk observatory: composite risk index (scores 0-100, higher = more risk),
    audit, early warning."""


app.add_typer(data.app, name="data", help="Load, list and check the observation store.")
app.add_typer(framework.app, name="framework", help="Show and check security frameworks.")
index.register(app)
app.add_typer(warn.app, name="warn", help="Alerts, trend breaks and onset forecasts.")
uncertainty.register(app)
serve.register(app)
report.register(app)
holistic.register(app)


def main() -> None:
    """The ``holisec`` entry point: the app, with any unexpected error as one line (exit code 1).

    Expected input problems are handled by each command (one line, exit code 2); this net
    keeps a bug from printing a traceback at a user. ``HOLISEC_DEBUG=1`` shows it.
    """
    import os
    import sys

    try:
        app()
    except Exception as err:  # noqa: BLE001 - the last line of defence
        if os.environ.get("HOLISEC_DEBUG"):
            raise
        from rich.markup import escape

        from holisec.cli.common import err_console, plain_numbers

        err_console.print(f"[bold red]error:[/] unexpected {type(err).__name__}: {escape(plain_numbers(str(err)))} (a holisec bug: please "
                          "report it with the command; HOLISEC_DEBUG=1 shows the traceback)", highlight=False,
                          markup=True)
        sys.exit(1)
