"""The Python API of ``holisec uncertainty`` / ``holisec sensitivity``: from the store, like the CLI."""
from __future__ import annotations


def _from_store(store, framework, recipe, as_of, entity_type):
    from holisec.framework import load_framework
    from holisec.index import entity_groups, framework_panel, vintage_label
    from holisec.pipeline import default_recipe

    fw = load_framework(framework or ("subnational" if entity_type == "region" else "holistic"))
    panel = framework_panel(store, fw, as_of=as_of, entity_type=entity_type)
    return (recipe if recipe is not None else default_recipe(), panel, fw,
            entity_groups(store, entity_type), vintage_label(store, as_of))


def uncertainty(store, spec="default", *, framework=None, recipe=None, as_of=None, entity_type="country", **kw):
    """:func:`holisec.uncertainty.run` on the store's data (``holisec uncertainty``); ``kw``: ``n``,
    ``seed``, ``periods``, ``memory``, ``scheduler``, ``progress``."""
    from holisec.uncertainty.montecarlo import run

    rec, panel, fw, groups, vintage = _from_store(store, framework, recipe, as_of, entity_type)
    return run(spec, rec, panel, fw, entity_groups=groups, vintage=vintage, **kw)


def sensitivity(store, spec="default", *, method="sobol", framework=None, recipe=None, as_of=None,
                entity_type="country", **kw):
    """:func:`holisec.uncertainty.sensitivity.sensitivity` on the store's data (``holisec sensitivity``)."""
    from holisec.uncertainty.sensitivity import sensitivity as run

    rec, panel, fw, groups, vintage = _from_store(store, framework, recipe, as_of, entity_type)
    return run(spec, rec, panel, fw, method=method, entity_groups=groups, vintage=vintage, **kw)
