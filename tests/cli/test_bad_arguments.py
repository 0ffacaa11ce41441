"""Every command with bad arguments: one line naming the problem, exit code 2, never a traceback."""
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from holisec.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "x.json").write_text('{"a": 1}')
    (d / "not_a_store.duckdb").write_text("a,b\n1,2\n")
    (d / "folder").mkdir()
    (d / "one.csv").write_text("country,year,indicator,value\nFrance,2020,x,1\n")
    (d / "broken.yaml").write_text("id: [\n")
    (d / "lines.yaml").write_text("index: 45\n")
    return d


def cases(d, s):
    """(arguments, words the error must contain)."""
    return [
        (["data", "load", f"{d}/x.json", "--store", s], "unsupported format '.json'"),
        (["data", "load", f"{d}/folder", "--store", s], "is a folder"),
        (["data", "load", f"{d}/missing.csv", "--store", s], "file not found"),
        (["data", "coverage", "--store", f"{d}/not_a_store.duckdb"], "not a holisec store"),
        (["data", "coverage", "--store", f"{d}/folder"], "is a directory"),
        (["data", "coverage", "--store", f"{d}/no/such/folder/s.duckdb"], "does not exist"),
        (["data", "coverage", "--store", s, "--framework", f"{d}/broken.yaml"], "YAML"),
        (["framework", "show", f"{d}/folder"], "is a folder"),
        (["framework", "check", f"{d}/broken.yaml"], "YAML"),
        (["framework", "check", f"{d}/missing.yaml"], "no such file"),
        (["build", "--store", s, "--out", f"{d}/folder"], "is a folder"),
        (["build", "--store", s, "--out", f"{d}/r.txt"], "unsupported format '.txt'"),
        (["build", "--store", s, "--out", f"{d}/nofolder/r.csv"], "does not exist"),
        (["build", "--store", s, "--out", f"{d}/r.csv", "--recipe", "nosuch"], "not a built-in recipe"),
        (["build", "--store", s, "--out", f"{d}/r.csv", "--recipe", f"{d}/broken.yaml"], "cannot parse"),
        (["build", "--idata", f"{d}/folder", "--imeta", f"{d}/one.csv", "--out", f"{d}/r.csv"], "is a folder"),
        (["build", "--idata", f"{d}/one.csv", "--out", f"{d}/r.csv"], "go together"),
        (["rank", "--store", s, "--year", "2019", "--domain", "nosuch"], "not in framework"),
        (["rank", "--store", s, "--year", "2019", "--entity-type", "planet"], "--entity-type"),
        (["rank", "--store", s, "--year", "2019", "--out", f"{d}/folder"], "is a folder"),
        (["audit", "--store", s, "--importance", "bogus"], "--importance"),
        (["audit", "--idata", f"{d}/x.json", "--imeta", f"{d}/one.csv"], "unsupported format"),
        (["warn", "alerts", "--store", s, "--level", "purple"], "--level"),
        (["warn", "alerts", "--store", s, "--kind", "planet"], "--kind"),
        (["warn", "alerts", "--store", s, "--thresholds", f"{d}/folder"], "is a folder"),
        (["warn", "alerts", "--store", s, "--thresholds", f"{d}/broken.yaml"], "YAML"),
        (["warn", "alerts", "--store", s, "--thresholds", f"{d}/lines.yaml"], "amber: A, red: R"),
        (["warn", "alerts", "--store", s, "--out", f"{d}/a.json"], "unsupported format"),
        (["warn", "show", "XXX", "--store", s], "unknown country 'XXX'"),
        (["warn", "show", "germny", "--store", s], "did you mean Germany"),
        (["warn", "show", "DEU", "--store", s, "--forecasts", f"{d}/folder"], "is a folder"),
        (["warn", "show", "DEU", "--store", s, "--level", "purple"], "--level"),
        (["warn", "forecast", "--target", "nope", "--origin", "2010", "--out", f"{d}/f.csv"], "unknown --target"),
        (["warn", "forecast", "--target", "coup", "--origin", "2100", "--out", f"{d}/f.csv", "--store", s],
         "beyond the data"),
        (["warn", "forecast", "--target", "coup", "--origin", "2010", "--out", f"{d}/folder"], "is a folder"),
        (["warn", "forecast", "--target", "coup", "--origin", "2010", "--out", f"{d}/f.csv", "--model", "x"],
         "unknown --model"),
        (["warn", "evaluate", "--outcomes", f"{d}/x.json"], "unsupported format"),
        (["warn", "evaluate", "--target", "nope"], "unknown --target"),
        (["warn", "evaluate", "--out-dir", f"{d}/one.csv"], "is a file"),
    ]


def _check(res, words):
    assert "Traceback" not in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert words in res.output, res.output
    assert "np.float" not in res.output and "np.int" not in res.output, res.output


def test_numpy_reprs_never_reach_a_message():
    import numpy as np

    from holisec.cli.common import plain_numbers

    text = f"period(s) {[np.int64(1800)]} not in data; shares {[np.float64(0.5), np.float32(2.0)]}"
    assert plain_numbers(text) == "period(s) [1800] not in data; shares [0.5, 2.0]"


def test_no_traceback_on_bad_arguments(files, shipped_store):
    for args, words in cases(files, shipped_store):
        _check(runner.invoke(app, args), words)


def test_usage_errors_say_what_is_wrong_in_one_line(files, shipped_store):
    res = runner.invoke(app, ["warn", "show", "germny", "--store", shipped_store])
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unknown country 'germny'")
    assert res.stdout == ""


def test_a_year_without_scores_is_an_error_not_an_empty_table(shipped_store):
    _check(runner.invoke(app, ["warn", "alerts", "--store", shipped_store, "--year", "1800"]),
           "no scores for that year; the index covers 1990-")


def test_a_locked_store_is_a_clear_error(shipped_store):
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ok', flush=True); time.sleep(60)", shipped_store], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        for args in (["data", "coverage", "--store", shipped_store],
                     ["warn", "show", "DEU", "--store", shipped_store],
                     ["data", "load", "--shipped", "--store", shipped_store]):
            _check(runner.invoke(app, args), "is locked")
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)


def test_the_entry_point_turns_an_unexpected_error_into_one_line(monkeypatch, capsys):
    import holisec.cli as cli

    def boom(*a, **k):
        raise RuntimeError("something broke")

    monkeypatch.setattr(cli, "app", boom)
    monkeypatch.delenv("HOLISEC_DEBUG", raising=False)
    with pytest.raises(SystemExit) as ex:
        cli.main()
    assert ex.value.code == 1
    err = capsys.readouterr().err
    assert "unexpected RuntimeError: something broke" in err and "Traceback" not in err
