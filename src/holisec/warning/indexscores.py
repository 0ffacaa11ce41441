"""Composite-index scores (entity, period, code) for alerts and as forecasting features.

Builds the default index with ``holisec.pipeline`` from a store; without a store, from a
temporary store loaded with the shipped data.

References
----------
OECD/JRC (2008) Handbook on Constructing Composite Indicators.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import xarray as xr


def index_scores(store=None, framework: str = "holistic") -> xr.DataArray:
    """``result.scores`` of the default recipe (higher = more risk)."""
    from holisec.data.store import Store

    if store is None:
        with tempfile.TemporaryDirectory() as tmp:
            from holisec.data.shipped import load_shipped

            s = Store(Path(tmp) / "store.duckdb")
            try:
                load_shipped(s)
                return _build(s, framework)
            finally:
                s.close()
    return _build(store, framework)


def _build(store, framework):
    from holisec.framework import load_framework
    from holisec.index import entity_groups, framework_panel
    from holisec.pipeline import build, default_recipe

    fw = load_framework(framework)
    groups = entity_groups(store)
    if "region" not in groups.columns and "un_region" in groups.columns:
        groups = groups.assign(region=groups["un_region"])
    return build(default_recipe(), framework_panel(store, fw), fw, entity_groups=groups).scores.load()
