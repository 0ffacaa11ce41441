"""Reports as self-contained HTML (inline SVG charts drawn by matplotlib, inline CSS) and PDF
(WeasyPrint renders the same HTML). Every chart states its scale: 0-100, higher = more risk.
"""
from __future__ import annotations

import io
import math

from jinja2 import Environment, PackageLoader, select_autoescape

_env = Environment(loader=PackageLoader("holisec.report", "templates"), autoescape=select_autoescape(["html"]))
_env.filters["num"] = lambda v, d=1: "–" if v is None else f"{v:.{d}f}"


def _svg(fig) -> str:
    """A matplotlib figure as inline SVG markup (no external references)."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "none"})
    return plt


def radar_svg(domains: list[dict], title: str) -> str:
    plt = _plt()
    doms = [d for d in domains if d["score"] is not None]
    if len(doms) < 3:
        return "<p class='na'>Too few domain scores for a radar chart.</p>"
    angles = [2 * math.pi * i / len(doms) for i in range(len(doms))]
    vals = [d["score"] for d in doms]
    fig = plt.figure(figsize=(4.6, 4.0))
    ax = fig.add_subplot(projection="polar")
    ax.plot(angles + angles[:1], vals + vals[:1], color="#b4232a", lw=1.8)
    ax.fill(angles + angles[:1], vals + vals[:1], color="#b4232a", alpha=0.2)
    ax.set_xticks(angles)
    ax.set_xticklabels([d["name"].replace(" security", "") for d in doms], fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100])
    ax.set_title(title, fontsize=9)
    return _svg(fig)


def trend_svg(trends: dict, index_code: str, title: str) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.2, 3.0))
    for code, values in trends["series"].items():
        y = [math.nan if v is None else v for v in values]
        main = code == index_code
        ax.plot(trends["periods"], y, lw=2.4 if main else 0.8, color="#b4232a" if main else "#8aa4c8",
                label="index" if main else None, zorder=3 if main else 2)
    ax.plot([], [], lw=0.8, color="#8aa4c8", label="domains")
    ax.set_ylim(0, 100)
    ax.set_ylabel("0-100, higher = more risk")
    ax.set_title(title, fontsize=9)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return _svg(fig)


def ranking_svg(rows: list[dict], title: str, n: int = 25) -> str:
    plt = _plt()
    top = rows[:n][::-1]
    fig, ax = plt.subplots(figsize=(6.2, 0.18 * len(top) + 0.8))
    ax.barh([r.get("name") or r["entity"] for r in top], [r["score"] for r in top], color="#b4232a")
    ax.set_xlim(0, 100)
    ax.set_xlabel("index 0-100, higher = more risk")
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(title, fontsize=9)
    return _svg(fig)


def profile_html(profile: dict) -> str:
    """The country profile report (from :func:`holisec.report.profile.country_profile`)."""
    charts = {"radar": radar_svg(profile["domains"], f"Domains {profile['year']} (0-100, higher = more risk)"),
              "trend": trend_svg(profile["trends"], profile["index"]["code"], "Index and domains over time")}
    return _env.get_template("profile.html").render(p=profile, charts=charts)


def index_html(summary: dict, audit: str | None = None) -> str:
    """The index report (from :func:`holisec.report.summary.index_summary`), with the audit text."""
    chart = ranking_svg(summary["ranking"], f"Highest risk {summary['year']}")
    return _env.get_template("index.html").render(s=summary, chart=chart, audit=audit)


def to_pdf(html: str) -> bytes:
    """PDF bytes of a report's HTML (WeasyPrint; needs Debian's pango, see .ci/run)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()
