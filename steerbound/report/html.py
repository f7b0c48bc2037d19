"""A self-contained HTML report: sections of text, tables, preformatted blocks and figures.

Figures are embedded as base64 PNG (``data:`` URIs), styles are inline, nothing is fetched: the
file can be mailed or archived on its own. Every text is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #444}h2{border-bottom:1px solid #bbb;margin-top:2em}
table{border-collapse:collapse;margin:0.8em 0;font-size:0.88em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f0f0f0}
td:first-child,th:first-child{text-align:left}
pre{background:#f7f7f7;padding:0.6em;overflow-x:auto;font-size:0.8em}
figure{margin:1em 0}figcaption{font-size:0.88em;color:#444}img{max-width:100%}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}
nav li{display:inline;margin-right:1em}
"""


def figure_png(fig: Any, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib ``Figure``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def format_value(value: Any, digits: int = 4) -> str:
    """Numbers to ``digits`` significant digits, booleans as yes/no, None/NaN as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "—" if value != value else f"{value:.{digits}g}"
    return str(value)


@dataclass
class Section:
    """One ``<h2>`` section; ``parts`` are already-rendered HTML fragments."""

    anchor: str
    title: str
    parts: list[str] = field(default_factory=list)

    def text(self, paragraph: str) -> Section:
        self.parts.append(f"<p>{html.escape(paragraph)}</p>")
        return self

    def markup(self, fragment: str) -> Section:
        """Raw trusted HTML (used for status badges built by this module's callers)."""
        self.parts.append(fragment)
        return self

    def pre(self, text: str) -> Section:
        self.parts.append(f"<pre>{html.escape(text)}</pre>")
        return self

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[Any]], digits: int = 4
    ) -> Section:
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
        body = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(format_value(v, digits))}</td>" for v in row)
            + "</tr>"
            for row in rows
        )
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        return self

    def figure(self, png: bytes, caption: str, alt: str | None = None) -> Section:
        data = base64.b64encode(png).decode("ascii")
        self.parts.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt or caption)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
        return self


@dataclass
class HtmlReport:
    """A titled report made of :class:`Section` s, rendered with a table of contents."""

    title: str
    intro: str = ""
    sections: list[Section] = field(default_factory=list)

    def section(self, anchor: str, title: str) -> Section:
        if any(s.anchor == anchor for s in self.sections):
            raise ValueError(f"duplicate section anchor {anchor!r}")
        section = Section(anchor, title)
        self.sections.append(section)
        return section

    def render(self) -> str:
        toc = "".join(
            f'<li><a href="#{html.escape(s.anchor)}">{html.escape(s.title)}</a></li>'
            for s in self.sections
        )
        body = "".join(
            f'<section id="{html.escape(s.anchor)}"><h2>{html.escape(s.title)}</h2>'
            + "".join(s.parts)
            + "</section>"
            for s in self.sections
        )
        intro = f"<p>{html.escape(self.intro)}</p>" if self.intro else ""
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1>{intro}<nav><ul>{toc}</ul></nav>{body}</body></html>"
        )


def status(ok: bool | None, yes: str = "holds", no: str = "violated") -> str:
    """A coloured status word as an HTML fragment."""
    if ok is None:
        return "<span>—</span>"
    return f'<span class="{"ok" if ok else "bad"}">{html.escape(yes if ok else no)}</span>'
