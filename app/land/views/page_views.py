"""Land pages: conflicts and overlaps by region, the summary by overlay owner type, footprint uploads."""

from __future__ import annotations
