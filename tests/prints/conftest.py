"""Helpers for the print tests: reading PDFs with poppler-utils (`map_data` lives in tests/conftest.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} missing: install poppler-utils (make test installs it)")
    return path


def searchable(text: str) -> str:
    """Text as a PDF reader searches it: NFKC (SARA AM = NIKHAHIT + SARA AA), NIKHAHIT before a
    tone mark (HarfBuzz's order), no white space (pdftotext breaks lines and cells)."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("([\u0e48-\u0e4b])\u0e4d", "\u0e4d\\1", text)
    return re.sub(r"\s+", "", text)


class Pdf:
    """A PDF answer, with its text (`pdftotext`), fonts (`pdffonts`) and page size (`pdfinfo`)."""

    def __init__(self, body: bytes, tmp: Path) -> None:
        assert body.startswith(b"%PDF-"), body[:200]
        self.path = tmp / "print.pdf"
        self.path.write_bytes(body)
        self.text = subprocess.run([_tool("pdftotext"), "-raw", str(self.path), "-"], check=True,
                                   capture_output=True, text=True).stdout
        self.flat = searchable(self.text)
        self.fonts = subprocess.run([_tool("pdffonts"), str(self.path)], check=True, capture_output=True,
                                    text=True).stdout
        self.info = subprocess.run([_tool("pdfinfo"), str(self.path)], check=True, capture_output=True,
                                   text=True).stdout

    def has(self, words: str) -> bool:
        return searchable(words) in self.flat

    @property
    def pages(self) -> int:
        return int(re.search(r"Pages:\s+(\d+)", self.info).group(1))

    @property
    def size(self) -> tuple[int, int]:
        match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", self.info)
        return round(float(match.group(1))), round(float(match.group(2)))


@pytest.fixture()
def pdf(tmp_path):
    """`pdf(response)`: check it is a PDF answer and read it."""
    def read(response) -> Pdf:
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        assert response.mimetype == "application/pdf"
        return Pdf(response.data, tmp_path)

    return read
