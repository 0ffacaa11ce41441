"""``holisec uncertainty`` (Monte Carlo over the build's choices) and ``holisec sensitivity`` (Sobol', Morris)."""
from __future__ import annotations

from pathlib import Path

import typer

from holisec.cli.common import StoreOpt, cli_store, console, err_console, print_json, show_table, user_errors
from holisec.cli.index import AsOfOpt, EntityTypeOpt, FrameworkOpt, RecipeOpt

SpecOpt = typer.Option("default", "--spec", "-s", help="Uncertain-inputs YAML beside the recipe, or a built-in "
                       "name ('default': 9 inputs of the default recipe).")
SeedOpt = typer.Option(0, "--seed", help="Seed: the same seed gives the same replications.")
PeriodOpt = typer.Option(None, "--period", "-y", help="Period(s) to report (default: the spec's, else the "
                         "latest well-observed year).")
SchedulerOpt = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786) or 'local' "
                            "for a LocalCluster on this machine; default: in memory.")
MemoryOpt = typer.Option("1GB", "--memory", help="Working-memory budget of one batch of replications (e.g. 500MB, 2GB).")
IdataOpt = typer.Option(None, "--idata", help="COINr-style iData table (instead of the store).")
ImetaOpt = typer.Option(None, "--imeta", help="COINr-style iMeta table (with --idata).")


def register(app: typer.Typer) -> None:
    app.command("uncertainty")(uncertainty)
    app.command("sensitivity")(sensitivity)


def _inputs(store, framework, recipe, as_of, idata, imeta, entity_type):
    """Recipe, panel, framework, entity groups and vintage label from the store or iData/iMeta."""
    from holisec.pipeline import default_recipe, read_coinr

    if (idata is None) != (imeta is None):
        raise typer.BadParameter("--idata and --imeta go together")
    if idata is not None:
        panel, fw, groups = read_coinr(idata, imeta)
        return recipe or "coinr_minmax_amean", panel, fw, groups, f"file {Path(idata).name}"
    from holisec.framework import load_framework
    from holisec.index import entity_groups, framework_panel, vintage_label

    fw = load_framework(framework or ("subnational" if entity_type == "region" else "holistic"))
    with cli_store(store) as st:
        panel = framework_panel(st, fw, as_of=as_of, entity_type=entity_type)
        return (recipe or default_recipe(), panel, fw, entity_groups(st, entity_type),
                vintage_label(st, as_of))


class _Bar:
    """A Rich progress bar on stderr fed by the engine's ``progress(done, total)``."""

    def __init__(self, what: str):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=err_console, transient=True)
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("", total=total)
        self.progress.update(self.task, completed=done)


def uncertainty(
    out: Path = typer.Option(None, "--out", "-o", help="results.xlsx | .json | .nc (needed unless --save)"),
    spec: str = SpecOpt,
    n: int = typer.Option(1000, "--n", "-n", help="Number of replications."),
    seed: int = SeedOpt,
    period: list[int] = PeriodOpt,
    scheduler: str = SchedulerOpt,
    memory: str = MemoryOpt,
    chart: Path = typer.Option(None, "--chart", help="Rank-interval (caterpillar) chart: .html or .png."),
    recipe: str = RecipeOpt,
    framework: str = FrameworkOpt,
    as_of: str = AsOfOpt,
    idata: Path = IdataOpt,
    imeta: Path = ImetaOpt,
    entity_type: str = EntityTypeOpt,
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
    save: bool = typer.Option(False, "--save", help="Store the run's rank intervals and score bands in the store "
                              "(append-only), keyed by the build; the dashboard and reports show the latest."),
) -> None:
    """Monte Carlo uncertainty of the ranking: nominal and median rank, 5-95% rank interval, P(top k)."""
    from holisec.uncertainty import run

    with user_errors():
        if out is None and not save:
            raise typer.BadParameter("give --out FILE, --save (store the run), or both")
        if save and idata is not None:
            raise typer.BadParameter("--save stores runs of the store's builds; it cannot be used with --idata")
        rec, panel, fw, groups, vintage = _inputs(store, framework, recipe, as_of, idata, imeta, entity_type)
        with _Bar("replications") as bar:
            res = run(spec, rec, panel, fw, entity_groups=groups, n=n, seed=seed, periods=period or None,
                      memory=memory, vintage=vintage, progress=bar, scheduler=scheduler)
        path = res.save(out) if out is not None else None
        run_id = _save_run(store, res, spec, fw, rec, as_of, entity_type) if save else None
        if chart is not None:
            from holisec.uncertainty.charts import caterpillar

            caterpillar(res, chart)
    table = res.summary()
    k = res.spec.top_k
    meta = {**res.meta(), "out": str(path) if path else None, "chart": str(chart) if chart else None,
            "run_id": run_id}
    if json_out:
        print_json({**meta, "summary": table.to_dict(orient="records")})
        return
    show_table(table[["entity", "nominal_rank", "median_rank", "rank_q05", "rank_q95", f"p_top_{k}",
                      "mean_abs_shift", "nominal_score", "score_q05", "score_q95"]].set_index("entity"),
               f"index {res.periods[-1]}: ranks over {res.n} replications (rank 1 = highest risk)",
               floatfmt="{:.1f}", max_rows=30)
    console.print(f"rank_q05-rank_q95: 5-95% rank interval; p_top_{k}: share of replications ranked in the "
                  f"{k} riskiest; scores 0-100 as normalised, higher = more risk. {res.n} replications in "
                  f"{len(res.reps.keys)} groups, {res.seconds:.1f} s, seed {res.seed} -> {path or 'not written'}"
                  + (f"; stored as run {run_id}" if run_id else ""), highlight=False)
    if res.nominal.licence_note():
        console.print(f"[yellow]{res.nominal.licence_note()}[/]", highlight=False)


def _save_run(store, res, spec: str, fw, rec, as_of, entity_type) -> str:
    """Append the run to the store (:mod:`holisec.uncertainty.stored`), keyed by the build it varies."""
    from holisec.uncertainty.stored import build_key_for, save_run

    with cli_store(store, read_only=False) as st:
        key = build_key_for(st, fw, rec, as_of=as_of, entity_type=entity_type)
        return save_run(st, res, build_key=key, spec_name=Path(spec).name if Path(spec).suffix else spec)


def sensitivity(
    method: str = typer.Option("sobol", "--method", "-m", help="sobol (variance-based) | morris (screening)."),
    spec: str = SpecOpt,
    n: int = typer.Option(None, "--n", "-n", help="Sobol': base sample (power of 2; runs = n (d + 2), default "
                          "256); Morris: trajectories (runs = n (d + 1), default 20)."),
    seed: int = SeedOpt,
    period: list[int] = PeriodOpt,
    scheduler: str = SchedulerOpt,
    memory: str = MemoryOpt,
    out: Path = typer.Option(None, "--out", "-o", help="Write the indices (.json, .csv or .xlsx)."),
    chart: Path = typer.Option(None, "--chart", help="Bar chart of the indices: .html or .png."),
    recipe: str = RecipeOpt,
    framework: str = FrameworkOpt,
    as_of: str = AsOfOpt,
    idata: Path = IdataOpt,
    imeta: Path = ImetaOpt,
    entity_type: str = EntityTypeOpt,
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Which uncertain input drives the ranking: Sobol' first-order/total indices or Morris mu*, per input."""
    from holisec.uncertainty.sensitivity import sensitivity as run_sensitivity

    with user_errors():
        if method not in ("sobol", "morris"):
            raise ValueError(f"--method must be sobol or morris, got {method!r}")
        rec, panel, fw, groups, vintage = _inputs(store, framework, recipe, as_of, idata, imeta, entity_type)
        size = n or (256 if method == "sobol" else 20)
        with _Bar(f"{method} runs") as bar:
            res = run_sensitivity(spec, rec, panel, fw, method=method, n=size, seed=seed, entity_groups=groups,
                                  periods=period or None, memory=memory, vintage=vintage, progress=bar,
                                  scheduler=scheduler)
        if out is not None:
            _write_indices(res, out)
        if chart is not None:
            from holisec.uncertainty.charts import sensitivity_bars

            sensitivity_bars(res, chart)
    table = res.summary()
    if json_out:
        print_json(res.to_dict())
        return
    what = ("S1 first-order, ST total Sobol' index (share of the variance; conf = 95% bootstrap half-width)"
            if method == "sobol" else "mu* mean absolute elementary effect in ranks, sigma its spread (Morris)")
    show_table(table.set_index("input"), f"{method}: effect of each input on the mean absolute rank shift "
               f"({res.runs.n} runs, period {res.runs.periods[-1]})", floatfmt="{:.3f}")
    console.print(f"{what}; entities_mean_*: mean over every entity's rank. Seed {seed}.", highlight=False)


def _write_indices(res, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".json":
        import json

        from holisec._json import json_ready

        out.write_text(json.dumps(json_ready(res.to_dict())) + "\n", encoding="utf-8")
    elif suffix == ".csv":
        res.indices.to_csv(out, index=False, lineterminator="\n")
    elif suffix == ".xlsx":
        from holisec.pipeline.result import _write_xlsx

        _write_xlsx(out, {"summary": res.summary(), "indices": res.indices})
    else:
        raise ValueError(f"{out}: unsupported format {suffix!r}; use .json, .csv or .xlsx")
