"""Statistical audit of a composite index (JRC COIN style), as pure functions over arrays.

Inputs are ``scores`` (dims ``entity, period, code``: normalised indicators and
aggregates, higher = more risk), the framework ``tree`` and optionally the raw panel.
:func:`audit` runs everything and returns an :class:`AuditReport`.
"""
from holisec.audit.correlation import correlation_matrix, cross_level, within_group
from holisec.audit.coverage import coverage, coverage_summary
from holisec.audit.correlation_importance import correlation_importance, correlation_ratio
from holisec.audit.effective import effective_weights
from holisec.audit.importance import leave_one_out, rank_shift, summarise_importance
from holisec.audit.pca import pca, pca_eigen
from holisec.audit.reliability import cronbach_alpha, reliability
from holisec.audit.report import AuditReport, audit
from holisec.audit.validity import external_validity, summarise_validity

__all__ = [
    "AuditReport", "audit",
    "coverage", "coverage_summary",
    "correlation_matrix", "within_group", "cross_level",
    "cronbach_alpha", "reliability",
    "pca", "pca_eigen",
    "effective_weights", "correlation_importance", "correlation_ratio",
    "leave_one_out", "rank_shift", "summarise_importance",
    "external_validity", "summarise_validity",
]
