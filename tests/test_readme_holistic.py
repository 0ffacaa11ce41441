"""The README's holistic block, run as written from a user's folder holding the example files."""
import re
import shlex
import shutil
from pathlib import Path

from typer.testing import CliRunner

from holisec.cli import app

ROOT = Path(__file__).resolve().parents[1]


def holistic_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"The holistic view .*?```bash\n(.*?)```", text, flags=re.S).group(1)
    return [shlex.split(line, comments=True)[1:] for line in block.splitlines() if line.startswith("holisec ")]


def test_readme_holistic_block_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default store (a temp XDG_DATA_HOME), filled on first use
    for name in ("matrix.csv", "scenario.yaml"):
        shutil.copy(ROOT / "docs" / "examples" / name, tmp_path / name)
    commands = holistic_commands()
    assert [c[0] for c in commands] == ["balance", "coordination", "obstacles", "linkage", "linkage", "linkage",
                                        "scenario", "cascade"]
    out = {}
    for args in commands:
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, (args, res.output)
        assert "Traceback" not in res.output, args
        out[" ".join(args[:2])] = res.output
    assert (tmp_path / "links.html").stat().st_size > 1000
    assert "NGA" in out["scenario run"] and "fiscal squeeze in Nigeria" in out["scenario run"]
    assert "hi 95%" in out["cascade NGA"] and "P(rise)" in out["cascade NGA"]
    assert "driving" in out["linkage dematel"].lower()
