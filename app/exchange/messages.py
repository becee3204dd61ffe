"""Thai (and, through the catalogue, English) messages for the exchange core's error codes."""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import ServiceError, coded_error
from gis.exchange.errors import ExchangeError


def _messages() -> dict[str, str]:
    return {
        "bad_zip": _("ไฟล์นี้ไม่ใช่ไฟล์ zip ที่อ่านได้ หรือไฟล์เสียหาย"),
        "zip_unsafe_name": _("ไฟล์ zip มีชื่อไฟล์ที่ไม่ปลอดภัย (%(name)s): ปฏิเสธทั้งไฟล์"),
        "zip_symlink": _("ไฟล์ zip มีลิงก์สัญลักษณ์ (symlink) %(name)s: ปฏิเสธทั้งไฟล์"),
        "zip_encrypted": _("ไฟล์ zip มีไฟล์ที่เข้ารหัสไว้: ส่งไฟล์ที่ไม่ใส่รหัสผ่าน"),
        "zip_too_many_members": _("ไฟล์ zip มีไฟล์ข้างในมากเกินไป (%(count)s ไฟล์ รับได้ไม่เกิน %(limit)s)"),
        "zip_too_large": _("ไฟล์ zip เมื่อแตกออกมีขนาดใหญ่เกินกำหนด (ไม่เกิน %(limit)s ไบต์): อาจเป็น zip bomb"),
        "zip_bomb": _("ไฟล์ใน zip แตกออกมาใหญ่กว่าที่ระบุไว้ในไฟล์ (zip bomb): ปฏิเสธ"),
        "zip_member_too_large": _("ไฟล์ %(name)s ใน zip ใหญ่เกินไป"),
        "shp_missing": _("ไม่พบไฟล์ .shp ใน zip"),
        "shp_several": _("zip มี shapefile หลายชุด (%(names)s): ส่งทีละชุด"),
        "shp_incomplete": _("shapefile ไม่ครบ ขาด %(missing)s"),
        "shp_bad": _("ไฟล์ .shp ไม่ใช่ shapefile ที่ถูกต้อง"),
        "shp_no_prj": _("shapefile ไม่มีไฟล์ .prj จึงไม่รู้ระบบพิกัด: ใส่ .prj มาใน zip หรือระบุ crs เช่น "
                        "crs=EPSG:32647 (UTM 47N) หรือ crs=EPSG:4326"),
        "no_crs": _("ไฟล์ไม่ได้ระบุระบบพิกัด: ระบุ crs เช่น crs=EPSG:32647 หรือ crs=EPSG:4326"),
        "shp_not_zipped": _("ส่ง shapefile เป็นไฟล์ zip เดียวที่มี .shp .shx .dbf และ .prj"),
        "xlsx_bad": _("อ่านไฟล์ Excel (.xlsx) ไม่ได้ หรือไม่ใช่ไฟล์ .xlsx"),
        "xlsx_entities": _("ไฟล์ Excel นี้มีการประกาศ DOCTYPE/ENTITY ใน XML (%(name)s) ซึ่งไม่ปลอดภัย: ปฏิเสธ"),
        "encoding_unknown": _("ไฟล์ไม่ได้เข้ารหัสเป็น UTF-8 หรือ TIS-620: ใน Excel ให้บันทึกเป็น "
                              "'CSV UTF-8 (Comma delimited)' แล้วส่งใหม่"),
        "encoding_unknown_name": _("ไม่รู้จักการเข้ารหัส %(name)s ใช้ได้: utf-8, tis-620"),
        "encoding_mismatch": _("ไฟล์ไม่ได้เข้ารหัสเป็น %(encoding)s ตามที่ระบุ (ไบต์ที่ %(position)s)"),
        "cpg_unknown": _("ไฟล์ .cpg ระบุการเข้ารหัสที่ไม่รองรับ: %(name)s"),
        "csv_binary": _("ไฟล์นี้ไม่ใช่ไฟล์ข้อความ CSV"),
        "csv_bad": _("อ่านไฟล์ CSV ไม่ได้"),
        "csv_is_zip": _("ไฟล์นี้เป็น zip หรือ Excel ไม่ใช่ CSV"),
        "empty_file": _("ไฟล์ว่างเปล่า"),
        "no_rows": _("ไฟล์มีแต่หัวคอลัมน์ ไม่มีแถวข้อมูล: ตรวจว่าส่งไฟล์ถูกไฟล์"),
        "no_known_column": _("ไม่พบคอลัมน์ที่รู้จักในไฟล์ (พบ %(headings)s): ใช้ชื่อคอลัมน์ตามไฟล์ที่ส่งออกจากระบบ"),
        "too_many_rows": _("ไฟล์มีข้อมูลมากเกินไป (ไม่เกิน %(limit)s แถวต่อครั้ง)"),
        "duplicate_column": _("คอลัมน์ %(first)s และ %(second)s เป็นข้อมูลเดียวกัน (%(field)s): เก็บไว้คอลัมน์เดียว"),
        "format_unknown": _("ไม่รองรับไฟล์ชนิดนี้ ใช้ได้: %(allowed)s"),
        "not_zip": _("ไฟล์นี้ไม่ใช่ zip"),
        "gpkg_bad": _("ไฟล์นี้ไม่ใช่ GeoPackage ที่อ่านได้"),
        "gpkg_layers": _("GeoPackage มีหลายชั้นข้อมูล (%(layers)s): เหลือชั้นเดียว หรือระบุชื่อชั้น "
                         "(layer= ใน API หรือช่องชื่อชั้นข้อมูลในหน้านำเข้า)"),
        "geojson_bad": _("ไฟล์นี้ไม่ใช่ GeoJSON ที่อ่านได้"),
        "driver_mismatch": _("ไฟล์ไม่ใช่รูปแบบ %(expected)s ตามที่ระบุ"),
        "crs_bad": _("crs ต้องอยู่ในรูป EPSG:ตัวเลข เช่น EPSG:32647"),
        "crs_unknown": _("ไม่รู้จักระบบพิกัด %(value)s"),
        "crs_conflict": _("ไฟล์ระบุระบบพิกัด %(file)s แต่คำขอระบุ %(given)s: ตัดพารามิเตอร์ crs ออก"),
        "gdal_unsafe": _("ชื่อ %(value)s ไม่ได้รับอนุญาต"),
        "crs_not_name": _("crs ในไฟล์ต้องเป็นชื่อระบบพิกัด เช่น EPSG:32647 (ระบบไม่เปิดลิงก์หรือ URL ในไฟล์)"),
    }


def service_error(exc: ExchangeError) -> ServiceError:
    """The ServiceError (4xx) for an exchange error, its message in the user's language."""
    return coded_error(exc, _messages())
