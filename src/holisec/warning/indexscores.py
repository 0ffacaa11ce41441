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
_FAILED: dict[tuple, str] = {}  # (panel key, origin) -> why no index could be built there
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


def _spans(years) -> str:
    """[1990, 1991, 1992, 1995] -> '1990-1992, 1995'."""
    ys, out = sorted(set(int(y) for y in years)), []
    for y in ys:
        if out and y == out[-1][1] + 1:
            out[-1][1] = y
        else:
            out.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out)


def without_indicators(framework, codes, reason: str):
    """``framework`` without the indicators ``codes``; a group left without children gets ``reason``
    as its documented gap (its score is then missing)."""
    from holisec.framework.schema import Framework

    drop = set(codes)
    d = framework.model_dump()
    d["indicators"] = [i for i in d["indicators"] if i["id"] not in drop]
    parents = {i["parent"] for i in d["indicators"]} | {g["parent"] for g in d["groups"]}
    for g in d["groups"]:
        if g["id"] not in parents and not g.get("gap"):
            g["gap"] = reason
    return Framework.model_validate(d)


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
    def from_store(cls, store=None, framework="holistic", as_of=None, **kw) -> "OriginIndex":
        """From a store's data as of a vintage (``as_of``: ingest id, timestamp, None = latest;
        the shipped data without a store)."""
        from holisec.framework import load_framework
        from holisec.index import entity_groups, framework_panel

        st = shipped_store() if store is None else store
        fw = load_framework(framework)
        try:
            panel = framework_panel(st, fw, as_of=as_of)
        except ValueError:  # indicators not in the store at this vintage: left out of every origin's build
            wanted = list(fw.indicator_ids) + sorted({i.denominator for i in fw.indicators if i.denominator})
            panel = st.panel(as_of=as_of, indicators=wanted, entity_type="country")
            panel = panel.reindex(indicator=[c for c in wanted if c in set(panel["indicator"].values)]
                                  + [c for c in fw.indicator_ids if c not in set(panel["indicator"].values)])
        return cls(panel, fw, entity_groups(st), **kw)

    def unobserved(self, origin: int) -> list[str]:
        """Indicators with no observation published at or before ``origin`` (left out of that
        origin's build; e.g. a series that starts after it)."""
        cut = truncate(self.panel, origin, self.lags)
        seen = cut.notnull().any(("entity", "period")) if cut.sizes["period"] else cut.notnull().any("entity")
        inds = [str(i) for i in self.framework.indicator_ids]
        have = set(map(str, seen["indicator"].values[seen.values])) if cut.sizes["period"] else set()
        return [i for i in inds if i not in have]

    def note_lines(self, origins) -> list[str]:
        """One line per left-out indicator: which origins' builds leave it out and why; one per
        origin whose index could not be built at all (no index features there)."""
        failed = [f"no index build at origin {T} ({_FAILED[(self._key, int(T))]}): that origin has no index "
                  "features" for T in origins if (self._key, int(T)) in _FAILED]
        by_span: dict[str, list[str]] = {}
        for code, ts in self.notes(origins).items():
            by_span.setdefault(_spans(ts), []).append(code)
        lines = []
        for span, codes in by_span.items():
            many = "-" in span or "," in span
            where = "those origins' index builds" if many else "that origin's index build"
            lines.append(f"index indicator{'s' if len(codes) > 1 else ''} {', '.join(codes)}: no observation "
                         f"published at or before origin{'s' if many else ''} {span}, so left out of {where}")
        return failed + lines

    def notes(self, origins) -> dict[str, list[int]]:
        """Indicator -> the origins whose build leaves it out (no observation at or before them)."""
        out: dict[str, list[int]] = {}
        for T in origins:
            for code in self.unobserved(int(T)):
                out.setdefault(code, []).append(int(T))
        return out

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
        fw, drop = self.framework, self.unobserved(origin)
        if drop:
            fw = without_indicators(self.framework, drop, f"no observation published at or before {origin}")
            cut = cut.sel(indicator=[i for i in cut["indicator"].values if str(i) not in set(drop)])
        try:
            return build(self.recipe, cut, fw, entity_groups=self.groups).scores
        except Exception as err:  # noqa: BLE001 - too little data at early origins: no index features
            log.info("no index build at origin %s: %s", origin, err)
            _FAILED[(self._key, int(origin))] = " ".join(str(err).split())[:300]
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
