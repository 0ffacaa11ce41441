"""``holisec data``: load files into the store, list sources, report coverage."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
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
    sheet: str = typer.Option(None, "--sheet", help="Excel sheet name or 0-based index (default: the first)."),
    encoding: str = typer.Option(None, "--encoding", help="Text encoding of a CSV that is not UTF-8, e.g. latin-1."),
    entity_type: str = typer.Option("country", "--entity-type",
                                    help="country (names/codes matched to ISO3) | region (codes kept as written)."),
    revise: bool = typer.Option(False, "--revise", help="The file revises indicators another source loaded first "
                                "(their metadata stay that source's)."),
    qualify: bool = typer.Option(False, "--qualify", help="Store indicator codes another source owns as "
                                 "SOURCE:CODE (new indicators)."),
    name: str = typer.Option(None, "--name", help="Source name (shown by `holisec data sources`)."),
    licence: str = typer.Option(None, "--licence", help="Licence of the source's data, e.g. CC-BY-4.0."),
    citation: str = typer.Option(None, "--citation", help="How to cite the source."),
    url: str = typer.Option(None, "--url", help="Where the source's data come from."),
    non_commercial: bool = typer.Option(None, "--non-commercial/--commercial-ok",
                                        help="The licence allows non-commercial use only (or not)."),
    note: str = typer.Option("", "--note", help="Free text recorded with the vintage."),
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Ingest files as a new vintage (one transaction per file; nothing is overwritten)."""
    if not paths and not shipped:
        raise typer.BadParameter("give PATH... or --shipped")
    meta = {k: v for k, v in dict(name=name, licence=licence, citation=citation, url=url,
                                   non_commercial=non_commercial).items() if v is not None}
    load_into_store(paths, store, source=source, shipped=shipped, json_out=json_out, sheet=sheet, encoding=encoding,
                    entity_type=entity_type, revise=revise, qualify=qualify, meta=meta, note=note)


def load_into_store(paths, store, *, source=None, shipped=False, json_out=False, sheet=None, encoding=None,
                    entity_type="country", revise=False, qualify=False, meta=None, note="") -> None:
    """What ``holisec data load`` does (also called by ``holisec demo``): ingest and print the reports."""
    from holisec.data.shipped import load_shipped

    sheet_arg = int(sheet) if sheet is not None and str(sheet).strip().isdigit() else sheet
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
            if p.is_dir():
                raise ValueError(f"{p} is a directory; give the data files in it")
            if p.suffix.lower() == ".json":
                raise ValueError(f"{p}: JSON is not a data format holisec reads; give CSV, Parquet, Excel or "
                                 "a COINr iData table")
            read_kw = {k: v for k, v in dict(sheet=sheet_arg, encoding=encoding).items() if v is not None}
            reports.append(st.ingest(p, source=source or p.stem, entity_type=entity_type, revise=revise,
                                     qualify=qualify, source_meta=meta or None, note=note, **read_kw))
    if json_out:
        print_json([dataclasses.asdict(r) for r in reports])
        return
    for r in reports:
        console.print(str(r), highlight=False)


@app.command("sources")
def sources(store: str = StoreOpt, json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout.")) -> None:
    """The shipped sources and the store's own (user) sources, with licence and citation."""
    df = all_sources(store)
    if json_out:
        print_json(frame_records(df))
        return
    shown = df[["id", "origin", "name", "licence", "non_commercial", "citation"]].astype(object)
    show_table(shown.where(shown.notna(), ""),
               "Sources (shipped with holisec, and loaded by you into the store)", max_rows=200)
    missing = df[(df["origin"] == "user") & (df["licence"].isna() | df["licence"].eq(""))]
    if len(missing):
        console.print(f"[yellow]no licence recorded for {', '.join(missing['id'])}[/]: give it with "
                      "`holisec data load FILE --source ID --licence ... --citation ...`", highlight=False)


def all_sources(store) -> pd.DataFrame:
    """id, origin (shipped|user), name, licence, citation, url, non_commercial, ingests: the shipped
    manifest plus the store's sources that are not shipped (the store is not created if absent)."""
    from pathlib import Path as _P

    from holisec.data.shipped import sources as shipped_sources
    from holisec.data.store import Store, store_path

    cols = ["id", "origin", "name", "licence", "citation", "url", "non_commercial"]
    ship = shipped_sources().assign(origin="shipped")[cols]
    path = store_path(store)
    if path == ":memory:" or not _P(path).exists():
        return ship.assign(ingests=0)
    with Store(path, read_only=True) as st:
        if st.is_empty():
            return ship.assign(ingests=0)
        own = st.sources().rename(columns={"source": "id"})
        counts = st.vintages().groupby("source").size()
    user = own[~own["id"].isin(ship["id"])].assign(origin="user")
    for c in cols:
        if c not in user:
            user[c] = None
    out = pd.concat([ship, user[cols]], ignore_index=True)
    out["ingests"] = out["id"].map(counts).fillna(0).astype(int)
    return out


@app.command("vintages")
def vintages(store: str = StoreOpt, json_out: bool = typer.Option(False, "--json", help="Machine-readable output.")
             ) -> None:
    """Every ingest (vintage) in the store: id, time (UTC), source, file, sha256, rows read/added, format, note.
    `--as-of ID` (or a timestamp) rebuilds any of them."""
    with user_errors(), cli_store(store) as st:
        v = st.vintages().rename(columns={"rows": "rows_added"})
    v = v[["ingest_id", "time", "source", "file", "sha256", "rows_read", "rows_added", "format", "note"]]
    if json_out:
        print_json(frame_records(v.assign(time=v["time"].map(lambda t: pd.Timestamp(t).isoformat()))))
        return
    shown = v.assign(time=v["time"].map(lambda t: pd.Timestamp(t).isoformat(timespec="seconds")),
                     sha256=v["sha256"].str[:12])
    show_table(shown, "Vintages (ingests; --as-of ID rebuilds any of them; sha256 shortened, --json for all)",
               max_rows=500)


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
