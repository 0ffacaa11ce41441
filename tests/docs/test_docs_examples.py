"""The docs' examples are the shipped example files, and their commands run as written."""
import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from holisec.cli import app

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = r"\n```[a-z]*\n(.*?)```"


def _examples(text: str) -> dict[str, str]:
    return dict(re.findall(r"<!-- example: (\S+) -->" + FENCE, text, flags=re.S))


def _commands(text: str, name: str) -> list[list[str]]:
    block = re.search(rf"<!-- run: {name} -->" + FENCE, text, flags=re.S).group(1)
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("holisec ")]


def test_shown_examples_are_the_files_in_docs_examples():
    shown = {k: v for doc in sorted(DOCS.glob("*.md")) for k, v in _examples(doc.read_text()).items()}
    assert set(shown) == {f"examples/{p.name}" for p in (DOCS / "examples").iterdir()}
    for name, body in shown.items():
        assert (DOCS / name).read_text() == body, name


@pytest.fixture
def docs_copy(tmp_path, monkeypatch):
    shutil.copytree(DOCS / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOLISEC_STORE", str(tmp_path / "store.duckdb"))
    return tmp_path


def test_input_format_commands_run_as_written(docs_copy):
    commands = _commands((DOCS / "data.md").read_text(), "input-formats")
    assert len(commands) == 6
    for args in commands:
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, (args, res.output)
    mini = pd.read_csv(docs_copy / "mini.csv").set_index(["entity", "period", "code"])
    # what the docs say about mini.csv: Italy's 2022 crime rate is its 2021 value carried forward
    ita = mini.loc[("ITA", 2022, "my_crime")]
    assert ita["imputed"] and ita["obs_period"] == 2021 and pd.isna(ita["raw"])
    assert mini.loc[("ITA", 2021, "my_crime"), "raw"] == 0.6 and mini.loc[("ITA", 2021, "my_crime"), "name"] == "Italy"
    assert mini["value"].between(0, 100).all()
    coinr = pd.read_csv(docs_copy / "coinr.csv").set_index(["entity", "code"])
    # min-max of crime over (2.2, 1.1, 0.6, 0.8): France 100, Italy 0
    assert coinr.loc[("FRA", "crime"), "value"] == 100 and coinr.loc[("ITA", "crime"), "value"] == 0


def test_excel_is_read_like_csv(docs_copy):
    pd.read_csv("examples/long.csv").to_excel("long.xlsx", index=False)
    res = CliRunner().invoke(app, ["data", "load", "long.xlsx", "--source", "my_excel", "--json"])
    assert res.exit_code == 0, res.output
    assert '"rows_added": 11' in res.output
