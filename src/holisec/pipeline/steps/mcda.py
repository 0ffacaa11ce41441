"""Multi-criteria weights and aggregations used in holistic-security studies.

Weights (recipe step ``weight``; derived per group from its children's normalised scores
over the complete entity-periods, like ``pca``):

* ``entropy``: ``p_ij = x_ij / sum_i x_ij``, ``e_j = -(1 / ln m) sum_i p_ij ln p_ij``
  (``0 ln 0 = 0``), ``w_j = (1 - e_j) / sum_k (1 - e_k)`` (Shannon entropy method);
* ``critic``: ``w_j ~ s_j sum_k (1 - r_jk)`` on min-max normalised children, ``s`` the sample
  standard deviation and ``r`` Pearson correlations (Diakoulaki et al. 1995);
* ``sd``: ``w_j ~ s_j`` (standard-deviation method);
* ``ahp``: principal eigenvector of a pairwise-comparison matrix per group read from a CSV
  file (``a,b,value``: ``a`` is ``value`` times as important as ``b``, Saaty's 1-9 scale);
  consistency ratio ``CR = CI / RI``, ``CI = (lambda_max - n) / (n - 1)``. A group with
  ``CR > max_cr`` (default 0.1, Saaty's rule) is an **error**: inconsistent judgements give
  weights that mean nothing; raise ``max_cr`` explicitly to accept them.

Aggregations (recipe step ``aggregate``; every child is oriented higher = more risk, so the
"ideal" of these methods is the riskiest profile and the score reads as risk, 0-100):

* ``topsis``: vector-normalise each child within the scope (``r = x / sqrt(sum x^2)``),
  weight (``v = w r``), distances ``D+`` to the column maxima and ``D-`` to the minima;
  score ``100 D- / (D+ + D-)`` (Hwang & Yoon 1981). Missing children are left out of both
  distances.
* ``gra``: grey relational grade to the riskiest reference: min-max normalise each child
  within the scope, ``Delta = 1 - y``, coefficient ``xi = (Delta_min + rho Delta_max) /
  (Delta + rho Delta_max)`` with ``rho = 0.5`` and the extremes over the group's children and
  the scope's units; score ``100 sum w xi / sum w`` (Deng 1989). A child constant over the
  scope carries no information there and is left out.

In both, units whose present children are all constant over the scope are indistinguishable
and score 50.

References
----------
Shannon entropy weights: Zeleny, M. (1982) *Multiple Criteria Decision Making*, McGraw-Hill.
Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995) Determining objective weights in
multiple criteria problems: the CRITIC method. *Computers & Operations Research* 22(7), 763-770.
Saaty, T. L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill; random indices of
Tummala, V. M. R. & Ling, H. (1998) *Theory and Decision* 44, 221-230 (as in pymcdm).
Hwang, C. L. & Yoon, K. (1981) *Multiple Attribute Decision Making*, Springer (TOPSIS).
Deng, J. (1989) Introduction to grey system theory. *Journal of Grey System* 1(1), 1-24.
Library: pymcdm (Kizielewicz, Shekhovtsov & Salabun 2023, *SoftwareX* 22, 101368) for CRITIC,
SD and AHP; entropy is computed here because pymcdm zeroes the entropy of a column with a zero.
"""
from __future__ import annotations

import csv
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from holisec.framework import Framework
from holisec.pipeline._panel import PipelineError, Scope, reduce_dims

#: Distinguishing coefficient of grey relational analysis (the customary 0.5).
RHO = 0.5


# --- objective weights ----------------------------------------------------------------------
def entropy_weights(matrix: np.ndarray) -> np.ndarray:
    """Shannon entropy weights of the columns of ``matrix`` (alternatives x criteria, >= 0)."""
    m = matrix.shape[0]
    if m < 2:
        raise ValueError("entropy weights need at least 2 alternatives")
    if np.any(matrix < 0):
        raise ValueError("entropy weights need non-negative values (normalise to a 0-100 scale first)")
    total = matrix.sum(axis=0)
    if np.any(total <= 0):
        raise ValueError("entropy weights: a criterion is zero for every alternative")
    p = matrix / total
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    d = 1 - e
    if d.sum() <= 0:
        raise ValueError("entropy weights: every criterion is constant (no information)")
    return d / d.sum()


def critic_weights(matrix: np.ndarray) -> np.ndarray:
    """CRITIC weights (pymcdm ``critic_weights``): ``s_j sum_k (1 - r_jk)`` on min-max scores."""
    from pymcdm import weights as _pw  # imported on use: pymcdm loads matplotlib (~1.4 s)

    return np.asarray(_pw.critic_weights(matrix), dtype=float)


def sd_weights(matrix: np.ndarray) -> np.ndarray:
    """Standard-deviation weights (pymcdm ``standard_deviation_weights``)."""
    from pymcdm import weights as _pw

    return np.asarray(_pw.standard_deviation_weights(matrix), dtype=float)


_OBJECTIVE = {"entropy": entropy_weights, "critic": critic_weights, "sd": sd_weights}


def _objective(method: str, framework: Framework, scores, levels, weights):
    from holisec.pipeline.steps.weight import _complete_rows, _explicit_raw, _report, _target_groups, within_parent

    raw = _explicit_raw(framework, weights)
    stat = pd.Series(np.nan, index=raw.index)
    for group in _target_groups(framework, levels):
        children, rows = _complete_rows(scores, framework, group)
        constant = [c for c, s in zip(children, rows.std(axis=0)) if s == 0] if len(rows) else children
        if len(rows) < 3 or constant:
            raise PipelineError(
                f"weight {method}: group {group!r} needs >= 3 complete entity-periods with varying children; "
                f"have {len(rows)} rows, constant children {constant}")
        try:
            w = _OBJECTIVE[method](rows)
        except ValueError as err:
            raise PipelineError(f"weight {method}: group {group!r}: {err}") from None
        raw[children] = w
        stat[children] = w
    out = within_parent(raw, framework)
    return out, _report(out, framework, method, statistic=stat)


def entropy(framework: Framework, *, scores, levels: list[int] | None = None,
            weights: Mapping[str, float] | None = None):
    """Entropy weights of each group's children (see module docstring); statistic = weight."""
    return _objective("entropy", framework, scores, levels, weights)


def critic(framework: Framework, *, scores, levels: list[int] | None = None,
           weights: Mapping[str, float] | None = None):
    """CRITIC weights of each group's children; statistic = weight within the group."""
    return _objective("critic", framework, scores, levels, weights)


def sd(framework: Framework, *, scores, levels: list[int] | None = None,
       weights: Mapping[str, float] | None = None):
    """Standard-deviation weights of each group's children; statistic = weight within the group."""
    return _objective("sd", framework, scores, levels, weights)


# --- AHP ------------------------------------------------------------------------------------
def read_pairwise(path: str | Path) -> pd.DataFrame:
    """Read an AHP comparison file: CSV with header ``a,b,value`` (``a`` over ``b``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PipelineError(f"weight ahp: {path}: file not found") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or set(rows[0]) != {"a", "b", "value"}:
        raise PipelineError(f"weight ahp: {path}: expected a CSV with header a,b,value")
    out = []
    for i, row in enumerate(rows, start=2):
        raw = row["value"].strip()
        try:
            value = float(raw.split("/")[0]) / float(raw.split("/")[1]) if "/" in raw else float(raw)
        except (ValueError, ZeroDivisionError):
            raise PipelineError(f"weight ahp: {path}, row {i}, column value: {raw!r} is not a number") from None
        if value <= 0:
            raise PipelineError(f"weight ahp: {path}, row {i}, column value: must be > 0, got {raw!r}")
        out.append((row["a"].strip(), row["b"].strip(), value, i))
    return pd.DataFrame(out, columns=["a", "b", "value", "row"])


def pairwise_matrices(table: pd.DataFrame, framework: Framework, origin: str = "") -> dict[str, tuple[list[str], np.ndarray]]:
    """Complete reciprocal matrices per parent group from ``a,b,value`` rows (errors name the row)."""
    tree = framework.tree
    found: dict[str, dict[tuple[str, str], float]] = {}
    for a, b, value, row in table.itertuples(index=False):
        for code in (a, b):
            if code not in tree.index:
                raise PipelineError(f"weight ahp: {origin}, row {row}: {code!r} is not a code of framework {framework.id!r}")
        if a == b or tree.at[a, "parent"] != tree.at[b, "parent"] or pd.isna(tree.at[a, "parent"]):
            raise PipelineError(f"weight ahp: {origin}, row {row}: {a!r} and {b!r} must be different children of one group")
        pairs = found.setdefault(tree.at[a, "parent"], {})
        for key, v in (((a, b), value), ((b, a), 1 / value)):
            if key in pairs and not np.isclose(pairs[key], v):
                raise PipelineError(f"weight ahp: {origin}, row {row}: {a!r} vs {b!r} contradicts an earlier row")
            pairs[key] = v
    out = {}
    for group, pairs in found.items():
        kids = framework.children(group)
        missing = [f"{a},{b}" for i, a in enumerate(kids) for b in kids[i + 1:] if (a, b) not in pairs]
        if missing:
            raise PipelineError(f"weight ahp: {origin}: group {group!r} lacks comparisons {missing}")
        m = np.array([[1.0 if a == b else pairs[(a, b)] for b in kids] for a in kids])
        out[group] = (kids, m)
    return out


def ahp_weights(matrix: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Weights (principal eigenvector), ``lambda_max`` and CR of a reciprocal matrix (pymcdm AHP)."""
    from pymcdm.weights.subjective import AHP

    model = AHP(matrix=matrix)
    w = np.asarray(model(), dtype=float)
    lam = float(np.max(np.linalg.eigvals(matrix).real))
    return w, lam, float(model.get_cr())


def ahp(framework: Framework, *, file: str, max_cr: float = 0.1, weights: Mapping[str, float] | None = None):
    """AHP weights for the groups compared in ``file``; other groups keep the framework's weights.

    The report's ``statistic`` is the group's consistency ratio; ``CR > max_cr`` is an error.
    """
    from holisec.pipeline.steps.weight import _explicit_raw, _report, within_parent

    raw = _explicit_raw(framework, weights)
    cr = pd.Series(np.nan, index=raw.index)
    matrices = pairwise_matrices(read_pairwise(file), framework, str(file))
    if not matrices:
        raise PipelineError(f"weight ahp: {file}: no comparisons")
    for group, (kids, m) in matrices.items():
        try:
            w, _, ratio = ahp_weights(m)
        except ValueError as err:
            raise PipelineError(f"weight ahp: {file}: group {group!r}: {err} (use Saaty's 1-9 scale and reciprocals)") from None
        if ratio > max_cr:
            raise PipelineError(
                f"weight ahp: {file}: group {group!r} has consistency ratio {ratio:.3f} > {max_cr} "
                "(judgements contradict each other); revise the comparisons or set max_cr explicitly")
        raw[kids] = w
        cr[kids] = ratio
    out = within_parent(raw, framework)
    return out, _report(out, framework, "ahp", statistic=cr)


# --- aggregations ---------------------------------------------------------------------------
def _axes(scope: Scope) -> tuple[int, ...]:
    reduce_dims(scope)
    return (0,) if scope == "period" else (0, 1)


def topsis(values, present, matrix, *, scope: Scope = "period", **_):
    """TOPSIS closeness (x 100) to the riskiest profile within ``scope`` (module docstring)."""
    axes = _axes(scope)
    x = np.where(present, values, 0.0)
    norm = np.sqrt((x**2).sum(axis=axes, keepdims=True))
    r = np.where(norm > 0, x / np.where(norm > 0, norm, 1.0), 0.0)
    v = r[..., None] * matrix  # (entity, period, child, group)
    use = present[..., None] & (matrix > 0)
    hi = np.where(use, v, -np.inf).max(axis=axes, keepdims=True)
    lo = np.where(use, v, np.inf).min(axis=axes, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        d_plus = np.sqrt(np.where(use, (v - hi) ** 2, 0.0).sum(axis=2))
        d_minus = np.sqrt(np.where(use, (v - lo) ** 2, 0.0).sum(axis=2))
    total = d_plus + d_minus
    score = 100 * d_minus / np.where(total > 0, total, np.nan)
    # every present child at the scope's common value: neither close to the riskiest nor the safest
    return np.clip(np.where(use.any(axis=2), np.where(total > 0, score, 50.0), np.nan), 0.0, 100.0)


def gra(values, present, matrix, *, scope: Scope = "period", **_):
    """Grey relational grade (x 100) to the riskiest reference within ``scope`` (rho = 0.5)."""
    axes = _axes(scope)
    with np.errstate(invalid="ignore"):
        hi = np.where(present, values, -np.inf).max(axis=axes, keepdims=True)
        lo = np.where(present, values, np.inf).min(axis=axes, keepdims=True)
    span = hi - lo
    ok = present & np.isfinite(span) & (span > 0)
    delta = np.where(ok, (hi - values) / np.where(ok, span, 1.0), np.nan)  # 1 - min-max score
    use = ok[..., None] & (matrix > 0)
    d = np.where(use, delta[..., None], np.nan)  # (entity, period, child, group)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dmin = np.nanmin(d, axis=(*axes, 2), keepdims=True)
        dmax = np.nanmax(d, axis=(*axes, 2), keepdims=True)
    xi = (dmin + RHO * dmax) / (d + RHO * dmax)
    xi = np.where(use, xi, 0.0)
    wsum = np.where(use, matrix, 0.0).sum(axis=2)
    grade = (xi * matrix).sum(axis=2) / np.where(wsum > 0, wsum, np.nan)
    # all deltas zero (every unit at the riskiest value): the grade is 1
    grade = 100 * np.where(use.any(axis=2) & ~np.isfinite(grade), 1.0, grade)
    # every present child constant over the scope: the units are indistinguishable (as in topsis)
    tied = (present[..., None] & (matrix > 0)).any(axis=2) & ~use.any(axis=2)
    return np.clip(np.where(tied, 50.0, grade), 0.0, 100.0)


WEIGHTS = {"entropy": entropy, "critic": critic, "sd": sd, "ahp": ahp}
AGGREGATIONS = {"topsis": topsis, "gra": gra}
