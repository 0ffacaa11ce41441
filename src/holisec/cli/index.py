"""Top-level commands: ``build``, ``audit``, ``rank`` and ``demo``."""
from __future__ import annotations

import typer

from holisec.cli.common import console, print_json, user_errors


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    store: str = typer.Option(None, "--store", envvar="HOLISEC_STORE", help="DuckDB store file."),
) -> None:
    """Load the shipped real data into the store and show its coverage."""
    from holisec.cli.data import coverage, load

    load(paths=None, source=None, shipped=True, store=store, json_out=False)  # unchanged files: no-op
    coverage(framework="holistic", store=store, as_of=None, json_out=False)
