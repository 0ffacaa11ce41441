"""Shared CLI helpers: JSON output, Rich tables, error reporting."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
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


LEVEL_STYLE = {"red": "bold red", "amber": "dark_orange", "green": "green"}


def _cell(v: Any, floatfmt: str) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else ""
    if isinstance(v, (float, np.floating)):
        return floatfmt.format(float(v))
    text = escape(str(v))
    return f"[{LEVEL_STYLE[text]}]{text}[/]" if text in LEVEL_STYLE else text


def show_table(df: pd.DataFrame, title: str = "", floatfmt: str = "{:.3g}", max_rows: int = 60,
               more: str = "use --json for all") -> None:
    """A Rich table of a data frame (NaN shown empty, levels coloured), at most ``max_rows`` rows."""
    table = Table(title=escape(title), show_lines=False)
    frame = df.reset_index() if df.index.name else df
    for col in frame.columns:
        table.add_column(escape(str(col)))
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*[_cell(v, floatfmt) for v in row])
    console.print(table)
    if len(frame) > max_rows:
        console.print(f"... {len(frame) - max_rows} more rows ({more})", highlight=False)


def resolve_entity(text: str, store, entity_type: str = "country") -> tuple[str, str]:
    """(code, name) of an entity given as a code in any case or a name (as ingest harmonises
    names); an unknown one is a clear error with the closest names ("did you mean Germany?")."""
    import difflib

    from holisec.data.countries import harmonise

    ents = store.entities(entity_type=entity_type)
    codes = pd.Index(ents["entity"].astype(str))
    names = dict(zip(ents["entity"].astype(str), ents["name"].fillna(ents["entity"]).astype(str)))
    raw = str(text).strip()
    by_upper = {c.upper(): c for c in codes}
    hit = by_upper.get(raw.upper())
    if hit is None:
        by_name = {n.casefold(): c for c, n in names.items()}
        hit = by_name.get(raw.casefold())
    if hit is None and entity_type == "country":
        iso = harmonise([raw]).codes.iloc[0]
        hit = str(iso) if iso is not pd.NA and str(iso) in names else None
    if hit is not None:
        return hit, names[hit]
    keys = {n.casefold(): n for n in names.values()} | {c.casefold(): names[c] for c in codes}
    close = difflib.get_close_matches(raw.casefold(), list(keys), n=6, cutoff=0.6)
    ratio = {k: difflib.SequenceMatcher(None, raw.casefold(), k).ratio() for k in close}
    close = [k for k in close if ratio[k] >= max(ratio.values()) - 0.1]  # the clearly closest only
    try:
        from holisec.data.countries import suggest  # the ingest's suggestions, where available
    except ImportError:
        suggest = None
    found = list(dict.fromkeys([keys[k] for k in close] + (suggest(raw) if suggest else [])))[:3]
    hint = f"; did you mean {' or '.join(found)}?" if found else f"; give an ISO3 code or a {entity_type} name"
    fail(f"unknown {entity_type} {raw!r} (not in the store){hint}")


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
    """Turn expected input errors into one clean line on stderr and exit code 2 (no traceback)."""
    import duckdb
    import yaml

    from holisec.framework import FrameworkError

    try:
        yield
    except IsADirectoryError as err:
        _fail(f"{err.filename} is a folder; give a file")
    except PermissionError as err:
        _fail(f"{err.filename}: permission denied; choose a path you can read/write")
    except yaml.YAMLError as err:
        _fail(f"YAML syntax error: {' '.join(str(err).split())}")
    except duckdb.Error as err:
        _fail(f"store: {str(err).splitlines()[0]}")
    except (FrameworkError, ValueError, FileNotFoundError, KeyError, OSError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        _fail(str(msg))


_NUMPY_REPR = re.compile(r"\bnp\.(?:float|int|uint|bool_?|str_)\d*\(([^()]*)\)")


def plain_numbers(text: str) -> str:
    """``[np.int64(1990), np.float64(0.5)]`` -> ``[1990, 0.5]``: numpy 2 reprs never reach a user."""
    return _NUMPY_REPR.sub(lambda m: m.group(1), text)


def _fail(msg: str) -> None:
    err_console.print(f"[bold red]error:[/] {escape(plain_numbers(msg))}", highlight=False)
    raise typer.Exit(2) from None


def fail(msg: str) -> None:
    """A usage problem found by a command: one line on stderr, exit code 2."""
    _fail(msg)


def check_out(path: Path, suffixes: tuple[str, ...] = (".csv", ".parquet", ".xlsx")) -> Path:
    """An output file path: not a folder, a known suffix, its folder existing."""
    path = Path(path)
    if path.is_dir():
        fail(f"--out {path} is a folder; give a file name ending in {', '.join(suffixes)}")
    if path.suffix.lower() not in suffixes:
        fail(f"--out {path}: unsupported format {path.suffix or '(none)'!r}; use {', '.join(suffixes)}")
    if not path.parent.is_dir():
        fail(f"--out {path}: folder {path.parent} does not exist; create it first")
    return path


def check_in(path: Path, what: str, suffixes: tuple[str, ...] | None = None) -> Path:
    """An input file path: it exists, is a file, and (if given) has one of ``suffixes``."""
    path = Path(path)
    if not path.exists():
        fail(f"{what} {path}: file not found")
    if path.is_dir():
        fail(f"{what} {path} is a folder; give a file")
    if suffixes and path.suffix.lower() not in suffixes:
        fail(f"{what} {path}: unsupported format {path.suffix or '(none)'!r}; use {', '.join(suffixes)}")
    return path


def pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.0f}%"


def score_notes(result, period: int | None = None, code: str | None = None) -> list[str]:
    """What the printed scores mean and how much of them is real, in a few lines:
    the scale and normalisation reference; what the screening dropped; for ``period``, the share
    of the shown cells (scored entities x the code's indicators) observed vs imputed."""
    from holisec.pipeline.provenance import entity_noun, observed_share, scale_note, screening_summary

    scr = screening_summary(result)
    (de, ne), (di, ni) = scr["entities"], scr["indicators"]
    noun = entity_noun(result.datasets["raw"]["entity"].values)
    note = scale_note(result)
    lines = [note[:1].upper() + note[1:] + ".",
             f"Screening dropped {de} of {ne} {noun} and {di} of {ni} indicators (too little data)."]
    if period is not None:
        o = observed_share(result, period, code)
        if o["cells"]:
            lines.append(f"{period}: of the {o['cells']:,} values behind the shown scores ({o['entities']} {noun} x "
                         f"{o['indicators']} indicators), {pct(o['observed'])} observed, {pct(o['imputed'])} imputed "
                         f"({pct(o['carried'])} carried forward from earlier years).")
    return lines


def print_notes(lines: list[str]) -> None:
    for line in lines:
        console.print(f"[dim]{escape(line)}[/]", highlight=False)
