"""Shared CLI helpers: JSON output, Rich tables, error reporting."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from holisec._json import json_ready

StoreOpt = typer.Option(None, "--store", envvar="HOLISEC_STORE",
                        help="DuckDB store file (default: $HOLISEC_STORE, else ~/.local/share/holisec/store.duckdb; "
                             "a new store is filled from the shipped data on first use).")

# wide output when piped or captured (tests, CI logs); the terminal's own width otherwise
_WIDTH = None if sys.stdout.isatty() else 200
console = Console(soft_wrap=True, width=_WIDTH)
err_console = Console(stderr=True, soft_wrap=True, width=_WIDTH)


def print_json(obj: Any) -> None:
    """Machine-readable output on stdout (NaN -> null)."""
    sys.stdout.write(json.dumps(json_ready(obj), indent=2) + "\n")


def frame_records(df: pd.DataFrame) -> list[dict]:
    return json_ready(df.reset_index().to_dict(orient="records") if df.index.name else df.to_dict(orient="records"))


def show_table(df: pd.DataFrame, title: str = "", floatfmt: str = "{:.3g}", max_rows: int = 60) -> None:
    table = Table(title=title, show_lines=False)
    frame = df.reset_index() if df.index.name else df
    for col in frame.columns:
        table.add_column(str(col))
    for _, row in frame.head(max_rows).iterrows():
        table.add_row(*[floatfmt.format(v) if isinstance(v, float) else str(v) for v in row])
    console.print(table)
    if len(frame) > max_rows:
        console.print(f"... {len(frame) - max_rows} more rows (use --json for all)")


@contextmanager
def cli_store(store: str | None, *, read_only: bool = True, initialise: bool = True):
    """The store of a command (``--store`` > ``$HOLISEC_STORE`` > default), closed on every path.

    A new store is initialised from the shipped data first, said in one line on stderr."""
    from holisec.index import open_store

    st = open_store(store, read_only=read_only, initialise=initialise,
                    notify=lambda msg: err_console.print(f"[dim]{msg}[/]", highlight=False))
    try:
        yield st
    finally:
        st.close()


@contextmanager
def user_errors():
    """Turn expected input errors into a clean message and exit code 2."""
    from holisec.framework import FrameworkError

    try:
        yield
    except (FrameworkError, ValueError, FileNotFoundError, KeyError, OSError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        err_console.print(f"[bold red]error:[/] {msg}", highlight=False)
        raise typer.Exit(2) from None
