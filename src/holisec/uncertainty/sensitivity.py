"""Variance-based (Sobol') and elementary-effects (Morris) sensitivity of the ranks to each input.

Sobol': SALib's Sobol' sequence in Saltelli's cross-sampling scheme, ``N (d + 2)`` runs for
``d`` inputs (``calc_second_order=False``), then for every output ``Y`` (each entity's rank and
the mean absolute rank shift), normalised to ``(Y - mean) / sd`` as SALib does:

* first order ``S_i = mean(f(B) (f(A_B^i) - f(A))) / V`` (Saltelli et al. 2010, eq. b),
* total ``ST_i = mean((f(A) - f(A_B^i))^2) / (2 V)`` (Jansen 1999),

with ``V`` the variance of ``f(A), f(B)``; bootstrap confidence half-widths
``z_{(1+c)/2} sd*(S)`` over resamples of the ``N`` base rows. :func:`sobol_indices` computes them
for all outputs at once; a test checks it equal to ``SALib.analyze.sobol.analyze`` to 1e-10.

Morris: SALib's trajectories and ``SALib.analyze.morris.analyze`` (mu*, sigma), a cheap screen.

References
----------
Saltelli, A. et al. (2010) Variance based sensitivity analysis of model output. Design and estimator
for the total sensitivity index. *Computer Physics Communications* 181, 259-270.
Jansen, M. J. W. (1999) Analysis of variance designs for model output. *Comput. Phys. Commun.* 117, 35-43.
Morris, M. D. (1991) Factorial sampling plans for preliminary computational experiments. *Technometrics* 33.
Campolongo, F., Cariboni, J. & Saltelli, A. (2007) An effective screening design. *Env. Model. Softw.* 22.
Herman, J. & Usher, W. (2017) SALib: an open-source Python library for sensitivity analysis. *JOSS* 2(9).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from holisec.uncertainty.montecarlo import UncertaintyResult, run
from holisec.uncertainty.spec import SpecError, load_spec


def problem(names: list[str]) -> dict:
    """SALib problem: every input is a design column on [0, 1]."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sobol_design(names: list[str], n: int, seed: int) -> np.ndarray:
    """Saltelli cross-sampled scrambled Sobol' design ``(n (d + 2), d)`` (SALib ``sample.sobol``)."""
    from SALib.sample import sobol

    if n < 2 or n & (n - 1):
        raise SpecError(f"Sobol' base sample size must be a power of 2 (>= 2), got {n}")
    return sobol.sample(problem(names), n, calc_second_order=False, scramble=True, seed=seed)


def _split(Y: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    step = d + 2
    return Y[0::step], Y[step - 1::step], np.stack([Y[j + 1::step] for j in range(d)], axis=1)


def _first(A, AB, B, var):
    """``mean(B (AB - A)) / var`` over the base rows (axis 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > np.finfo(float).eps, np.mean(B * (AB - A), axis=0) / var, 0.0)


def _total(A, AB, B, var):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > np.finfo(float).eps, 0.5 * np.mean((A - AB) ** 2, axis=0) / var, 0.0)


def sobol_indices(Y: np.ndarray, d: int, *, num_resamples: int = 100, conf_level: float = 0.95,
                  seed: int = 1, chunk: int = 16) -> dict[str, np.ndarray]:
    """First-order and total Sobol' indices of ``d`` inputs on every column of ``Y``.

    ``Y`` is ``(N (d + 2), outputs)`` in SALib's row order. Returns ``S1, S1_conf, ST, ST_conf``
    of shape ``(outputs, d)``. Same estimator, normalisation and bootstrap as
    ``SALib.analyze.sobol.analyze(..., calc_second_order=False, seed=seed)`` for each column
    (the resample indices drawn once from ``numpy.random.default_rng(seed)``; ``seed >= 1``).
    A constant output has all indices 0 (SALib warns and does the same).
    """
    Y = np.asarray(Y, dtype="float64")
    Y = Y[:, None] if Y.ndim == 1 else Y
    if Y.shape[0] % (d + 2):
        raise SpecError(f"Sobol' outputs need N (d + 2) = N x {d + 2} rows, got {Y.shape[0]}")
    if seed < 1:
        raise SpecError("the bootstrap seed must be >= 1 (SALib ignores a seed of 0)")
    n = Y.shape[0] // (d + 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        Y = (Y - Y.mean(axis=0)) / Y.std(axis=0)
    A, B, AB = _split(Y, d)  # (N, k), (N, k), (N, d, k)
    r = np.random.default_rng(seed).integers(n, size=(n, num_resamples))
    z = norm.ppf(0.5 + conf_level / 2)
    out = {key: np.zeros((Y.shape[1], d)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    y = np.concatenate([A, B], axis=0)
    constant = np.ptp(y, axis=0) <= np.finfo(float).eps
    var = np.var(y, axis=0)
    for j in range(d):
        out["S1"][:, j] = np.where(constant, 0.0, _first(A, AB[:, j], B, var))
        out["ST"][:, j] = np.where(constant, 0.0, _total(A, AB[:, j], B, var))
    for start in range(0, Y.shape[1], chunk):  # bootstrap: (N, resamples, outputs) per chunk of outputs
        cols = slice(start, start + chunk)
        Ar, Br = A[r, cols], B[r, cols]
        yr = np.concatenate([Ar, Br], axis=0)
        var_r = np.var(yr, axis=0)
        spread = np.ptp(yr.reshape(-1, yr.shape[-1]), axis=0)  # SALib: over every resample at once
        flat, const_r = spread == 0, spread <= np.finfo(float).eps
        for j in range(d):
            ABr = AB[r, j, cols]
            s1 = np.where(const_r, 0.0, _first(Ar, ABr, Br, var_r))
            st = np.where(const_r, 0.0, _total(Ar, ABr, Br, var_r))
            out["S1_conf"][cols, j] = np.where(flat, 0.0, z * s1.std(axis=0, ddof=1))
            out["ST_conf"][cols, j] = np.where(flat, 0.0, z * st.std(axis=0, ddof=1))
    return out


@dataclass
class SensitivityResult:
    """Indices per output (``mean_abs_shift`` and each entity's rank) and input."""

    method: str
    indices: pd.DataFrame
    runs: UncertaintyResult
    n: int

    def summary(self) -> pd.DataFrame:
        """Per input: its indices on the mean absolute rank shift and averaged over entities' ranks,
        sorted by the total (Sobol') or mu* (Morris) effect on the mean absolute rank shift."""
        t = self.indices
        shift = t[t["output"] == "mean_abs_shift"].set_index("input")
        ranks = t[t["output"] != "mean_abs_shift"].groupby("input", sort=False)
        cols = ["S1", "S1_conf", "ST", "ST_conf"] if self.method == "sobol" else ["mu_star", "mu_star_conf", "sigma"]
        table = shift[cols].add_prefix("shift_")
        for c in cols[::2] if self.method == "sobol" else ["mu_star", "sigma"]:
            table[f"entities_mean_{c}"] = ranks[c].mean()
        key = "shift_ST" if self.method == "sobol" else "shift_mu_star"
        return table.sort_values(key, ascending=False).reset_index()

    def to_dict(self) -> dict:
        return {"method": self.method, "n": self.n, "runs": self.runs.n, "meta": self.runs.meta(),
                "summary": self.summary().to_dict(orient="records"),
                "indices": self.indices.to_dict(orient="records")}


def _outputs(res: UncertaintyResult) -> tuple[np.ndarray, list[str]]:
    period = res.periods[-1]
    ranks = res.ranks.sel(period=period).transpose("replication", "entity").values
    return np.column_stack([res.mean_abs_shift(period), ranks]), ["mean_abs_shift", *map(str, res.ranks["entity"].values)]


def sensitivity(spec, recipe, data, framework, *, method: str = "sobol", n: int = 1024, seed: int = 0,
                num_resamples: int = 100, conf_level: float = 0.95, num_levels: int = 4, **run_kw) -> SensitivityResult:
    """Sobol' (``n`` base rows, ``n (d + 2)`` runs) or Morris (``n`` trajectories, ``n (d + 1)`` runs)
    indices of every input of ``spec`` on each entity's rank and on the mean absolute rank shift.

    ``run_kw`` go to :func:`holisec.uncertainty.run` (``entity_groups``, ``periods``, ``memory``,
    ``progress``, ``scheduler``).
    """
    spec = load_spec(spec)
    names = [i.name for i in spec.inputs]
    if method == "sobol":
        design = sobol_design(names, n, seed)
    elif method == "morris":
        from SALib.sample import morris as morris_sample

        design = morris_sample.sample(problem(names), n, num_levels=num_levels, seed=seed)
        design = np.minimum(design, np.nextafter(1.0, 0.0))
    else:
        raise SpecError(f"sensitivity method must be 'sobol' or 'morris', got {method!r}")
    res = run(spec, recipe, data, framework, design=design, seed=seed, **run_kw)
    Y, outputs = _outputs(res)
    d = len(names)
    # an entity left unranked by some replication (screened out) has no indices: NaN, not a guess
    unranked = np.isnan(Y).any(axis=0)
    Y = np.where(np.isnan(Y), 0.0, Y)
    if method == "sobol":
        idx = sobol_indices(Y, d, num_resamples=num_resamples, conf_level=conf_level, seed=seed + 1)
        frame = pd.DataFrame({
            "output": np.repeat(outputs, d), "input": np.tile(names, len(outputs)),
            **{k: np.where(unranked[:, None], np.nan, v).ravel() for k, v in idx.items()}})
    else:
        from SALib.analyze import morris as morris_analyze

        rows = []
        for k, output in enumerate(outputs):
            if unranked[k]:
                rows += [(output, name, np.nan, np.nan, np.nan, np.nan) for name in names]
                continue
            got = morris_analyze.analyze(problem(names), design, Y[:, k], num_levels=num_levels,
                                         num_resamples=num_resamples, conf_level=conf_level, seed=seed + 1)
            rows += [(output, name, got["mu"][j], got["mu_star"][j], got["mu_star_conf"][j], got["sigma"][j])
                     for j, name in enumerate(names)]
        frame = pd.DataFrame(rows, columns=["output", "input", "mu", "mu_star", "mu_star_conf", "sigma"])
    return SensitivityResult(method=method, indices=frame, runs=res, n=n)
