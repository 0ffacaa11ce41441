"""The Python API mirrors the CLI: the same figures through ``import holisec as hs``."""
import holisec as hs


def test_python_api_mirrors_cli(tmp_path):
    fw = hs.load_framework("holistic")
    assert len([g for g in fw.groups if g.parent == fw.root]) == 11
    store = hs.Store(tmp_path / "s.duckdb")
    reports = hs.load_shipped(store)
    assert sum(r.rows_added for r in reports) > 100_000
    cov = store.coverage(fw)
    assert set(cov["indicator"]) == set(fw.indicator_ids)
    result = hs.build_from_store(store)
    assert result.vintage.startswith("ingest ")
    ranking = result.rank(2019)
    assert ranking["rank"].iloc[0] == 1
    rebuilt = result.rebuild(recipe=hs.default_recipe())
    assert rebuilt.scores.equals(result.scores)
    assert "index" in {r for r in hs.audit_result(result, period=2019, importance="none").reliability["parent"]}


def test_every_lazy_name_is_what_it_says_even_after_its_subpackage_is_imported():
    """``hs.uncertainty`` used to be the API function until ``holisec.uncertainty`` (the package)
    was imported, then a module ('module' object is not callable); the function is ``run_uncertainty``."""
    import importlib

    importlib.import_module("holisec.uncertainty")
    importlib.import_module("holisec.holistic")
    for name in hs.__all__:
        if name not in ("__version__", "Framework"):
            obj = getattr(hs, name)
            assert callable(obj), name
    from holisec.uncertainty.api import uncertainty

    assert hs.run_uncertainty is uncertainty
