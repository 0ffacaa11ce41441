"""``holisec data``: load files into the store, list sources, report coverage."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress

from holisec.cli.common import console, frame_records, print_json, show_table, user_errors

app = typer.Typer(no_args_is_help=True)

StoreOpt = typer.Option(None, "--store", envvar="HOLISEC_STORE", help="DuckDB store file.")


def open_store(store: str | None):
    from holisec.data.store import Store

    return Store(store)


@app.command("load")
def load(
    paths: list[Path] = typer.Argument(None, help="Files to ingest (long/wide CSV, Parquet, Excel, COINr iData)."),
    source: str = typer.Option(None, "--source", help="Source id recorded with the vintage (default: file stem)."),
    shipped: bool = typer.Option(False, "--shipped", help="Load the real data shipped with holisec."),
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Ingest files as a new vintage (one transaction per file; nothing is overwritten)."""
    from holisec.data.shipped import load_shipped

    if not paths and not shipped:
        raise typer.BadParameter("give PATH... or --shipped")
    reports = []
    with user_errors():
        st = open_store(store)
        if shipped:
            with Progress(console=console, transient=True) as bar:
                reports += load_shipped(st, progress=bar)
        for p in paths or []:
            reports.append(st.ingest(p, source=source or p.stem))
    rows = [r.to_dict() for r in reports]
    if json_out:
        print_json(rows)
        return
    for r in reports:
        console.print(r.summary())


@app.command("sources")
def sources(json_out: bool = typer.Option(False, "--json")) -> None:
    """List the shipped sources with citation and licence."""
    from holisec.data.shipped import sources as shipped_sources

    df = shipped_sources()
    if json_out:
        print_json(frame_records(df))
    else:
        show_table(df[[c for c in ("id", "name", "licence", "non_commercial") if c in df.columns]], "Shipped sources")


@app.command("coverage")
def coverage(
    framework: str = typer.Option("holistic", "--framework", help="Framework name or file."),
    store: str = StoreOpt,
    as_of: str = typer.Option(None, "--as-of", help="Vintage (ingest id or timestamp)."),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Coverage per domain and indicator: entities, years, share missing."""
    from holisec.framework import load_framework

    with user_errors():
        fw = load_framework(framework)
        cov = open_store(store).coverage(fw, as_of=as_of)
    if json_out:
        print_json(coverage_summary(cov))
        return
    show_table(cov, f"Coverage ({fw.id})", max_rows=200)
    s = coverage_summary(cov)
    console.print(f"{s['entities']} entities, {s['indicators']} indicators, periods {s['first_period']}-{s['last_period']}")


def coverage_summary(cov) -> dict:
    """Totals plus per-domain and per-indicator rows, as JSON-ready dict."""
    recs = frame_records(cov)
    domains = {}
    for r in recs:
        d = r.get("domain") or "(not in framework)"
        domains.setdefault(d, []).append(r.get("indicator"))
    return {
        "entities": int(cov.attrs.get("entities", 0)),
        "indicators": int(len(cov)),
        "first_period": cov.attrs.get("first_period"),
        "last_period": cov.attrs.get("last_period"),
        "domains": {d: {"indicators": v, "count": len(v)} for d, v in domains.items()},
        "rows": recs,
    }
