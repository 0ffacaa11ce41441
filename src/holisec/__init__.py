"""holisec: an open holistic security risk observatory.

Turns public, aggregate country-level indicator data into a transparent composite risk
index (higher = more risk), its audit and early warnings. The Python API mirrors the CLI::

    import holisec as hs
    fw = hs.load_framework("holistic")            # holisec framework show
    store = hs.open_store()                        # --store > $HOLISEC_STORE > default; a new store
                                                   # is filled from the shipped data (holisec data load --shipped)
    store.coverage(fw)                             # holisec data coverage
    result = hs.build_from_store(store)            # holisec build
    result.rank(2019)                              # holisec rank --year 2019
    hs.audit_result(result)                        # holisec audit
    hs.run_uncertainty(store, n=1000, seed=0)      # holisec uncertainty --n 1000 --seed 0 --out u.xlsx
    hs.sensitivity(store, method="sobol", n=256)   # holisec sensitivity --method sobol
    hs.balances(result)                            # holisec balance
    hs.coordination(result)                        # holisec coordination
    hs.obstacle_table(result, "NGA")               # holisec obstacles NGA
    hs.estimate_links(result)                      # holisec linkage estimate
    hs.run_scenario(result, "scenario.yaml")       # holisec scenario run scenario.yaml
"""
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("holisec")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+src"

from holisec.framework import Framework, load_framework  # noqa: E402

# name -> "module" or "module:attribute": imported on first use, so ``import holisec`` stays light
_LAZY = {
    "Store": "holisec.data.store",
    "load_shipped": "holisec.data.shipped",
    "to_panel": "holisec.data.panel",
    "to_long": "holisec.data.panel",
    "Recipe": "holisec.pipeline",
    "build": "holisec.pipeline",
    "default_recipe": "holisec.pipeline",
    "read_coinr": "holisec.pipeline",
    "Result": "holisec.pipeline",
    "open_store": "holisec.index",
    "build_from_store": "holisec.index",
    "stored_build": "holisec.index",
    "audit_result": "holisec.index",
    # not ``uncertainty``: that name is the subpackage holisec.uncertainty once it is imported
    "run_uncertainty": "holisec.uncertainty.api:uncertainty",
    "sensitivity": "holisec.uncertainty.api",
    "UncertaintySpec": "holisec.uncertainty.spec",
    "balances": "holisec.holistic.balances",
    "coordination": "holisec.holistic.coordination",
    "obstacle_table": "holisec.holistic.obstacles",
    "estimate_links": "holisec.holistic.linkage",
    "dematel": "holisec.holistic.dematel",
    "Scenario": "holisec.holistic.scenario",
    "run_scenario": "holisec.holistic.scenario",
    "cascade": "holisec.holistic.cascade",
    "cascade_band": "holisec.holistic.cascade",
}


def __getattr__(name: str):
    if name in _LAZY:
        module, _, attribute = _LAZY[name].partition(":")
        return getattr(import_module(module), attribute or name)
    raise AttributeError(f"module 'holisec' has no attribute {name!r}")


__all__ = ["__version__", "Framework", "load_framework", *_LAZY]
