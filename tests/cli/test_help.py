"""Every command and every option of the ``holisec`` CLI explains itself; --version works."""
import typer
from typer.testing import CliRunner

import holisec
from holisec.cli import app


def _walk(cmd, path: tuple[str, ...] = ()):
    yield path, cmd
    if hasattr(cmd, "commands"):  # a group (typer vendors click)
        for name, sub in cmd.commands.items():
            yield from _walk(sub, (*path, name))


def test_every_command_and_option_has_help():
    root = typer.main.get_command(app)
    seen, missing = 0, []
    for path, cmd in _walk(root):
        if path and not (cmd.help or cmd.short_help):
            missing.append(" ".join(path))
        for p in cmd.params:
            seen += 1
            if p.name == "help":
                continue
            if not getattr(p, "help", None):
                missing.append(f"{' '.join(path) or 'holisec'} {'/'.join(p.opts)}")
    assert seen > 60 and not missing, missing


def test_version():
    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"holisec {holisec.__version__}"
