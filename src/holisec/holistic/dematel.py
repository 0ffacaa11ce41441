"""DEMATEL on an expert influence matrix between domains (plus an optional fuzzy variant).

Steps (Gabus & Fontela 1973; as taught in Tzeng, Chiang & Li 2007):

1. direct-relation matrix ``A`` (``a_ij``: how much ``i`` influences ``j``, e.g. 0-4);
2. normalised ``N = A / s`` with ``s = max(max_i sum_j a_ij, max_j sum_i a_ij)``;
3. total-relation ``T = N (I - N)^-1`` (direct plus all indirect influence, ``N + N^2 + ...``);
4. ``D_i = sum_j t_ij`` (influence given), ``R_i = sum_j t_ji`` (influence received);
   prominence ``D + R`` (how central), relation ``D - R`` (> 0: a *driving* / cause domain,
   < 0: a *dependent* / effect domain);
5. the influence map keeps ``t_ij`` above a threshold (default: the mean of ``T``);
   weights ``w_i ~ sqrt((D+R)^2 + (D-R)^2)``.

Fuzzy DEMATEL (Lin & Wu 2008): each judgement is a triangular fuzzy number ``(l, m, u)``;
each of ``L``, ``M``, ``U`` is normalised by the largest row/column sum of ``U`` and turned
into a total-relation matrix, then defuzzified by the centroid ``(l + m + u) / 3``.

References
----------
Gabus, A. & Fontela, E. (1973) *Perceptions of the World Problematique: Communication Procedure,
Communicating with those Bearing Collective Responsibility*. Battelle Geneva Research Centre.
Tzeng, G.-H., Chiang, C.-H. & Li, C.-W. (2007) Evaluating intertwined effects in e-learning
programs. *Expert Systems with Applications* 32(4), 1028-1044.
Lin, C.-J. & Wu, W.-W. (2008) A causal analytical method for group decision-making under fuzzy
environment. *Expert Systems with Applications* 34(1), 205-213.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from holisec.holistic._common import HolisticError


@dataclass
class Dematel:
    """Results of DEMATEL (labelled by the matrix's codes)."""

    direct: pd.DataFrame
    normalised: pd.DataFrame
    total: pd.DataFrame
    threshold: float

    @property
    def given(self) -> pd.Series:
        """``D``: row sums of ``T`` (influence given)."""
        return self.total.sum(axis=1).rename("D")

    @property
    def received(self) -> pd.Series:
        """``R``: column sums of ``T`` (influence received)."""
        return self.total.sum(axis=0).rename("R")

    def table(self) -> pd.DataFrame:
        """Per code: D, R, prominence, relation, role (driving / dependent), weight; by relation."""
        d, r = self.given, self.received
        prom, rel = d + r, d - r
        w = np.sqrt(prom**2 + rel**2)
        out = pd.DataFrame({"D": d, "R": r, "prominence": prom, "relation": rel,
                            "role": np.where(rel > 0, "driving", np.where(rel < 0, "dependent", "neutral")),
                            "weight": w / w.sum()})
        out.index.name = "code"
        return out.sort_values("relation", ascending=False, kind="stable")

    def influence_map(self) -> pd.DataFrame:
        """Edges ``source -> target`` with ``t_ij`` above the threshold, strongest first."""
        t = self.total.stack().rename("t").reset_index()
        t.columns = ["source", "target", "t"]
        keep = t[(t["t"] > self.threshold) & (t["source"] != t["target"])]
        return keep.sort_values("t", ascending=False, kind="stable").reset_index(drop=True)


def _total(n: np.ndarray) -> np.ndarray:
    eye = np.eye(n.shape[0])
    try:
        return n @ np.linalg.inv(eye - n)
    except np.linalg.LinAlgError:
        raise HolisticError("dematel: I - N is singular (every row and column sum is the maximum); "
                            "the influence never decays: check the matrix") from None


def _check(a: pd.DataFrame, origin: str) -> pd.DataFrame:
    if a.shape[0] != a.shape[1] or list(a.index) != list(a.columns):
        raise HolisticError(f"dematel: {origin}: the matrix must be square with the same codes in the first column "
                            f"and the header, in the same order (rows {list(a.index)}, columns {list(a.columns)})")
    values = a.to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(values) | (values < 0))
    if bad.size:
        i, j = bad[0]
        raise HolisticError(f"dematel: {origin}: row {a.index[i]!r}, column {a.columns[j]!r}: "
                            f"influence must be a number >= 0, got {values[i, j]}")
    nonzero = [a.index[i] for i in range(len(a)) if values[i, i] != 0]
    if nonzero:
        raise HolisticError(f"dematel: {origin}: the diagonal (self-influence) must be 0 for {nonzero}")
    if values.sum() == 0:
        raise HolisticError(f"dematel: {origin}: every influence is 0")
    return a.astype(float)


def dematel(direct: pd.DataFrame, *, threshold: float | None = None, origin: str = "<matrix>") -> Dematel:
    """DEMATEL of a labelled direct-relation matrix (rows influence columns)."""
    a = _check(direct, origin)
    x = a.to_numpy()
    s = max(x.sum(axis=1).max(), x.sum(axis=0).max())
    n = x / s
    t = _total(n)
    labels = dict(index=a.index, columns=a.columns)
    return Dematel(a, pd.DataFrame(n, **labels), pd.DataFrame(t, **labels),
                   float(t.mean()) if threshold is None else float(threshold))


def fuzzy_dematel(lower: pd.DataFrame, middle: pd.DataFrame, upper: pd.DataFrame, *,
                  threshold: float | None = None, origin: str = "<matrix>") -> Dematel:
    """Fuzzy DEMATEL (triangular judgements ``l <= m <= u``), defuzzified by the centroid."""
    l_, m_, u_ = (_check(x, origin) for x in (lower, middle, upper))
    if not ((l_.to_numpy() <= m_.to_numpy()).all() and (m_.to_numpy() <= u_.to_numpy()).all()):
        raise HolisticError(f"dematel: {origin}: fuzzy judgements must satisfy lower <= middle <= upper")
    s = max(u_.to_numpy().sum(axis=1).max(), u_.to_numpy().sum(axis=0).max())
    totals = [_total(x.to_numpy() / s) for x in (l_, m_, u_)]
    crisp = sum(totals) / 3
    labels = dict(index=m_.index, columns=m_.columns)
    return Dematel(m_, pd.DataFrame(m_.to_numpy() / s, **labels), pd.DataFrame(crisp, **labels),
                   float(crisp.mean()) if threshold is None else float(threshold))


def read_matrix(path: str | Path, known: list[str] | None = None) -> pd.DataFrame:
    """Read an influence matrix CSV (first column and header: the codes); ``known`` codes only."""
    path = Path(path)
    if not path.exists():
        raise HolisticError(f"dematel: {path}: file not found")
    try:
        a = pd.read_csv(path, index_col=0)
    except (ValueError, pd.errors.ParserError) as err:
        raise HolisticError(f"dematel: {path}: cannot read the CSV: {err}") from None
    a.index = a.index.astype(str).str.strip()
    a.columns = a.columns.astype(str).str.strip()
    if known is not None:
        unknown = [c for c in dict.fromkeys([*a.index, *a.columns]) if c not in known]
        if unknown:
            raise HolisticError(f"dematel: {path}: unknown code(s) {unknown}; expected domains of the framework {known}")
    try:
        a = a.apply(pd.to_numeric, errors="raise")
    except (ValueError, TypeError) as err:
        raise HolisticError(f"dematel: {path}: a cell is not a number ({err})") from None
    return _check(a, str(path))
