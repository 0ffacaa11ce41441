"""Leakage-free composite-index features for forecasting.

``shipped_store`` is the shipped data in memory (loaded once). ``OriginIndex`` rebuilds the index at each forecast origin T from the data known at the end
of T only: the raw panel keeps the values published by the end of T (data year y of an
indicator with publication lag L iff y + L <= T; ``publication.published``, lags from the
framework's source metadata), the default recipe runs on that
(so interpolation, extrapolation, screening, treatment and min-max normalisation see no later
year), and the domain and index scores of years <= T plus their 1-year changes become
features. Builds are cached per (panel, origin).

References
----------
OECD/JRC (2008) Handbook on Constructing Composite Indicators; Hegre et al. (2019) ViEWS,
JPR 56(2) (vintage-safe features); Tashman (2000) IJF 16(4).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from holisec.warning.publication import framework_lags, published

log = logging.getLogger(__name__)
KEY = ["iso3", "year"]
_BUILDS: dict[tuple, pd.DataFrame] = {}
_SHIPPED: dict[str, object] = {}


def shipped_store():
    """An in-memory store loaded with the shipped data (cached for the process)."""
    if "store" not in _SHIPPED:
        from holisec.data.shipped import load_shipped
        from holisec.data.store import Store

        s = Store(":memory:")
        load_shipped(s)
        _SHIPPED["store"] = s
    return _SHIPPED["store"]


def feature_codes(framework) -> list[str]:
    """Domains (level-2 groups) and the root of ``framework``, in tree order."""
    t = framework.tree
    return [c for c in t.index if t.loc[c, "type"] != "Indicator"]


def truncate(panel: xr.DataArray, origin: int, lags: dict[str, int] | None = None) -> xr.DataArray:
    """The panel as known at the end of ``origin``: periods <= origin and, per indicator, data
    years y with y + publication lag <= origin (``publication.published``)."""
    return published(panel.sel(period=panel["period"] <= origin), lags or {}, origin)


def _panel_key(panel: xr.DataArray, groups: pd.DataFrame | None, extra) -> str:
    h = hashlib.sha1(np.ascontiguousarray(panel.transpose("entity", "period", "indicator").values).tobytes())
    for dim in ("entity", "period", "indicator"):
        h.update("|".join(map(str, panel[dim].values)).encode())
    if groups is not None:
        h.update(pd.util.hash_pandas_object(groups.astype(str), index=True).values.tobytes())
    h.update(repr(extra).encode())
    return h.hexdigest()


@dataclass
class OriginIndex:
    """Per-origin index builds on the data known at each origin (leakage-free features).

    ``panel``: raw framework panel (entity, period, indicator); ``groups``: entity groups for the
    recipe (``holisec.index.entity_groups``); ``codes``: score codes used as features (default:
    domains + index); ``changes``: add the 1-year change of each score; ``lags``: publication
    lag per indicator overriding the framework's (``Framework.publication_lag``).
    """

    panel: xr.DataArray
    framework: object
    groups: pd.DataFrame | None = None
    recipe: object = None
    codes: list[str] | None = None
    changes: bool = True
    lags: dict = field(default=None)

    def __post_init__(self):
        from holisec.framework import load_framework
        from holisec.pipeline import default_recipe

        self.framework = load_framework(self.framework) if isinstance(self.framework, str) else self.framework
        self.recipe = self.recipe or default_recipe()
        self.codes = list(self.codes or feature_codes(self.framework))
        self.lags = framework_lags(self.framework) | dict(self.lags or {})
        self._key = _panel_key(self.panel, self.groups, (self.codes, sorted(self.lags.items()), self.changes,
                                                          self.framework.id, repr(self.recipe)))

    @classmethod
    def from_store(cls, store=None, framework: str = "holistic", **kw) -> "OriginIndex":
        """From a store's current data (the shipped data without a store)."""
        from holisec.framework import load_framework
        from holisec.index import entity_groups, framework_panel

        st = shipped_store() if store is None else store
        fw = load_framework(framework)
        return cls(framework_panel(st, fw), fw, entity_groups(st), **kw)

    @property
    def columns(self) -> list[str]:
        cols = [f"score_{c}" for c in self.codes]
        return cols + ([f"dscore_{c}" for c in self.codes] if self.changes else [])

    def scores(self, origin: int) -> xr.DataArray | None:
        """Scores (entity, period, code) of the build on the data known at ``origin``, or None."""
        from holisec.pipeline import build

        cut = truncate(self.panel, origin, self.lags)
        if cut.sizes["period"] == 0 or not cut.notnull().any():
            return None
        try:
            return build(self.recipe, cut, self.framework, entity_groups=self.groups).scores
        except Exception as err:  # noqa: BLE001 - too little data at early origins: no index features
            log.info("no index build at origin %s: %s", origin, err)
            return None

    def features(self, origin: int) -> pd.DataFrame:
        """``iso3, year, score_<code>, dscore_<code>`` for years <= ``origin`` (cached)."""
        k = (self._key, int(origin))
        if k not in _BUILDS:
            _BUILDS[k] = self._features(int(origin))
        return _BUILDS[k]

    def _features(self, origin: int) -> pd.DataFrame:
        sc = self.scores(origin)
        if sc is None:
            return pd.DataFrame(columns=KEY + self.columns).astype({"iso3": object, "year": "int64"} |
                                                                    {c: float for c in self.columns})
        sc = sc.reindex(code=self.codes).transpose("entity", "period", "code")
        per = sc["period"].values.astype(int)
        full = np.arange(per.min(), per.max() + 1)
        sc = sc.reindex(period=full)
        v = sc.values  # (entity, period, code)
        blocks = [v]
        if self.changes:
            blocks.append(np.concatenate([np.full_like(v[:, :1], np.nan), np.diff(v, axis=1)], axis=1))
        arr = np.concatenate(blocks, axis=2).reshape(-1, len(self.columns))
        out = pd.DataFrame(arr, columns=self.columns)
        out.insert(0, "year", np.tile(full, sc.sizes["entity"]))
        out.insert(0, "iso3", np.repeat(sc["entity"].values.astype(str), len(full)))
        return out

    def precompute(self, origins) -> dict[int, pd.DataFrame]:
        """Features of every origin (built once, cached)."""
        return {int(T): self.features(int(T)) for T in origins}
