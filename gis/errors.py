"""Errors raised by the GIS core; the web layer maps them to 4xx responses."""

from __future__ import annotations

from typing import Any


class GisError(Exception):
    """Input that the GIS core refuses, with a message fit for the user."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
