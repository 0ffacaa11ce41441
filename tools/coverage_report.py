#!/usr/bin/env python
"""Figures of the 2026-12 data re-curation (shipped vintage 1 -> vintage 2), reproducibly.

Usage (from the repository root)::

    python tools/coverage_report.py [--store FILE] [--out docs-fragment.md]

Loads the shipped data into a store (a temporary one unless ``--store``), builds the default
index twice — as of the last ingest of shipped vintage 1 with the framework published with it
(``holistic_v1``), and on the latest data with the current ``holistic`` framework — and prints
Markdown tables:

1. per framework indicator: last observed year and countries observed in 2022, 2023, 2024,
   before (vintage 1) and after (vintage 2);
2. per year: the share of observed raw cells for the scored countries (countries with an index
   score that year) over the framework's indicators, and the year ``holisec demo`` shows
   (:func:`holisec.index.well_observed_periods`), with the indicators holding the latest years back;
3. the change in the 2022 ranking: Spearman correlation between the old and new index over the
   countries scored in both, and the largest movers with the domains that moved them.

Reads only the package's shipped data (never ../shared).
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from scipy.stats import spearmanr

from holisec.data.shipped import load_shipped, vintage_ingest
from holisec.data.store import Store
from holisec.index import build_from_store, well_observed_periods

YEARS = (2022, 2023, 2024)


def indicator_table(store: Store, framework, as_of) -> pd.DataFrame:
    """Per framework indicator: last observed year and countries with a value in YEARS."""
    obs = store.observations(as_of=as_of, indicators=list(framework.indicator_ids))
    last = obs.groupby("indicator")["period"].max()
    n = obs[obs["period"].isin(YEARS)].groupby(["indicator", "period"])["entity"].nunique().unstack()
    out = pd.DataFrame({"last": last}).join(n.reindex(columns=list(YEARS)))
    return out.reindex(list(framework.indicator_ids)).fillna(0).astype(int)


def observed_share(result) -> pd.DataFrame:
    """Per period: scored countries, share of their framework-indicator cells observed (all framework
    indicators, and those the screen kept)."""
    fw_ind = list(result.framework.indicator_ids)
    raw = result.datasets["raw"].sel(indicator=fw_ind)
    kept = [c for c in fw_ind if c in result.datasets["imputed"]["indicator"].values]
    index = result.scores.sel(code="index")
    rows = []
    for p in raw["period"].values:
        scored = index.sel(period=p).dropna("entity")["entity"].values
        cells = raw.sel(period=p, entity=scored)
        rows.append(dict(period=int(p), scored=len(scored),
                         observed_all=float(cells.notnull().mean()) if len(scored) else float("nan"),
                         observed_kept=float(cells.sel(indicator=kept).notnull().mean()) if len(scored) else float("nan")))
    return pd.DataFrame(rows).set_index("period")


def holding_back(result, year: int, share: float = 0.5) -> pd.Series:
    """Framework indicators observed for under ``share`` of the scored countries in ``year``."""
    raw = result.datasets["raw"].sel(indicator=list(result.framework.indicator_ids), period=year)
    scored = result.scores.sel(code="index", period=year).dropna("entity")["entity"].values
    frac = raw.sel(entity=scored).notnull().mean("entity").to_series()
    return frac[frac < share].sort_values()


def movers(old, new, year: int, top: int = 10) -> tuple[float, int, pd.DataFrame]:
    """Spearman between the old and new index in ``year`` and the largest rank movers with the domains
    whose scores changed most (new - old, 0-100, higher = more risk)."""
    t = new.framework.tree
    domains = list(t.index[(t["type"] != "Indicator") & (t["parent"] == "index")])
    so = old.scores.sel(period=year).transpose("entity", "code").to_pandas()
    sn = new.scores.sel(period=year).transpose("entity", "code").to_pandas()
    common = so["index"].dropna().index.intersection(sn["index"].dropna().index)
    rho = float(spearmanr(so.loc[common, "index"], sn.loc[common, "index"]).statistic)
    ro = so["index"].dropna().rank(ascending=False, method="min").loc[common]  # rank 1 = highest risk, as published
    rn = sn["index"].dropna().rank(ascending=False, method="min").loc[common]
    d = (sn.loc[common, domains] - so.loc[common, domains])
    out = pd.DataFrame({"old_rank": ro, "new_rank": rn, "old_index": so.loc[common, "index"],
                        "new_index": sn.loc[common, "index"]})
    out["moved"] = out["old_rank"] - out["new_rank"]  # + = ranked riskier now
    out["domains (new - old)"] = [", ".join(f"{c} {d.loc[e, c]:+.1f}" for c in d.loc[e].abs().nlargest(3).index)
                                  for e in out.index]
    inds = [c for c in new.framework.indicator_ids if c in sn.columns and c in so.columns]
    di = (sn.loc[common, inds] - so.loc[common, inds])
    raw_old = old.datasets["raw"].sel(period=year).transpose("entity", "indicator").to_pandas()
    raw_new = new.datasets["raw"].sel(period=year).transpose("entity", "indicator").to_pandas()

    def tag(e: str, c: str) -> str:
        a = raw_old[c].get(e, float("nan")) if c in raw_old else float("nan")
        b = raw_new[c].get(e, float("nan")) if c in raw_new else float("nan")
        if pd.isna(a):
            return "now observed" if pd.notna(b) else "imputed in both"
        if pd.isna(b):
            return "withdrawn"
        return "revised" if abs(a - b) > 1e-9 * max(1.0, abs(a)) else "same value, re-scaled"

    def why(e: str) -> str:
        return ", ".join(f"{c} {di.loc[e, c]:+.0f} ({tag(e, c)})" for c in di.loc[e].abs().nlargest(3).index)
    out["indicators (new - old)"] = [why(e) for e in out.index]
    out = out.reindex(out["moved"].abs().sort_values(ascending=False).index).head(top)
    return rho, len(common), out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", help="store with the shipped data (default: a new temporary store)")
    ap.add_argument("--out", help="also write the Markdown to this file")
    a = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    path = a.store or str(Path(tmp.name) / "store.duckdb")
    with Store(path) as st:
        load_shipped(st, sources=[s for s in _country_sources()])
        v1 = vintage_ingest(st, 1)
        old = build_from_store(st, framework="holistic_v1", as_of=v1)
        new = build_from_store(st)
        before, after = indicator_table(st, old.framework, v1), indicator_table(st, new.framework, None)
    lines = ["### Per indicator: last observed year, countries observed 2022 / 2023 / 2024", "",
             "| indicator | last before | last after | 2022 before | 2022 after | 2023 before | 2023 after | "
             "2024 before | 2024 after |", "|---|---|---|---|---|---|---|---|---|"]
    for ind in after.index:
        b = before.loc[ind] if ind in before.index else pd.Series(0, index=after.columns)
        lines.append(f"| `{ind}` | {b['last'] or '—'} | {after.loc[ind, 'last']} | "
                     + " | ".join(f"{b[y]} | {after.loc[ind, y]}" for y in YEARS) + " |")
    so, sn = observed_share(old), observed_share(new)
    shown_old, shown_new = max(well_observed_periods(old)), max(well_observed_periods(new))
    lines += ["", "### Observed share of the scored countries' cells (raw framework data, before imputation)", "",
              "| year | scored before | observed before (all / kept) | scored after | observed after (all / kept) |",
              "|---|---|---|---|---|"]
    for p in range(2018, 2025):
        lines.append(f"| {p} | {so.loc[p, 'scored']} | {so.loc[p, 'observed_all']:.1%} / {so.loc[p, 'observed_kept']:.1%} "
                     f"| {sn.loc[p, 'scored']} | {sn.loc[p, 'observed_all']:.1%} / {sn.loc[p, 'observed_kept']:.1%} |")
    excluded = new.reports["exclusions"]
    excluded = excluded[excluded["kind"] == "indicator"]
    lines += ["", f"Latest year `holisec demo` / `rank` shows: **{shown_old}** before, **{shown_new}** after "
              "(`well_observed_periods`: raw data at least half as complete as the best year).",
              "Indicators the default screen drops after (share of 1990-2024 country-years observed < 35 %): "
              + (", ".join(f"`{r.code}` {r.share:.0%}" for r in excluded.itertuples()) or "none") + "."]
    stale = after[after["last"] <= 2022]
    lines.append("Indicators whose last observed year is still 2022 or earlier after the update (no newer release "
                 "staged; the recipe carries them forward at most 10 years): "
                 + ", ".join(f"`{k}` {v}" for k, v in stale["last"].items()) + ".")
    for y in (2023, 2024):
        hb = holding_back(new, y)
        lines.append(f"Indicators observed for under half of the scored countries in {y} (after): "
                     + ", ".join(f"`{k}` {v:.0%}" for k, v in hb.items()) + ".")
    rho, n, mv = movers(old, new, 2022)
    lines += ["", f"### 2022 ranking, before vs after: Spearman {rho:.3f} over {n} countries", "",
              "Rank 1 = highest risk. Changes are in normalised 0-100 scores (higher = more risk); *now observed* = "
              "the 2022 value was imputed or carried forward before and is observed now, *revised* = observed in both "
              "releases, *same value, re-scaled* = unchanged raw value whose normalised score moved because the panel-wide "
              "treatment and min-max now see more countries and years.", "",
              "| country | rank before | rank after | index before | index after | largest domain changes | "
              "largest indicator changes |", "|---|---|---|---|---|---|---|"]
    for e, r in mv.iterrows():
        lines.append(f"| {e} | {int(r.old_rank)} | {int(r.new_rank)} | {r.old_index:.1f} | {r.new_index:.1f} | "
                     f"{r['domains (new - old)']} | {r['indicators (new - old)']} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    tmp.cleanup()


def _country_sources() -> list[str]:
    from holisec.data.shipped import sources

    return [s for s in sources()["id"] if s != "gdl_subnational_hdi"]


if __name__ == "__main__":
    main()
