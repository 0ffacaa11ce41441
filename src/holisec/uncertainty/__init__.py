"""Uncertainty and sensitivity analysis of the index (Monte Carlo, Sobol', Morris, Dask).

``spec`` (uncertain inputs, validated against the recipe) -> ``montecarlo`` (replications as an
array dimension through the pipeline steps) -> ``sensitivity`` (Sobol' indices, Morris) ->
``charts``; ``distributed`` runs the same on Dask.
"""
from holisec.uncertainty.montecarlo import UncertaintyResult, run
from holisec.uncertainty.spec import Plan, SpecError, UncertaintySpec

__all__ = ["Plan", "SpecError", "UncertaintyResult", "UncertaintySpec", "run"]
