"""Cross-domain linkage estimated from the panel: panel Granger tests and partial correlations.

**Panel Granger test** (one equation per target domain ``j``, all domains lagged):

    y_j[e, t] = a_e + g_t + sum_k sum_{l=1..L} b_jkl y_k[e, t - l] + u[e, t]

with entity fixed effects ``a_e`` (level differences between countries) and year effects
``g_t`` (common shocks and trends, the obvious confounder of co-moving domains), estimated by
OLS on the entity-demeaned equation with the year dummies (Frisch-Waugh-Lovell; statsmodels),
standard errors clustered by entity. The link ``k -> j`` is the Wald F-test of
``b_jk1 = ... = b_jkL = 0``; its sign and size are ``sum_l b_jkl`` (index points of ``j``
next year per point of ``k``) with its clustered standard error
``se = sqrt(c' V c)`` (``c`` picks the ``L`` lag coefficients, ``V`` their covariance), its lag
the ``l`` with the largest ``|t|``. Because every
other domain's past is in the equation, a link is *conditional*: ``k`` helps predict ``j``
beyond ``j``'s own past, the other domains' past and the common year shocks.

**Partial correlation** of ``j`` and ``k`` in the same year given all other domains, after
removing entity and year effects: ``rho_jk = -P_jk / sqrt(P_jj P_kk)``, ``P`` the inverse
correlation matrix of the two-way residuals; ``t = rho sqrt(df / (1 - rho^2))``.

Only links that survive the Benjamini-Hochberg false-discovery rate ``alpha`` (default 0.05,
over all ordered pairs) are kept as significant. Under independent domains the chance that
*any* link is reported is then at most ``alpha`` (BH controls the family-wise error under the
complete null). What links do **not** mean: causation. They are predictive associations within
countries over time, net of common year shocks; omitted drivers, reverse timing inside a year
and the Nickell bias of fixed effects with a lagged dependent variable in short panels
(order 1/T) remain.

References
----------
Granger, C. W. J. (1969) Investigating causal relations by econometric models and cross-spectral
methods. *Econometrica* 37(3), 424-438.
Benjamini, Y. & Hochberg, Y. (1995) Controlling the false discovery rate. *JRSS B* 57(1), 289-300.
Cameron, A. C. & Miller, D. L. (2015) A practitioner's guide to cluster-robust inference.
*Journal of Human Resources* 50(2), 317-372.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import statsmodels.api as sm
import xarray as xr
from scipy import stats
from statsmodels.stats.multitest import multipletests
from threadpoolctl import threadpool_limits

from holisec.holistic._common import HolisticError, domain_scores

LINK_COLUMNS = ["source", "target", "coef", "se", "lag", "f_stat", "p_value", "q_value", "significant", "n_obs"]
PARTIAL_COLUMNS = ["a", "b", "partial_r", "p_value", "q_value", "significant", "n_obs"]


@dataclass
class Linkage:
    """Estimated links between domains (see module docstring)."""

    links: pd.DataFrame
    partial: pd.DataFrame
    params: dict = field(default_factory=dict)

    def significant(self) -> pd.DataFrame:
        """Links that survive the BH correction, strongest first."""
        s = self.links[self.links["significant"]]
        return s.reindex(s["coef"].abs().sort_values(ascending=False).index).reset_index(drop=True)

    def matrix(self, significant_only: bool = True) -> pd.DataFrame:
        """``source x target`` coefficients (0 where no significant link): the propagation matrix."""
        nodes = self.params.get("domains") or sorted(set(self.links["source"]) | set(self.links["target"]))
        m = pd.DataFrame(0.0, index=pd.Index(nodes, name="source"), columns=pd.Index(nodes, name="target"))
        rows = self.significant() if significant_only else self.links
        for r in rows.itertuples():
            m.at[r.source, r.target] = r.coef
        return m

    def se_matrix(self) -> pd.DataFrame:
        """``source x target`` standard errors of the significant links (0 elsewhere), as :meth:`matrix`."""
        m = self.matrix()
        sig = self.significant()
        if sig["se"].isna().any():
            raise HolisticError("this linkage estimate has no standard errors (it predates them); "
                                "run `holisec linkage estimate` again")
        out = pd.DataFrame(0.0, index=m.index, columns=m.columns)
        for r in sig.itertuples():
            out.at[r.source, r.target] = r.se
        return out

    def to_dict(self) -> dict:
        return {"params": self.params, "links": self.links.to_dict(orient="records"),
                "partial": self.partial.to_dict(orient="records")}

    @classmethod
    def from_dict(cls, raw: dict) -> Linkage:
        return cls(pd.DataFrame(raw["links"], columns=LINK_COLUMNS),
                   pd.DataFrame(raw["partial"], columns=PARTIAL_COLUMNS), raw.get("params", {}))


def _consecutive(da: xr.DataArray) -> xr.DataArray:
    p = da["period"].values
    return da.reindex(period=np.arange(int(p.min()), int(p.max()) + 1))


def _demean(z: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Subtract each group's column means (the within transformation)."""
    n = groups.max() + 1
    sums = np.zeros((n, z.shape[1]))
    np.add.at(sums, groups, z)
    return z - (sums / np.bincount(groups, minlength=n)[:, None])[groups]


def _sum_se(cov: np.ndarray, cols: list[int]) -> float:
    """Standard error of the sum of the coefficients ``cols``: ``sqrt(1' V_cols 1)``."""
    return float(np.sqrt(cov[np.ix_(cols, cols)].sum()))


def _year_dummies(periods: np.ndarray) -> np.ndarray:
    levels = np.unique(periods)
    return (periods[:, None] == levels[None, 1:]).astype(float)


def granger(scores: xr.DataArray, *, lags: int = 1, alpha: float = 0.05, time_effects: bool = True,
            min_entities: int = 10) -> pd.DataFrame:
    """Conditional panel Granger tests between all ordered pairs of ``domain`` (columns: LINK_COLUMNS)."""
    if lags < 1:
        raise HolisticError(f"linkage: lags must be >= 1, got {lags}")
    da = _consecutive(scores.transpose("entity", "period", "domain"))
    names = [str(d) for d in da["domain"].values]
    k = len(names)
    if k < 2:
        raise HolisticError("linkage needs at least 2 domains")
    y = da.values
    lagged = np.concatenate([da.shift(period=lag).values for lag in range(1, lags + 1)], axis=-1)  # (e, p, k*L)
    ent = np.broadcast_to(np.arange(y.shape[0])[:, None], y.shape[:2])
    per = np.broadcast_to(da["period"].values[None, :], y.shape[:2])
    rows, persistence, persistence_se = [], {}, {}
    for j, target in enumerate(names):
        ok = ~np.isnan(y[..., j]) & ~np.isnan(lagged).any(axis=-1)
        x, yy, g, t = lagged[ok], y[..., j][ok], ent[ok], per[ok]
        groups = np.unique(g, return_inverse=True)[1]
        n_ent = groups.max() + 1 if len(groups) else 0
        if n_ent < min_entities or len(yy) <= x.shape[1] + n_ent + len(np.unique(t)) + 5:
            raise HolisticError(
                f"linkage: domain {target!r} has {len(yy)} complete entity-years over {n_ent} entities; "
                f"need >= {min_entities} entities and more rows than parameters (use fewer lags)")
        design = np.column_stack([x, _year_dummies(t)]) if time_effects else x
        z = _demean(np.column_stack([design, yy]), groups)
        with threadpool_limits(1):  # small dense problems: threads only contend
            fit = sm.OLS(z[:, -1], z[:, :-1]).fit(cov_type="cluster", cov_kwds={"groups": groups})
        cov = np.asarray(fit.cov_params())
        own = [lag * k + j for lag in range(lags)]
        persistence[target] = float(fit.params[own].sum())
        persistence_se[target] = _sum_se(cov, own)
        for i, source in enumerate(names):
            if i == j:
                continue
            cols = [lag * k + i for lag in range(lags)]
            restriction = np.zeros((lags, z.shape[1] - 1))
            restriction[np.arange(lags), cols] = 1.0
            test = fit.wald_test(restriction, use_f=True, scalar=True)
            tvals = np.abs(fit.tvalues[cols])
            rows.append((source, target, float(fit.params[cols].sum()), _sum_se(cov, cols), int(np.argmax(tvals)) + 1,
                         float(test.statistic), float(test.pvalue), len(yy)))
    links = pd.DataFrame(rows, columns=["source", "target", "coef", "se", "lag", "f_stat", "p_value", "n_obs"])
    reject, q, _, _ = multipletests(links["p_value"].to_numpy(), alpha=alpha, method="fdr_bh")
    links.insert(6, "q_value", q)
    links.insert(7, "significant", reject)
    links = links[LINK_COLUMNS]
    links.attrs["persistence"] = persistence  # own-lag coefficient sums (not links)
    links.attrs["persistence_se"] = persistence_se
    return links


def partial_correlations(scores: xr.DataArray, *, alpha: float = 0.05) -> pd.DataFrame:
    """Partial correlations between domains given all others, net of entity and year effects."""
    da = scores.transpose("entity", "period", "domain")
    names = [str(d) for d in da["domain"].values]
    k = len(names)
    y = da.values
    ok = ~np.isnan(y).any(axis=-1)
    ent = np.broadcast_to(np.arange(y.shape[0])[:, None], y.shape[:2])[ok]
    per = np.broadcast_to(da["period"].values[None, :], y.shape[:2])[ok]
    groups = np.unique(ent, return_inverse=True)[1]
    n = ok.sum()
    years = _year_dummies(per)
    df = n - (groups.max() + 1 if n else 0) - years.shape[1] - k
    if df < 5:
        raise HolisticError(f"linkage: partial correlations need more complete entity-years (have {n})")
    z = _demean(np.column_stack([years, y[ok]]), groups)
    d, v = z[:, :years.shape[1]], z[:, years.shape[1]:]
    resid = v - d @ np.linalg.lstsq(d, v, rcond=None)[0] if d.shape[1] else v
    prec = np.linalg.pinv(np.corrcoef(resid, rowvar=False))
    r = -prec / np.sqrt(np.outer(np.diag(prec), np.diag(prec)))
    iu = np.triu_indices(k, 1)
    rho = np.clip(r[iu], -0.999999, 0.999999)
    t = rho * np.sqrt(df / (1 - rho**2))
    p = 2 * stats.t.sf(np.abs(t), df)
    reject, q, _, _ = multipletests(p, alpha=alpha, method="fdr_bh")
    return pd.DataFrame({"a": [names[i] for i in iu[0]], "b": [names[j] for j in iu[1]], "partial_r": rho,
                         "p_value": p, "q_value": q, "significant": reject, "n_obs": int(n)})[PARTIAL_COLUMNS]


def estimate(scores: xr.DataArray, *, lags: int = 1, alpha: float = 0.05, time_effects: bool = True) -> Linkage:
    """Granger links and partial correlations of a domain panel ``(entity, period, domain)``."""
    if not 0 < alpha < 1:
        raise HolisticError(f"linkage: alpha must be in (0, 1), got {alpha}")
    links = granger(scores, lags=lags, alpha=alpha, time_effects=time_effects)
    return Linkage(links, partial_correlations(scores, alpha=alpha),
                   {"persistence": links.attrs["persistence"], "persistence_se": links.attrs["persistence_se"],
                    "lags": lags, "alpha": alpha, "time_effects": time_effects, "correction": "Benjamini-Hochberg",
                    "domains": [str(d) for d in scores["domain"].values],
                    "periods": [int(scores.period.min()), int(scores.period.max())],
                    "meaning": "predictive, not causal: net of entity fixed effects and year effects"})


def estimate_links(result, *, lags: int = 1, alpha: float = 0.05, periods: list[int] | None = None) -> Linkage:
    """Links between the domains of a built index (optionally over some periods only)."""
    scores = domain_scores(result)
    if periods is not None:
        scores = scores.sel(period=[p for p in scores["period"].values if p in set(periods)])
    link = estimate(scores, lags=lags, alpha=alpha)
    link.params.update(recipe_hash=result.recipe.hash, vintage=result.vintage, framework=result.framework.id)
    return link


# --- the store: append-only estimates ------------------------------------------------------
_TABLE = "linkage_estimates"


def save_linkage(store, linkage: Linkage) -> str:
    """Append an estimate to the store's ``linkage_estimates`` table; returns its id (never overwrites)."""
    con = getattr(store, "con", store)
    con.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} (estimate_id VARCHAR, created_at TIMESTAMP, body VARCHAR)")
    n = con.execute(f"SELECT count(*) FROM {_TABLE}").fetchone()[0]
    estimate_id = f"L{n + 1}"
    body = json.dumps(linkage.to_dict(), default=lambda o: o.item() if hasattr(o, "item") else str(o))
    con.execute(f"INSERT INTO {_TABLE} VALUES (?, ?, ?)",
                [estimate_id, datetime.now(timezone.utc).replace(tzinfo=None), body])
    return estimate_id


def load_linkage(store, estimate_id: str | None = None) -> tuple[str, Linkage]:
    """The latest stored estimate (or ``estimate_id``); an error says how to make one."""
    con = getattr(store, "con", store)
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if _TABLE not in have:
        raise HolisticError("no linkage estimate in the store; run `holisec linkage estimate` first")
    if estimate_id is None:
        row = con.execute(f"SELECT estimate_id, body FROM {_TABLE} ORDER BY created_at DESC, estimate_id DESC LIMIT 1").fetchone()
    else:
        row = con.execute(f"SELECT estimate_id, body FROM {_TABLE} WHERE estimate_id = ?", [estimate_id]).fetchone()
    if row is None:
        raise HolisticError(f"no linkage estimate {estimate_id!r} in the store")
    return row[0], Linkage.from_dict(json.loads(row[1]))
