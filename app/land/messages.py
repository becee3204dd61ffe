"""Thai (and, through the catalogue, English) words for the refusals of footprints and reference layers."""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import ServiceError, ValidationError, coded_error, coded_message
from gis.errors import GisError
from gis.footprints import FootprintError


def _footprint_messages() -> dict[str, str]:
    return {
        "not_polygon": _("ขอบเขตชุมชนต้องเป็นรูปหลายเหลี่ยม (GeoJSON Polygon หรือ MultiPolygon) ไม่ใช่ %(kind)s"),
        "bad_coordinates": _("พิกัดของขอบเขตไม่ถูกต้อง: แต่ละจุดต้องเป็น [ลองจิจูด, ละติจูด] ที่เป็นตัวเลข"),
        "broken_ring": _("ขอบเขตมีวงที่มีมุมไม่ถึงสามมุม จึงไม่เป็นรูปหลายเหลี่ยม: วาดใหม่"),
        "too_many_vertices": _("ขอบเขตมีจุดยอดมากเกินไป (ไม่เกิน %(limit)s จุด): ลดรายละเอียดก่อนส่ง"),
        "too_many_parts": _("ขอบเขตมีหลายส่วนเกินไป (ไม่เกิน %(limit)s ส่วน)"),
        "swapped": _("ลองจิจูดและละติจูดของขอบเขตน่าจะสลับกัน (ประเทศไทยอยู่ราวลองจิจูด 100 ละติจูด 13)"),
        "outside_thailand": _("ขอบเขตชุมชนอยู่นอกประเทศไทย (ทั้งหมดหรือบางส่วน)"),
        "invalid_ring": _("ขอบเขตไม่ถูกต้องและซ่อมให้ไม่ได้ (%(reason)s): วาดเส้นขอบใหม่ไม่ให้ตัดกันเอง"),
        "ambiguous_ring": _("เส้นขอบตัดกันเอง (%(reason)s) ซ่อมได้หลายแบบ ระบบจึงไม่เดา: วาดเส้นขอบใหม่"),
        "too_small": _("ขอบเขตเล็กกว่า 1 ตารางวา: ตรวจหน่วยหรือพิกัด"),
        "too_large": _("ขอบเขตกว้าง %(rai)s ไร่ เกิน %(limit)s ไร่ ซึ่งใหญ่เกินกว่าจะเป็นชุมชนเดียว: ตรวจพิกัดหรือระบบพิกัด"),
        "far_from_point": _("ขอบเขตอยู่ห่างจากตำแหน่งของกรณี %(metres)s เมตร (ไม่เกิน %(limit)s เมตร): "
                            "ย้ายหมุดหรือตรวจขอบเขต"),
    }


def _layer_messages() -> dict[str, str]:
    return {
        "no_polygon": _("ไฟล์ไม่มีรูปหลายเหลี่ยม (Polygon) เลย: ชั้นข้อมูลที่ดินต้องเป็นแปลงที่ดิน"),
        "mixed_geometry": _("ไฟล์มีรูปร่างที่ไม่ใช่รูปหลายเหลี่ยม %(count)s รายการ (เช่นแถวที่ %(rows)s เป็น %(kind)s): "
                            "ส่งเฉพาะแปลงที่ดิน"),
        "missing_geometry": _("แถวที่ %(rows)s ไม่มีรูปร่าง"),
        "parcel_invalid": _("แปลงแถวที่ %(row)s มีเส้นขอบที่ตัดกันเองหรือเสีย (%(reason)s) ซ่อมให้ไม่ได้: แก้ไฟล์แล้วส่งใหม่"),
        "parcel_too_many_vertices": _("แปลงแถวที่ %(row)s มีจุดยอด %(count)s จุด เกิน %(limit)s จุด"),
        "too_many_parcels": _("ไฟล์มีแปลงมากเกินไป (ไม่เกิน %(limit)s แปลงต่อชั้น)"),
        "too_many_vertices": _("ไฟล์มีจุดยอดรวมมากเกินไป (ไม่เกิน %(limit)s จุด)"),
        "outside_thailand": _("แปลงแถวที่ %(rows)s อยู่นอกประเทศไทย: ตรวจระบบพิกัดของไฟล์ (ถ้าไม่มี .prj ให้ระบุ crs)"),
        "one_polygon": _("ไฟล์ขอบเขตชุมชนต้องมีรูปหลายเหลี่ยมเพียงรายการเดียว (พบ %(count)s รายการ)"),
        "kml_bad": _("ไฟล์นี้ไม่ใช่ KML ที่อ่านได้"),
        "too_many_columns": _("ตารางข้อมูลมีคอลัมน์มากเกินไป (ไม่เกิน %(limit)s คอลัมน์)"),
    }


def footprint_error(exc: FootprintError) -> ValidationError:
    """A 422 naming the field `footprint`, its message in the user's language."""
    message = coded_message(exc, _footprint_messages())
    return ValidationError(message, [{"field": "footprint", "message": message, "reason": exc.code}])


def land_error(exc: GisError) -> ServiceError | None:
    """The 4xx for a footprint or reference-layer refusal (codes of their own), or None for any other
    GIS error (`app.errors.gis_error` asks here first, then maps the rest)."""
    from gis.exchange.errors import ExchangeError

    if isinstance(exc, FootprintError):
        return footprint_error(exc)
    if not isinstance(exc, ExchangeError):
        return None
    messages = _layer_messages()
    return coded_error(exc, messages) if exc.code in messages else None
