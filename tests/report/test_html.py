"""The self-contained HTML report builder."""

from __future__ import annotations

import base64

import pytest

from steerbound.report.html import HtmlReport, figure_png, format_value, status


def test_sections_tables_and_figures_render_escaped_and_embedded() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    fig.add_subplot().plot([0, 1], [1, 0])
    png = figure_png(fig)
    assert png.startswith(b"\x89PNG")
    report = HtmlReport("a <b> title", "intro & more")
    section = report.section("one", "First")
    section.text("x < y").table(
        ["k", "v"], [["nan", float("nan")], ["flag", True], ["x", 0.123456]]
    )
    section.figure(png, "caption <i>")
    section.markup(status(False))
    text = report.render()
    assert "a &lt;b&gt; title" in text and "x &lt; y" in text and "caption &lt;i&gt;" in text
    assert base64.b64encode(png).decode() in text
    assert "<td>—</td>" in text and "<td>yes</td>" in text and "<td>0.1235</td>" in text
    assert 'class="bad"' in text and '<a href="#one">First</a>' in text
    with pytest.raises(ValueError, match="duplicate"):
        report.section("one", "Again")


def test_format_value() -> None:
    assert format_value(None) == "—" and format_value(float("nan")) == "—"
    assert format_value(3) == "3" and format_value(False) == "no"
    assert format_value(1234.5678, digits=3) == "1.23e+03"
