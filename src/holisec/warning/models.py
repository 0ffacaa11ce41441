"""Forecasting models and baselines with per-forecast feature contributions (logit scale).

- ``Logit``: median imputation + standardisation + L2-regularised logistic regression, all
  fitted on the training window only; contribution of feature j = beta_j * z_j.
- ``GBM``: LightGBM with native missing-value handling; contributions = TreeSHAP values.
- ``Ensemble``: both learners stacked by a logistic calibrator fitted on forward-chained
  out-of-time predictions inside the training window (calibrated ensemble); contributions are
  the stacker-weighted sums of the learners' contributions (exact on the logit scale).
- Baselines: ``Climatology`` (training base rate), ``Persistence`` (event in t -> training
  conditional frequency), ``History`` (recency 1/(1+years since last event), mapped to a
  probability by a one-variable logistic fit), ``PITF`` (4-variable logistic, Goldstone et al.).
  The rule baselines also give their raw score (``score``: recency, event in t, a constant),
  which ranking metrics use: the per-origin probability mapping would re-rank rows pooled
  across origins (``evaluate.RAW``).

References
----------
Goldstone et al. (2010) AJPS 54(1); Lundberg et al. (2020) "From local explanations to global
understanding with explainable AI for trees", Nat Mach Intell 2; Wolpert (1992) "Stacked
generalization", Neural Networks 5(2); Ke et al. (2017) LightGBM, NeurIPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from holisec.warning.features import PITF_FEATURES


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass
class Logit:
    """L2 logistic regression with imputation and scaling fitted in the training window."""

    C: float = 0.1
    features: list[str] | None = None
    name: str = "logit"

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> "Logit":
        cols = [c for c in self.features if c in X.columns] if self.features else list(X.columns)
        Xa = X[cols].to_numpy(float)
        keep = ~np.all(np.isnan(Xa), axis=0)
        self.cols_ = [c for c, k in zip(cols, keep) if k]
        self.imp_ = SimpleImputer(strategy="median").fit(Xa[:, keep])
        self.sc_ = StandardScaler().fit(self.imp_.transform(Xa[:, keep]))
        Z = self.sc_.transform(self.imp_.transform(Xa[:, keep]))
        self.lr_ = LogisticRegression(C=self.C, max_iter=5000).fit(Z, y)
        return self

    def _z(self, X):
        return self.sc_.transform(self.imp_.transform(X[self.cols_].to_numpy(float)))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.lr_.predict_proba(self._z(X))[:, 1]

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        c = self._z(X) * self.lr_.coef_[0]
        out = pd.DataFrame(c, columns=self.cols_, index=X.index)
        out["_bias"] = self.lr_.intercept_[0]
        return out


@dataclass
class GBM:
    """LightGBM classifier (deterministic, single-threaded) with TreeSHAP contributions."""

    n_estimators: int = 300
    learning_rate: float = 0.03
    num_leaves: int = 7
    min_child_samples: int = 30
    seed: int = 0
    features: list[str] | None = None
    name: str = "gbm"

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> "GBM":
        import lightgbm as lgb

        self.cols_ = self.features or list(X.columns)
        self.m_ = lgb.LGBMClassifier(
            n_estimators=self.n_estimators, learning_rate=self.learning_rate,
            num_leaves=self.num_leaves, min_child_samples=self.min_child_samples,
            subsample=0.8, subsample_freq=1, colsample_bytree=0.8, reg_lambda=1.0,
            random_state=self.seed, deterministic=True, force_row_wise=True, n_jobs=1, verbose=-1)
        self.m_.fit(X[self.cols_].astype(float), y)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.m_.predict_proba(X[self.cols_].astype(float))[:, 1]

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        c = self.m_.predict_proba(X[self.cols_].astype(float), pred_contrib=True)
        return pd.DataFrame(c, columns=self.cols_ + ["_bias"], index=X.index)


@dataclass
class Ensemble:
    """Logit + GBM stacked by a logistic calibrator on forward-chained out-of-time predictions.

    The training years are cut into ``blocks`` contiguous blocks; for k = 1..blocks-1 both
    learners are fitted on blocks < k and predict block k; the calibrator is fitted on those
    predictions (logit scale), then the learners are refitted on the whole window.
    """

    logit: Logit = field(default_factory=Logit)
    gbm: GBM = field(default_factory=GBM)
    blocks: int = 4
    name: str = "ensemble"

    def fit(self, X: pd.DataFrame, y: np.ndarray, years: np.ndarray) -> "Ensemble":
        edges = np.quantile(np.unique(years), np.linspace(0, 1, self.blocks + 1))
        blk = np.clip(np.searchsorted(edges, years, side="right") - 1, 0, self.blocks - 1)
        Z, T = [], []
        for k in range(1, self.blocks):
            tr, te = blk < k, blk == k
            if y[tr].sum() < 5 or te.sum() == 0 or y[tr].min() == y[tr].max():
                continue
            lo = Logit(**_params(self.logit)).fit(X[tr], y[tr])
            gb = GBM(**_params(self.gbm)).fit(X[tr], y[tr])
            Z.append(np.c_[_logit(lo.predict(X[te])), _logit(gb.predict(X[te]))])
            T.append(y[te])
        self.logit.fit(X, y)
        self.gbm.fit(X, y)
        if Z and np.concatenate(T).sum() > 0:
            self.cal_ = LogisticRegression(C=1.0, max_iter=2000).fit(np.vstack(Z), np.concatenate(T))
            self.w_ = self.cal_.coef_[0]
            self.b_ = self.cal_.intercept_[0]
        else:  # too few events for stacking: plain average on the logit scale
            self.w_, self.b_ = np.array([0.5, 0.5]), 0.0
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        z = self.b_ + self.w_[0] * _logit(self.logit.predict(X)) + self.w_[1] * _logit(self.gbm.predict(X))
        return _sig(z)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        a = self.logit.contributions(X) * self.w_[0]
        b = self.gbm.contributions(X) * self.w_[1]
        out = a.add(b, fill_value=0.0)
        out["_bias"] += self.b_
        return out


def _params(m) -> dict:
    return {k: v for k, v in m.__dict__.items() if not k.endswith("_") and k != "name"}


@dataclass
class Climatology:
    """Training base rate for every row."""

    name: str = "climatology"

    def fit(self, X, y):
        self.p_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.p_)

    def score(self, X):
        """Raw score: a constant (no ranking)."""
        return np.zeros(len(X))


@dataclass
class Persistence:
    """Event in year t (column ``col``) mapped to the training conditional event frequency."""

    col: str = "event_t"
    name: str = "persistence"

    def fit(self, X, y):
        e = X[self.col].fillna(0).to_numpy() > 0
        base = float(np.mean(y))
        self.p1_ = float(np.mean(y[e])) if e.any() else base
        self.p0_ = float(np.mean(y[~e])) if (~e).any() else base
        return self

    def predict(self, X):
        return np.where(X[self.col].fillna(0).to_numpy() > 0, self.p1_, self.p0_)

    def score(self, X):
        """Raw score: the event in t (0/1)."""
        return (X[self.col].fillna(0).to_numpy() > 0).astype(float)


@dataclass
class History:
    """Recency score 1/(1 + years since last event) -> probability by a one-variable logit."""

    col: str = "conf_recency"
    name: str = "history"

    def fit(self, X, y):
        self.m_ = LogisticRegression(C=1e4, max_iter=2000).fit(X[[self.col]].fillna(0).to_numpy(), y)
        return self

    def predict(self, X):
        return self.m_.predict_proba(X[[self.col]].fillna(0).to_numpy())[:, 1]

    def score(self, X):
        """Raw score: recency 1/(1 + years since the last event), 0 if none."""
        return X[self.col].fillna(0).to_numpy(float)


class NoCoverage(ValueError):
    """A baseline whose input series does not cover the rows it must fit or forecast."""


@dataclass
class BattleDeaths:
    """Intensity baseline: last year's log battle deaths ``log(1 + BRD_t)`` (column ``col``, UCDP
    battle-related deaths located in the state in year t, as published by the end of t) mapped to
    a probability by a one-variable logistic fit on the training rows the series covers.

    The series starts in 1989: training rows before are left out of the fit; a forecast row
    without it, or a fit window without both classes, is a :class:`NoCoverage` error."""

    col: str = "bd_log_t"
    name: str = "battle_deaths"

    def fit(self, X, y):
        ok = X[self.col].notna().to_numpy()
        if len(np.unique(y[ok])) < 2:
            raise NoCoverage(f"{self.name}: the training rows with {self.col} ({int(ok.sum())}) lack both classes")
        self.m_ = LogisticRegression(C=1e4, max_iter=2000).fit(X.loc[ok, [self.col]].to_numpy(), y[ok])
        return self

    def _x(self, X):
        x = X[[self.col]]
        if x[self.col].isna().any():
            raise NoCoverage(f"{self.name}: {int(x[self.col].isna().sum())} forecast rows without {self.col}")
        return x.to_numpy()

    def predict(self, X):
        return self.m_.predict_proba(self._x(X))[:, 1]

    def score(self, X):
        """Raw score: log(1 + battle deaths in t)."""
        return self._x(X)[:, 0].astype(float)


def pitf(C: float = 1.0) -> Logit:
    """PITF-style logistic: regime type with factionalism, infant mortality relative to the yearly
    median, >= 4 bordering states in conflict, discrimination (near-unpenalised)."""
    return Logit(C=C * 1e3, features=list(PITF_FEATURES), name="pitf")
