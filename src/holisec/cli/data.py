"""``holisec data``: load files into the store, list sources, report coverage."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import typer
from rich.progress import Progress

from holisec.cli.common import StoreOpt, check_in, cli_store, console, frame_records, print_json, show_table, user_errors

app = typer.Typer(no_args_is_help=True)
#: What ``data load`` reads: CSV/TSV text (long, wide World-Bank style, COINr iData), Excel, Parquet.
INPUT_FILES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")



@app.command("load")
def load(
    paths: list[Path] = typer.Argument(None, help="Files to ingest (long/wide CSV, Parquet, Excel, COINr iData)."),
    source: str = typer.Option(None, "--source", help="Source id recorded with the vintage (default: file stem)."),
    shipped: bool = typer.Option(False, "--shipped", help="Load the real data shipped with holisec."),
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Ingest files as a new vintage (one transaction per file; nothing is overwritten)."""
    from holisec.data.shipped import load_shipped

    if not paths and not shipped:
        raise typer.BadParameter("give PATH... or --shipped")
    for p in paths or []:  # before opening the store: a wrong file is a one-line error, nothing written
        check_in(p, "data load", INPUT_FILES)
    reports = []
    with user_errors(), cli_store(store, read_only=False, initialise=False) as st:  # loads exactly what is asked
        if shipped:
            with Progress(console=console, transient=True, disable=json_out) as bar:
                task = bar.add_task("loading shipped sources", total=None)

                def tick(i: int, n: int, rep) -> None:
                    bar.update(task, completed=i, total=n, description=f"loaded {rep.source}")

                reports += load_shipped(st, progress=tick)
        for p in paths or []:
            reports.append(st.ingest(p, source=source or p.stem))
    if json_out:
        print_json([dataclasses.asdict(r) for r in reports])
        return
    for r in reports:
        console.print(str(r), highlight=False)


@app.command("sources")
def sources(json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout.")) -> None:
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
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Coverage per domain and indicator: entities, years, share missing."""
    from holisec.framework import load_framework

    with user_errors(), cli_store(store) as st:
        fw = load_framework(framework)
        cov = st.coverage(fw, as_of=as_of)
        summary = coverage_summary(st, fw, cov, as_of=as_of)
    if json_out:
        print_json(summary)
        return
    show_table(cov, f"Coverage of framework {fw.id!r} (countries)", max_rows=200)
    console.print(
        f"{summary['entities']} countries with data, {summary['indicators']} indicators in "
        f"{len(summary['domains'])} domains, periods {summary['first_period']}-{summary['last_period']}"
    )
    for d in summary["domains"].values():
        if d["gap"]:
            console.print(f"[yellow]gap[/] {d['id']}: {d['gap']}")


def coverage_summary(st, fw, cov, as_of=None) -> dict:
    """Totals, per-domain and per-indicator coverage as a JSON-ready dict."""
    obs = st.observations(as_of=as_of, indicators=fw.indicator_ids, entity_type="country")
    with_data = cov[cov["observations"] > 0]
    domains = {}
    for g in fw.groups:
        if g.parent is None:
            continue
        rows = with_data[with_data["domain"] == g.id]
        domains[g.id] = {
            "id": g.id, "name": g.name, "indicators": rows["indicator"].tolist(),
            "count": int(len(rows)), "gap": g.gap,
        }
    return {
        "framework": fw.id,
        "entities": int(obs["entity"].nunique()),
        "indicators": int(len(with_data)),
        "first_period": int(obs["period"].min()) if len(obs) else None,
        "last_period": int(obs["period"].max()) if len(obs) else None,
        "domains": domains,
        "rows": frame_records(cov),
    }
