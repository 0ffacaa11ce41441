"""The README's five-minute tour, run as written from an empty home folder outside the repository."""
import json
import re
import shlex
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from holisec.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def tour_commands() -> list[list[str]]:
    """The ``holisec ...`` lines of the tour's bash block, comments stripped."""
    text = README.read_text()
    block = re.search(r"## Five-minute tour\n+```bash\n(.*?)```", text, flags=re.S).group(1)
    return [shlex.split(line, comments=True)[1:] for line in block.splitlines() if line.startswith("holisec ")]


def test_the_tour_covers_every_area():
    firsts = {tuple(c[:2]) if c and c[0] in ("framework", "data", "warn") else (c[0],) for c in tour_commands()}
    assert {("framework", "show"), ("data", "load"), ("data", "coverage"), ("data", "sources"), ("build",),
            ("rank",), ("audit",), ("warn", "alerts"), ("warn", "show"), ("warn", "forecast"),
            ("warn", "evaluate")} <= firsts


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """A new user: empty HOME and XDG_DATA_HOME, no HOLISEC_STORE, working in a folder of their own."""
    home = tmp_path / "home"
    work = home / "work"
    work.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("HOLISEC_STORE", raising=False)
    monkeypatch.chdir(work)
    return work


def test_readme_tour_runs_as_written(empty_home):
    outputs = {}
    for args in tour_commands():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            res = CliRunner().invoke(app, args)
        stray = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught if issubclass(w.category, RuntimeWarning)]
        assert not stray, (args, stray)  # no "Mean of empty slice" & co. in a normal run
        assert res.exit_code == 0, (args, res.output)
        assert "Traceback" not in res.output and "np.float64" not in res.output, args
        outputs[" ".join(args)] = res.output
    store = empty_home.parent / ".local" / "share" / "holisec" / "store.duckdb"
    assert store.exists() and not (empty_home / ".holisec").exists()  # the one default store, not the folder
    index = pd.read_parquet(empty_home / "index.parquet")
    assert {"name", "raw", "imputed", "imputed_share", "obs_period", "recipe_hash"} <= set(index.columns)
    top = pd.read_excel(empty_home / "top.xlsx", sheet_name=None)
    assert len(top["table"]) == 20 and top["table"]["rank"].iloc[0] == 1
    fc = pd.read_csv(empty_home / "fc.csv")
    assert len(fc) > 100 and fc["probability"].between(0, 1).all()
    rank = outputs["rank --year 2019 --top 20"]
    assert "Scores 0-100, higher = more risk; min-max over all 186 countries and years 1990-2024" in rank
    assert "Screening dropped 62 of 248 countries" in rank and "2019: of the" in rank
    assert "subnational framework" in outputs["rank --year 2019 --entity-type region --top 10"]
    assert "Levels (convergent rule)" in outputs["warn alerts --year 2023 --level red"]
    assert "Verdict (dev): target" in outputs["warn evaluate --target conflict_onset --no-tune --origins 2011-2014 "
                                        "--bootstrap 100"]
    first, then = outputs["warn show UKR"], outputs["warn show Ukraine"]
    assert first.startswith("UKR Ukraine: ") and "Onset forecasts" not in first
    assert then.startswith("UKR Ukraine: ") and "Onset forecasts of UKR" in then  # after `warn forecast --save`
    fc_ukr = json.loads(CliRunner().invoke(app, ["warn", "show", "UKR", "--json"]).stdout)["forecasts"]
    assert [(f["target"], f["target_years"]) for f in fc_ukr] == [("conflict_onset", "2024")]
