"""Keep share-link tokens out of every log: `/s/<token>` is written as `/s/***`.

gunicorn.conf.py selects `TokenMaskingLogger` for the access log; the Flask app's and
werkzeug's loggers get `TokenFilter` (installed by the sharing blueprint).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

# a share path at the start of a value, after a space (request line) or after a host (referrer)
_SHARE_PATH = re.compile(r"(^|\s|//[^/\s]+)/s/[^/?#\s\"]+")


def mask_tokens(value: str) -> str:
    """Replace the token of every share path in `value` by `***`."""
    return _SHARE_PATH.sub(r"\1/s/***", value)


class TokenMaskingLogger(GunicornLogger):
    """gunicorn's logger with share tokens masked in every access-log atom and error message."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, TokenFilter) for f in self.error_log.filters):
            self.error_log.addFilter(TokenFilter())

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}


class TokenFilter(logging.Filter):
    """A logging filter that masks share tokens in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_token_filter(app: Any) -> None:
    """Attach the filter to the app's logger and to werkzeug's request log (once)."""
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger("gunicorn.error")):
        if not any(isinstance(f, TokenFilter) for f in logger.filters):
            logger.addFilter(TokenFilter())
