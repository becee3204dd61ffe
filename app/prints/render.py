"""HTML to PDF with WeasyPrint: offline (nothing is fetched), Thai fonts from fontconfig, embedded.

The templates carry their CSS inline and the maps as inline SVG, so a print needs no URL at
all; the fetcher refuses every one, which also keeps any text from the database from making
the server request anything.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from flask import Response, render_template

from app.prints import thai_text


@cache
def _no_fetch() -> type:
    """A URL fetcher that refuses every URL: prints are self-contained. (WeasyPrint is imported on the
    first print, not with the app: the job worker and most web workers never need its 1.5 s and memory.)"""
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None) -> Any:  # type: ignore[override]
            raise ValueError("prints fetch nothing")

    return NoFetch


def render_pdf(template: str, **context: object) -> bytes:
    """Render `template` (a templates/print/*.html page) to PDF bytes."""
    from weasyprint import HTML

    thai_text.install()  # once (it checks): WeasyPrint's Thai glyph mapping fixed before the first font
    html = render_template(template, **context)
    return HTML(string=html, url_fetcher=_no_fetch()(), media_type="print").write_pdf()


def safe_filename(*parts: str) -> str:
    """An ASCII file name from the parts (`map-north-A4-2569-12-01.pdf`)."""
    text = "-".join(p for p in parts if p)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return (re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "print")[:100] + ".pdf"


def pdf_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
