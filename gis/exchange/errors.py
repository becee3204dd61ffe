"""Errors of the exchange core: a stable code (translated by the web layer), an HTTP-ish status."""

from __future__ import annotations

from typing import Any

from gis.errors import GisError


class ExchangeError(GisError):
    """A file or request the exchange core refuses.

    `code` names the problem (the web layer maps it to a Thai/English message with
    `params`); `message` is an English fallback; `status` is 400 (bad file), 413
    (too large, zip bomb) or 415 (unsupported format).
    """

    def __init__(self, code: str, message: str, *, status: int = 400, details: list[dict[str, Any]] | None = None,
                 **params: Any) -> None:
        super().__init__(message, details)
        self.code = code
        self.status = status
        self.params = params
