"""CLI end to end: holisec token / report / serve / demo --no-serve on the shipped data."""
from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
import urllib.request

from typer.testing import CliRunner

from holisec.cli import app

runner = CliRunner()


def test_token_create_list_revoke(writable):
    res = runner.invoke(app, ["token", "create", "--role", "analyst", "--name", "ci", "--store", writable, "--json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["role"] == "analyst" and rec["token"].startswith(f"hs_{rec['token_id']}_")
    listed = json.loads(runner.invoke(app, ["token", "list", "--store", writable, "--json"]).stdout)
    assert [t["status"] for t in listed] == ["active"] and "token" not in listed[0]
    assert runner.invoke(app, ["token", "revoke", rec["token_id"], "--store", writable]).exit_code == 0
    again = runner.invoke(app, ["token", "revoke", rec["token_id"], "--store", writable])
    assert again.exit_code == 2 and "no active token" in again.output
    bad = runner.invoke(app, ["token", "create", "--role", "root", "--store", writable])
    assert bad.exit_code == 2 and "role must be one of" in bad.output


def test_report_country_pdf_and_index_html(shipped_store, tmp_path):
    from pypdf import PdfReader

    pdf = tmp_path / "ken.pdf"
    res = runner.invoke(app, ["report", "KEN", "--year", "2019", "--format", "pdf", "--out", str(pdf), "--store", shipped_store])
    assert res.exit_code == 0, res.output
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Kenya (KEN)" in text and "2019" in text and "higher = more risk" in text and "Source" in text
    html = tmp_path / "index.html"
    res = runner.invoke(app, ["report", "index", "--year", "2019", "--out", str(html), "--store", shipped_store])
    assert res.exit_code == 0, res.output
    body = html.read_text()
    assert "Ranking 2019" in body and "Syria" in body and "<svg" in body and "Cronbach" in body
    bad = runner.invoke(app, ["report", "XXX", "--store", shipped_store])
    assert bad.exit_code == 2 and "unknown entity" in bad.output
    bad = runner.invoke(app, ["report", "KEN", "--format", "doc", "--store", shipped_store])
    assert bad.exit_code == 2 and "html or pdf" in bad.output


def test_uncertainty_save_then_reports_show_the_stored_intervals(writable, tmp_path):
    from pypdf import PdfReader

    html = tmp_path / "index.html"
    assert runner.invoke(app, ["report", "index", "--year", "2019", "--out", str(html), "--store", writable]).exit_code == 0
    assert "no uncertainty run is stored for this build yet: `holisec uncertainty --save --n 1000" in html.read_text()
    bad = runner.invoke(app, ["uncertainty", "--n", "3", "--store", writable])
    assert bad.exit_code == 2 and "--save" in bad.output
    res = runner.invoke(app, ["uncertainty", "--save", "--n", "3", "--seed", "4", "--period", "2019", "--store",
                              writable, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["out"] is None and len(out["run_id"]) == 20 and out["replications"] == 3
    assert runner.invoke(app, ["report", "index", "--year", "2019", "--out", str(html), "--store", writable]).exit_code == 0
    body = html.read_text()
    assert "5-95% rank interval over 3 replications of the choices in spec &#39;default&#39;" in body
    assert f"run {out['run_id']}" in body and "P(top 10)" in body
    pdf = tmp_path / "ken.pdf"
    res = runner.invoke(app, ["report", "KEN", "--year", "2019", "--format", "pdf", "--out", str(pdf), "--store", writable])
    assert res.exit_code == 0, res.output
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Rank uncertainty" in text and "rank interval" in text and "3 replications" in text


def test_serve_prints_the_url_and_the_token_command_and_answers(shipped_store):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", "from holisec.cli import app; app()", "serve", "--port", str(port),
                             "--store", shipped_store], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
        assert f"http://localhost:{port}/" in lines[0]
        assert "holisec token create --role admin" in lines[1]
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as r:
                    assert json.loads(r.read())["ok"] is True
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("server did not answer")
    finally:
        proc.terminate()
        proc.wait(timeout=30)

