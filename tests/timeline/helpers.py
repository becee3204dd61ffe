"""Shared helpers of the time tests."""

from tests.pilot_areas.support import login

__all__ = ["login"]
