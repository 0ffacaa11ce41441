"""``holisec warn``: alert register, onset forecasts and their evaluation (Typer sub-app)."""

from __future__ import annotations

import json
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


from holisec.cli.common import StoreOpt, cli_store


@app.command()
def alerts(year: Optional[int] = typer.Option(None, help="Period to report (default: the latest well-observed)."),
           as_json: bool = typer.Option(False, "--json", help="Machine-readable output (NaN -> null)."),
           thresholds: Optional[Path] = typer.Option(None, help="Bottom lines: YAML/JSON/CSV code, amber, red."),
           level: str = typer.Option("amber", help="Lowest level shown: green | amber | red."),
           kind: str = typer.Option("all", help="indicator | domain | index | all."),
           combine: str = typer.Option("convergent", help="convergent (level and change signals must agree "
                                                           "for red) | worst (worst single signal)."),
           store: Optional[str] = StoreOpt,
           save: Optional[str] = typer.Option(None, help="Append the latest well-observed periods' register "
                                                         "and trend breaks to the store with this build id.")):
    """Alert register of indicators, domains and index: level, trigger and the reason stated."""
    from holisec.cli.common import frame_records, print_json, user_errors
    from holisec.warning.alerts import LEVELS
    from holisec.warning.register import result_alerts, save_alerts

    if level not in LEVELS:
        raise typer.BadParameter(f"level must be one of {LEVELS}")
    if combine not in ("convergent", "worst"):
        raise typer.BadParameter(f"--combine must be 'convergent' or 'worst', not {combine!r}")
    rules = {"combine": combine}
    from holisec.index import build_from_store

    with user_errors():
        with cli_store(store, read_only=not save) as st:
            res = build_from_store(st)
            # --save stores what register_alerts stores (the last 3 well-observed periods)
            reg, brk = result_alerts(res, 3 if save or year is None else [year], thresholds, rules)
            if save:
                save_alerts(st, reg, save, brk)
        y = year or int(reg["period"].max())
        if y not in set(reg["period"]):  # --save with an earlier --year
            reg, _ = result_alerts(res, [y], thresholds, rules)
        reg = reg[reg["period"] == y]
    reg = reg[reg.level.map(LEVELS.index) >= LEVELS.index(level)]
    if kind != "all":
        reg = reg[reg["kind"] == kind]
    if as_json:
        print_json(frame_records(reg))
    else:
        typer.echo(reg[["entity", "period", "code", "kind", "level", "explanation"]].to_string(index=False))


@app.command()
def show(entity: str = typer.Argument(..., help="Entity code (ISO3)."),
         store: Optional[str] = StoreOpt,
         forecasts: Optional[Path] = typer.Option(None, help="Forecast file from `warn forecast` (else the store's)."),
         level: str = typer.Option("amber", help="Lowest alert level listed.")):
    """Latest alerts, trend breaks and onset forecasts of one entity (JSON)."""
    from holisec.cli.common import print_json, user_errors
    from holisec.warning.register import warnings_for

    with user_errors(), cli_store(store) as st:
        w = warnings_for(entity, st, forecasts, level)
    if w["build_id"] is None:
        typer.echo("no alerts registered yet: run `holisec build --out FILE` first", err=True)
    print_json(w)


@app.command()
def forecast(target: str = typer.Option(..., help=TARGET_HELP),
             origin: int = typer.Option(..., help="Last year of data (forecast for origin+1...)."),
             out: Path = typer.Option(..., help="Output CSV or parquet."),
             outcomes: Optional[Path] = typer.Option(None, help="Replacement outcome table (parquet/CSV)."),
             model: str = typer.Option("ensemble", help="ensemble | logit | gbm | pitf | history | climatology"),
             store: Optional[str] = StoreOpt,
             save: Optional[str] = typer.Option(None, help="Also append to the store's forecasts table with this build id.")):
    """Forecast every at-risk country-year at ORIGIN with top contributions and per-domain sums;
    index features come from the index rebuilt on the data known at ORIGIN."""
    from holisec.cli.common import user_errors
    from holisec.warning.forecast import forecast as fc
    from holisec.warning.indexscores import OriginIndex
    from holisec.warning.outcomes import load_outcomes
    from holisec.warning.register import save_forecasts

    _check_target(target)
    with user_errors(), cli_store(store, read_only=not save) as st:
        df = fc(target, origin, load_outcomes(outcomes) if outcomes else None, model=model,
                index=OriginIndex.from_store(st))
        if save:
            save_forecasts(st, df, save)
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
             seed: int = typer.Option(0),
             final: bool = typer.Option(False, "--final", help="Also score the LOCKED test years (target years "
                                        "after 2015). Each --final run is appended to the store's scoring_log "
                                        "(code version, data vintage, configuration hash, metrics, UTC time)."),
             store: Optional[str] = StoreOpt):
    """Rolling-origin evaluation on DEVELOPMENT origins (outcome window ending by 2015): every metric
    of every model and baseline. The test years are scored only with --final, and logged."""
    from rich.console import Console
    from rich.progress import Progress

    from holisec.cli.common import user_errors
    from holisec.warning.evaluate import DEV_LAST, evaluate as ev, evaluation_steps, final_metrics, run_config
    from holisec.warning.indexscores import OriginIndex
    from holisec.warning.outcomes import load_outcomes, load_predictors
    from holisec.warning.publication import INPUT_LAGS
    from holisec.warning.scoring_log import log_score

    _check_target(target)
    with user_errors(), cli_store(store, read_only=not final) as st:
        o = load_outcomes(outcomes) if outcomes else load_outcomes()
        p = load_predictors()
        ix = OriginIndex.from_store(st)
        with Progress(console=Console(stderr=True), transient=True) as bar:  # stdout stays clean for --json
            task = bar.add_task(f"evaluating {target}", total=evaluation_steps())
            done = iter(range(evaluation_steps()))

            def step(msg: str) -> None:  # called as each stage starts: the earlier ones are done
                bar.update(task, description=f"{target}: {msg}", completed=next(done, None))

            r = ev(target, o, p, index=ix, B=bootstrap, seed=seed, progress=step, final=final)
        n_scored = None
        if final:
            cfg = run_config(r, bootstrap=bootstrap, seed=seed, input_lags=INPUT_LAGS, index_lags=ix.lags,
                             outcomes=_frame_hash(o), predictors=_frame_hash(p))
            n_scored = log_score(st, target, cfg, final_metrics(r))
    if out_dir:
        write_outputs(r, out_dir)
    if as_json:
        from holisec.cli.common import print_json

        print_json(to_json(r) | {"times_test_scored": n_scored})
        return
    split = "test" if final else "dev"
    typer.echo(f"{'FINAL: development and locked test' if final else 'DEVELOPMENT'} origins "
               f"{min(r.origins)}-{max(r.origins)} (dev = outcome window ending by {DEV_LAST})")
    typer.echo(r.metrics.round(4).to_string(index=False))
    typer.echo(f"\nPaired differences (model - baseline, {split}), country-block bootstrap 95% CI:")
    typer.echo(r.bootstrap[r.bootstrap.split == split].round(4).to_string(index=False))
    if r.ewp is not None:
        typer.echo("\nEWP comparison (same country-years):")
        typer.echo(r.ewp.round(4).to_string(index=False))
    typer.echo(f"\nverdict ({split}): {r.verdict}\nruntime: {r.runtime}")
    if final:
        typer.echo(f"\nThe {target} test years have now been scored {n_scored} time(s) in this store "
                   "(table scoring_log).")
    else:
        typer.echo("\nTest years not scored (locked): use --final once the model is fixed.")


def _frame_hash(df) -> str:
    import hashlib

    import pandas as pd

    return hashlib.sha256(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()).hexdigest()[:16]


def to_json(r) -> dict:
    return {"target": r.target, "final": r.final, "origins": r.origins, "spec": r.spec.__dict__, "metrics": r.metrics.to_dict("records"),
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
    from holisec._json import json_ready

    (out_dir / f"{r.target}.json").write_text(json.dumps(json_ready(to_json(r)), indent=1))
