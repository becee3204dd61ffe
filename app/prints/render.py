"""HTML to PDF with WeasyPrint: offline (nothing is fetched), Thai fonts from fontconfig, embedded.

The templates carry their CSS inline and the maps as inline SVG, so a print needs no URL at
all; the fetcher refuses every one, which also keeps any text from the database from making
the server request anything.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Response, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from app.prints import thai_text

thai_text.install()


class _NoFetch(URLFetcher):
    """Refuse every URL: prints are self-contained."""

    def fetch(self, url: str, headers: dict | None = None):  # type: ignore[override]
        raise ValueError("prints fetch nothing")


def render_pdf(template: str, **context: object) -> bytes:
    """Render `template` (a templates/print/*.html page) to PDF bytes."""
    html = render_template(template, **context)
    return HTML(string=html, url_fetcher=_NoFetch(), media_type="print").write_pdf()


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
