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
    if read_only and not memory and Path(resolved).exists():  # the common case: one connection
        st = Store(resolved, read_only=True)
        if not (initialise and st.is_empty()):
            return st
        st.close()
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
    """The framework's indicators (and their denominators) from the store, as a panel.

    Indicators without data as of the vintage are an error grouped by source, saying which
    ingest brings them (:func:`missing_message`)."""
    wanted = list(framework.indicator_ids)
    wanted += sorted({i.denominator for i in framework.indicators if i.denominator} - set(wanted))
    panel = store.panel(as_of=as_of, indicators=wanted, entity_type=entity_type)
    missing = [c for c in framework.indicator_ids if c not in panel["indicator"].values]
    if missing:
        raise ValueError(missing_message(store, framework, missing, as_of=as_of, entity_type=entity_type))
    return panel


def missing_message(store, framework: Framework, missing: list[str], *, as_of=None,
                    entity_type: str = "country", shown: int = 6) -> str:
    """Which of the framework's indicators have no data as of a vintage, grouped by source,
    with the ingest that first brings each group (or 'not loaded') and what to do."""
    iid = store._as_of_id(as_of)
    first = store.con.execute("""
        SELECT o.indicator, min(o.ingest_id) AS first_ingest FROM observations o
        JOIN entities e ON e.entity = o.entity
        WHERE list_contains($codes, o.indicator) AND e.entity_type = $etype AND o.value IS NOT NULL
        GROUP BY o.indicator""", {"codes": list(missing), "etype": entity_type}).df()
    first = dict(zip(first["indicator"], first["first_ingest"].astype(int)))
    owners = dict(store.con.execute("SELECT indicator, source FROM indicators WHERE list_contains($c, indicator)",
                                    {"c": list(missing)}).fetchall())
    vint = store.vintages().set_index("ingest_id")
    groups: dict[tuple, list[str]] = {}
    for code in missing:
        src = owners.get(code) or framework.indicator(code).source or "unknown source"
        groups.setdefault((src, first.get(code)), []).append(code)
    lines = []
    for (src, ingest), codes in sorted(groups.items(), key=lambda kv: (kv[0][1] is None, kv[0][1] or 0, kv[0][0])):
        listed = ", ".join(codes[:shown]) + (f" (+{len(codes) - shown} more)" if len(codes) > shown else "")
        if ingest is None:
            when = "not loaded in this store"
        else:
            t = pd.Timestamp(vint.loc[ingest, "time"]).isoformat(timespec="seconds")
            when = f"first in ingest #{ingest} @ {t} ({vint.loc[ingest, 'source']})"
        lines.append(f"  - {src}: {len(codes)} indicator(s), {when}: {listed}")
    later = any(ing is not None for _, ing in groups)
    what = ("build as of a later vintage (holisec data vintages)" if later else "") + \
        (" or " if later and any(ing is None for _, ing in groups) else "") + \
        ("load them (holisec data load FILE --source ...)" if any(ing is None for _, ing in groups) else "")
    kind = "countries" if entity_type == "country" else f"{entity_type}s"
    return (f"as of {vintage_label(store, as_of) if iid else 'an empty store'}, the store has no data on {kind} "
            f"for {len(missing)} of framework {framework.id!r}'s {len(framework.indicator_ids)} indicators, by "
            f"source:\n" + "\n".join(lines) + f"\n{what[0].upper() + what[1:]}, or use a framework without them.")


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


def stored_build(
    store,
    framework: str | Path | Framework | None = None,
    recipe=None,
    *,
    as_of: str | int | None = None,
    entity_type: str = "country",
    rebuild: bool = False,
    notify=None,
):
    """The build of ``framework`` with ``recipe`` as of a vintage: read from the store if it was
    built before, else built (:func:`build_from_store`) and stored (:mod:`holisec.data.builds`).

    Keyed by framework hash, recipe hash, vintage (the ingest id ``as_of`` resolves to), package
    version, entity type, entity attributes and the code's hash, so a stored build is returned
    only where a fresh one would be equal. ``rebuild=True`` builds afresh (a build already
    stored under that key is kept, never overwritten). A read-only store is written through a
    short read-write connection; if another process holds the write lock, the build is returned
    unstored and ``notify(message)`` says so.
    """
    from holisec.data.builds import build_key, find_build, load_build, source_digest
    from holisec.pipeline import default_recipe
    from holisec.pipeline.build import _coerce_recipe

    iid = store._as_of_id(as_of)
    digest = source_digest(framework, recipe, entity_type)
    if not rebuild and digest is not None:  # the same files asked before: no need to parse them
        found = find_build(store.con, digest, iid, entity_type)
        if found is not None:
            return load_build(store, found)
    fw = load_framework(framework or ("subnational" if entity_type == "region" else "holistic"))
    rec = _coerce_recipe(recipe if recipe is not None else default_recipe())
    key = build_key(store, fw, rec, iid, entity_type)
    if not rebuild:
        stored = load_build(store, key.build_id)
        if stored is not None:
            return stored
    result = build_from_store(store, fw, rec, as_of=as_of, entity_type=entity_type)
    _persist(store, result, key, digest, notify)
    return result


def _persist(store, result, key, digest, notify) -> None:
    from holisec.data.builds import save_build

    write_through(store, lambda rw: save_build(rw, result, key, digest), notify, what="build")


def write_through(store, write, notify=None, what: str = "result"):
    """Run ``write(store)`` on a store opened for writing: ``store`` itself, or, when it is
    read-only, a short read-write connection (``store`` is reopened read-only afterwards). If
    another process holds the write lock, nothing is written and ``notify(message)`` says so."""
    from holisec.data.store import Store, StoreError, _connect

    if not store.read_only:
        return write(store)
    store.con.close()
    try:
        with Store(store.path) as rw:
            return write(rw)
    except StoreError as err:
        if notify is not None:
            notify(f"{what} not stored ({err}); the next command computes it again")
        return None
    finally:
        store.con = _connect(store.path, read_only=True)


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
