"""``holisec warn``: alert register, onset forecasts and their evaluation (Typer sub-app)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(no_args_is_help=True, help="Alerts, trend breaks and onset forecasts.")
TARGET_HELP = "conflict_onset | conflict_onset2 | conflict_onset_2y | coup | mass_killing"


def _check_target(t: str) -> str:
    from holisec.warning.outcomes import TARGETS

    if t not in TARGETS:
        raise typer.BadParameter(f"unknown target {t!r}; choose {TARGET_HELP}")
    return t


@app.command()
def alerts(year: Optional[int] = typer.Option(None, help="Period to report (default: latest)."),
           as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
           thresholds: Optional[Path] = typer.Option(None, help="Bottom lines: YAML/JSON/CSV code, amber, red."),
           level: str = typer.Option("amber", help="Lowest level shown: green | amber | red."),
           store: Optional[Path] = typer.Option(None, help="DuckDB store (default HOLISEC_STORE, else shipped data)."),
           save: Optional[str] = typer.Option(None, help="Append the register to the store's alerts table with this build id.")):
    """Alert register (entity, period, code, level, trigger, explanation) of domains and index."""
    from holisec.warning.alerts import LEVELS, alert_register, save_alerts
    from holisec.warning.changepoints import trend_breaks
    from holisec.warning.indexscores import index_scores

    path = store or (Path(os.environ["HOLISEC_STORE"]) if os.environ.get("HOLISEC_STORE") else None)
    st = None
    if path is not None and Path(path).exists():
        from holisec.data.store import Store

        st = Store(path)
    scores = index_scores(st)
    codes = [c for c in scores.code.values if c not in _indicators(scores)]
    y = year or int(scores.period.max())
    brk = trend_breaks(scores.sel(code=codes))
    reg = alert_register(scores, thresholds, year=y, codes=codes, breaks=brk)
    if save:
        if st is None:
            raise typer.BadParameter("--save needs an existing store (--store or HOLISEC_STORE)")
        save_alerts(st, reg, save)
    reg = reg[reg.level.map(LEVELS.index) >= LEVELS.index(level)]
    if as_json:
        typer.echo(reg.to_json(orient="records"))
    else:
        typer.echo(reg[["entity", "period", "code", "level", "explanation"]].to_string(index=False))


def _indicators(scores) -> set[str]:
    try:
        from holisec.framework import load_framework

        t = load_framework("holistic").tree
        return set(t.index[t["type"] == "Indicator"])
    except Exception:  # framework unavailable: treat every code as an aggregate
        return set()


@app.command()
def forecast(target: str = typer.Option(..., help=TARGET_HELP),
             origin: int = typer.Option(..., help="Last year of data (forecast for origin+1...)."),
             out: Path = typer.Option(..., help="Output CSV or parquet."),
             outcomes: Optional[Path] = typer.Option(None, help="Replacement outcome table (parquet/CSV)."),
             model: str = typer.Option("ensemble", help="ensemble | logit | gbm | pitf | history | climatology")):
    """Forecast every at-risk country-year at ORIGIN with the top feature contributions."""
    from holisec.warning.forecast import forecast as fc
    from holisec.warning.outcomes import load_outcomes

    _check_target(target)
    df = fc(target, origin, load_outcomes(outcomes) if outcomes else None, model=model)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(out, index=False) if out.suffix == ".parquet" else df.to_csv(out, index=False)
    typer.echo(f"{len(df)} forecasts ({target}, origin {origin}) -> {out}")
    typer.echo(df.head(10)[["entity", "target_years", "probability", "top_contributions"]].to_string(index=False)
               if "top_contributions" in df else df.head(10).to_string(index=False))


@app.command()
def evaluate(target: str = typer.Option("conflict_onset", help=TARGET_HELP),
             as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
             out_dir: Optional[Path] = typer.Option(None, help="Write reliability PNG and tables here."),
             outcomes: Optional[Path] = typer.Option(None, help="Replacement outcome table."),
             bootstrap: int = typer.Option(1000, help="Country-block bootstrap replicates."),
             seed: int = typer.Option(0)):
    """Rolling-origin evaluation: every metric of every model and baseline, dev and test."""
    from holisec.warning.evaluate import evaluate as ev, reliability_plot
    from holisec.warning.outcomes import load_outcomes

    _check_target(target)
    r = ev(target, load_outcomes(outcomes) if outcomes else None, B=bootstrap, seed=seed)
    if out_dir:
        write_outputs(r, out_dir)
    if as_json:
        typer.echo(json.dumps(to_json(r), default=float))
        return
    typer.echo(r.metrics.round(4).to_string(index=False))
    typer.echo("\nPaired differences (model - baseline), country-block bootstrap 95% CI:")
    typer.echo(r.bootstrap[r.bootstrap.split == "test"].round(4).to_string(index=False))
    if r.ewp is not None:
        typer.echo("\nEWP comparison (same country-years):")
        typer.echo(r.ewp.round(4).to_string(index=False))
    typer.echo(f"\nverdict: {r.verdict}\nruntime: {r.runtime}")


def to_json(r) -> dict:
    return {"target": r.target, "spec": r.spec.__dict__, "metrics": r.metrics.to_dict("records"),
            "bootstrap": r.bootstrap.to_dict("records"), "per_year": r.per_year.to_dict("records"),
            "tuning": r.tuning.to_dict("records"),
            "ewp": None if r.ewp is None else r.ewp.to_dict("records"),
            "verdict": r.verdict, "runtime": r.runtime}


def write_outputs(r, out_dir: Path) -> None:
    """metrics, bootstrap, per-year and forecast tables (CSV), reliability plot (PNG), JSON."""
    from holisec.warning.evaluate import reliability_plot

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    r.metrics.to_csv(out_dir / f"{r.target}_metrics.csv", index=False)
    r.bootstrap.to_csv(out_dir / f"{r.target}_bootstrap.csv", index=False)
    r.per_year.to_csv(out_dir / f"{r.target}_per_year.csv", index=False)
    r.forecasts.to_csv(out_dir / f"{r.target}_forecasts.csv", index=False)
    if r.ewp is not None:
        r.ewp.to_csv(out_dir / f"{r.target}_ewp.csv", index=False)
    reliability_plot(r, out_dir / f"{r.target}_reliability.png")
    (out_dir / f"{r.target}.json").write_text(json.dumps(to_json(r), default=float, indent=1))
