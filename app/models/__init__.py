"""Database models; importing this package registers every table."""

from app.models.boundary import District, Province, Subdistrict
from app.models.fund import Fund
from app.models.history import CaseEdit, Document, HistoryEntry, StatusMove
from app.models.job import Job
from app.models.land import CaseLand, FootprintOverlap, LandOverlap, ReferenceLayer, ReferenceParcel
from app.models.land_case import LandCase
from app.models.pilot_area import PilotArea, PilotReview
from app.models.region import Region, RegionProvince
from app.models.share_link import ShareLink
from app.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "CaseEdit",
    "District",
    "Document",
    "Fund",
    "HistoryEntry",
    "CaseLand",
    "FootprintOverlap",
    "Job",
    "LandCase",
    "LandOverlap",
    "PilotArea",
    "PilotReview",
    "Province",
    "ReferenceLayer",
    "ReferenceParcel",
    "Region",
    "RegionProvince",
    "ShareLink",
    "StatusMove",
    "Subdistrict",
    "User",
]
