"""HTML → PDF with WeasyPrint, from Jinja2 templates shipped in the package.

The fonts come from ``fonts/`` through ``@font-face`` with ``file://`` URLs, so Vietnamese
diacritics render the same on any machine that has Pango (Debian ``libpango-1.0-0``,
``libpangoft2-1.0-0``), whatever system fonts it has. Templates autoescape: unit names and the
decision header are user text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from dti.reports.format import format_number, format_score

__all__ = ["FONT_DIR", "TEMPLATE_DIR", "font_faces", "render_html", "render_pdf"]

FONT_DIR = Path(__file__).parent / "fonts"
TEMPLATE_DIR = Path(__file__).parent / "templates"
FAMILY = "DTI Serif"
_FACES = (
    ("DejaVuSerif.ttf", "normal", "normal"),
    ("DejaVuSerif-Bold.ttf", "bold", "normal"),
    ("DejaVuSerif-Italic.ttf", "normal", "italic"),
)


def font_faces() -> str:
    """``@font-face`` rules for the shipped fonts."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{(FONT_DIR / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in _FACES
    )


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["score"] = format_score
_env.filters["number"] = format_number


def render_html(template: str, **context: Any) -> str:
    return _env.get_template(template).render(font_faces=font_faces(), family=FAMILY, **context)


def render_pdf(template: str, **context: Any) -> bytes:
    """Render a template to PDF bytes."""
    import weasyprint

    html = render_html(template, **context)
    pdf = weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
