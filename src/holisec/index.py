"""The index from the store: read the panel as of a vintage, build it with a recipe."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import xarray as xr

from holisec.framework import Framework, load_framework


def open_store(path: str | Path | None = None, *, read_only: bool = False, initialise: bool = True,
               notify=None):
    """The store every command and the Python API use: ``path`` > ``$HOLISEC_STORE`` > default.

    A store with no data yet is filled from the shipped real data on first use
    (``initialise=True``), and ``notify(message)`` is told so in one line. ``read_only`` opens it
    read-only afterwards (other readers may share it). Errors (not a store, missing folder, a
    held write lock) are :class:`~holisec.data.store.StoreError` with what to do.
    """
    from holisec.data.shipped import load_shipped
    from holisec.data.store import Store, store_path

    resolved = store_path(path)
    memory = resolved == ":memory:"
    if initialise and (memory or not Path(resolved).exists() or _is_empty(resolved)):
        st = Store(resolved)
        if st.is_empty():
            reports = load_shipped(st)
            if notify is not None:
                rows = sum(r.rows_added for r in reports)
                notify(f"initialised the new store {resolved} from the shipped real data "
                       f"({len(reports)} sources, {rows:,} values)")
        if memory or not read_only:
            return st
        st.close()
    return Store(resolved, read_only=read_only)


def _is_empty(path: str) -> bool:
    from holisec.data.store import Store

    with Store(path, read_only=True) as st:
        return st.is_empty()


def framework_panel(
    store, framework: Framework, *, as_of: str | int | None = None, entity_type: str = "country"
) -> xr.DataArray:
    """The framework's indicators (and their denominators) from the store, as a panel."""
    wanted = list(framework.indicator_ids)
    wanted += sorted({i.denominator for i in framework.indicators if i.denominator} - set(wanted))
    panel = store.panel(as_of=as_of, indicators=wanted, entity_type=entity_type)
    missing = [c for c in framework.indicator_ids if c not in panel["indicator"].values]
    if missing:
        raise ValueError(
            f"the store has no data for indicator(s) {missing} of framework {framework.id!r}; "
            "load them first (holisec data load ...)"
        )
    return panel


def entity_groups(store, entity_type: str = "country") -> pd.DataFrame:
    """Entity attributes for group imputation.

    Countries: ``region`` (UN sub-region), ``continent``, ``income``. Sub-national regions:
    ``region`` and ``country`` are the parent country, so a region's gap takes the median of
    the other regions of its own country.
    """
    ents = store.entities(entity_type=entity_type).set_index("entity")
    groups = pd.DataFrame(index=ents.index)
    mapping = (("region", "un_region"), ("continent", "continent"), ("income", "income_group"))
    if entity_type == "region":
        mapping = (("region", "parent"), ("country", "parent"))
    for target, column in mapping:
        if column in ents.columns:
            groups[target] = ents[column]
    return groups


def vintage_label(store, as_of: str | int | None = None) -> str:
    """``ingest N @ time``: the last ingest the data reflect (what ``as_of`` resolves to)."""
    vint = store.vintages()
    if as_of is not None:
        iid = store._as_of_id(as_of)
        vint = vint[vint["ingest_id"] <= iid]
    if vint.empty:
        return "empty store"
    last = vint.iloc[-1]
    return f"ingest {int(last['ingest_id'])} @ {pd.Timestamp(last['time']).isoformat()}"


def build_from_store(
    store,
    framework: str | Path | Framework | None = None,
    recipe=None,
    *,
    as_of: str | int | None = None,
    entity_type: str = "country",
):
    """Build an index from the store's data (as of a vintage) with a recipe (default: built-in).
    ``framework`` defaults to ``holistic`` for countries and ``subnational`` for regions."""
    from holisec.pipeline import build, default_recipe

    fw = load_framework(framework or ("subnational" if entity_type == "region" else "holistic"))
    panel = framework_panel(store, fw, as_of=as_of, entity_type=entity_type)
    return build(recipe if recipe is not None else default_recipe(), panel, fw,
                 entity_groups=entity_groups(store, entity_type), vintage=vintage_label(store, as_of))


def well_observed_periods(result, share: float = 0.5) -> list[int]:
    """Periods whose raw framework data are at least ``share`` x as complete as the best year
    (later years rest on carried-forward data)."""
    raw = result.datasets["raw"].sel(indicator=list(result.framework.indicator_ids))
    obs = raw.notnull().mean(("entity", "indicator"))
    return [int(p) for p in obs["period"].values[(obs >= share * float(obs.max())).values]]


def benchmarks(store, *, as_of: str | int | None = None) -> xr.DataArray | None:
    """Published comparison indices in the store (FSI, GPI, ND-GAIN), or None."""
    from holisec.audit.validity import BENCHMARK_POLARITY

    panel = store.panel(as_of=as_of, indicators=list(BENCHMARK_POLARITY), entity_type="country")
    return panel if panel.sizes.get("indicator", 0) else None


def audit_result(result, *, period=None, importance: str = "groups", benchmarks: xr.DataArray | None = None):
    """Statistical audit of a built index, with leave-one-out importance and external validity.

    ``importance``: ``"none"``, ``"groups"`` (drop each domain) or ``"all"`` (each domain
    and each indicator); every drop is a full rebuild with the same recipe. ``benchmarks``:
    published indices ``(entity, period, indicator)`` to correlate the aggregates with.
    """
    from holisec.audit import audit, external_validity
    from holisec.audit._common import select_periods

    if importance not in ("none", "groups", "all"):
        raise ValueError(f"importance must be 'none', 'groups' or 'all', got {importance!r}")
    codes = set(result.scores["code"].values)
    tree = result.framework.tree.loc[lambda t: t.index.isin(codes)]
    indicators = tree.index[tree["type"] == "Indicator"].tolist()

    def rebuild(drop: list[str]) -> xr.DataArray:
        dropped = set(drop)
        keep = [c for c in indicators if c not in dropped]
        return result.rebuild(framework=result.framework.with_indicators(keep)).scores.sel(code=result.root)

    report = audit(result.scores, tree, raw=result.datasets["raw"], period=period, weights=result.weights,
                   rebuild=None if importance == "none" else rebuild,
                   drop_indicators=indicators if importance == "all" else [])
    if benchmarks is not None:
        report.validity = external_validity(select_periods(result.scores, period), benchmarks)
    return report
