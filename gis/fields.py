"""The field lists of land cases, pilot areas and funds, and their vocabularies.

One definition serves the API, the forms, import and export: the JSON name,
the shapefile name (at most 10 characters), the type, the labels and whether a
field is sensitive or derived.
"""

from __future__ import annotations

from dataclasses import dataclass

Choices = dict[str, tuple[str, str]]  # machine name -> (Thai label, English label)
MAX_MONEY = 10**14 - 0.01  # Numeric(16, 2)

CASE_STATUSES: Choices = {
    "reported": ("รับเรื่อง", "Reported"),
    "surveying": ("สำรวจข้อมูล", "Surveying"),
    "negotiating": ("เจรจา", "Negotiating"),
    "agreed": ("ได้ข้อตกลง", "Agreed"),
    "secured": ("มั่นคงแล้ว", "Secured"),
    "stalled": ("ติดขัด", "Stalled"),
    "evicted": ("ถูกไล่รื้อ", "Evicted"),
    "closed": ("ปิดเรื่อง", "Closed"),
}
STATUS_COLOURS = {
    "reported": "#6c757d",
    "surveying": "#17a2b8",
    "negotiating": "#fd7e14",
    "agreed": "#6f42c1",
    "secured": "#28a745",
    "stalled": "#ffc107",
    "evicted": "#dc3545",
    "closed": "#343a40",
}
LAND_OWNER_TYPES: Choices = {
    "treasury": ("กรมธนารักษ์", "Treasury Department"),
    "state_railway": ("การรถไฟแห่งประเทศไทย", "State Railway"),
    "crown_property": ("สำนักงานทรัพย์สินพระมหากษัตริย์", "Crown Property Bureau"),
    "marine": ("กรมเจ้าท่า", "Marine Department"),
    "forest": ("ที่ป่า", "Forest land"),
    "temple": ("ที่วัด", "Temple land"),
    "local_government": ("องค์กรปกครองส่วนท้องถิ่น", "Local government"),
    "alro": ("ส.ป.ก.", "Agricultural Land Reform Office"),
    "private": ("เอกชน", "Private owner"),
    "other": ("อื่น ๆ", "Other"),
}
# the colour of each land owner type on every map and print (reference parcels, legends)
OWNER_COLOURS = {
    "treasury": "#b8860b", "state_railway": "#8b0000", "crown_property": "#6a0dad", "marine": "#1e90ff",
    "forest": "#228b22", "temple": "#ff8c00", "local_government": "#2f4f4f", "alro": "#9acd32",
    "private": "#808080", "other": "#a0522d",
}
PROBLEMS: Choices = {
    "eviction_threat": ("ถูกคุกคามไล่รื้อ", "Eviction threat"),
    "lease_expired": ("สัญญาเช่าหมดอายุ", "Lease expired"),
    "no_tenure_document": ("ไม่มีเอกสารสิทธิ์", "No tenure document"),
    "public_works": ("โครงการพัฒนาของรัฐ", "Public works"),
    "disaster": ("ภัยพิบัติ", "Disaster"),
    "other": ("อื่น ๆ", "Other"),
}
AREA_TYPES: Choices = {"urban": ("เมือง", "Urban"), "rural": ("ชนบท", "Rural")}
AGREEMENT_TYPES: Choices = {
    "lease": ("เช่า", "Lease"),
    "purchase": ("ซื้อที่ดิน", "Purchase"),
    "land_sharing": ("แบ่งปันที่ดิน", "Land sharing"),
    "relocation": ("ย้ายไปที่ใหม่", "Relocation"),
    "cooperative_lease": ("เช่าในนามสหกรณ์", "Cooperative lease"),
    "other": ("อื่น ๆ", "Other"),
}
PILOT_STAGES: Choices = {
    "analysis": ("วิเคราะห์", "Analysis"),
    "planning": ("วางแผน", "Planning"),
    "implementing": ("ดำเนินการ", "Implementing"),
    "scaling": ("ขยายผล", "Scaling"),
}
FUND_LEVELS: Choices = {
    "community": ("ชุมชน", "Community"),
    "city": ("เมือง", "City"),
    "province": ("จังหวัด", "Province"),
    "region": ("ภาค", "Region"),
    "national": ("ชาติ", "National"),
}
REVIEW_VERDICTS: Choices = {
    "approved": ("เห็นชอบ", "Approved"),
    "needs_changes": ("ต้องปรับปรุง", "Needs changes"),
}
ROLES: Choices = {
    "admin": ("ผู้ดูแลระบบ", "Administrator"),
    "land_team": ("ทีมงานที่ดิน", "Land team"),
    "architect": ("สถาปนิก", "Architect"),
    "policy": ("งานประสานนโยบาย", "Policy staff"),
    "viewer": ("ผู้อ่านอย่างเดียว", "Viewer"),
}


@dataclass(frozen=True)
class Field:
    """One attribute of a record as every interface sees it."""

    name: str
    shp: str
    kind: str  # text, int, float, bool, date, datetime, enum
    label_th: str
    label_en: str
    required: bool = False
    choices: Choices | None = None
    sensitive: bool = False
    derived: bool = False
    max_length: int | None = None
    minimum: int | float | None = None  # numbers: the smallest and largest value accepted
    maximum: int | float | None = None
    max_future_days: int | None = 366  # dates: how far ahead of today (None: no limit)
    # where the field goes, declared here rather than listed in each module:
    sortable: bool = False  # a list may be ordered by it (`sort=`)
    filterable: bool = False  # a list filter of its own: `name=a,b` (vocabularies), `name=from/to` (dates)
    on_map: bool = False  # a property of the signed-in map's features
    public: bool = False  # also on shared (public) maps: never for contacts, notes or disputes
    in_tiles: bool = False  # a property of the vector tiles' points

    def __post_init__(self) -> None:
        if len(self.shp) > 10:
            raise ValueError(f"shapefile name too long: {self.shp}")
        if self.sensitive and (self.public or self.on_map or self.in_tiles):
            raise ValueError(f"a sensitive field is never on a map or in tiles: {self.name}")
        if self.filterable and self.kind not in ("enum", "date"):
            raise ValueError(f"only vocabularies and dates can be list filters: {self.name}")


def _derived_admin(**flags: tuple[str, ...]) -> list[Field]:
    """The admin areas derived from a point; `flags` name the fields each flag is set on."""
    fields = [
        ("subdistrict_code", "subd_code", "รหัสตำบล", "Subdistrict code"),
        ("district_code", "dist_code", "รหัสอำเภอ", "District code"),
        ("province_code", "prov_code", "รหัสจังหวัด", "Province code"),
        ("region_code", "region", "ภาค", "Region"),
    ]
    return [Field(name, shp, "text", th, en, derived=True, **{flag: name in names for flag, names in flags.items()})
            for name, shp, th, en in fields]


CASE_FIELDS: list[Field] = [
    Field("id", "id", "int", "ลำดับ", "ID", derived=True, sortable=True, on_map=True, in_tiles=True),
    Field("code", "code", "text", "รหัสกรณี", "Case code", max_length=32,
          sortable=True, on_map=True, public=True, in_tiles=True),
    Field("community_name", "comm_name", "text", "ชื่อชุมชน", "Community name", required=True, max_length=200,
          sortable=True, on_map=True, public=True, in_tiles=True),
    Field("community_name_en", "comm_en", "text", "ชื่อชุมชน (อังกฤษ)", "Community name (English)", max_length=200,
          sortable=True, on_map=True, public=True, in_tiles=True),
    Field("households", "househlds", "int", "จำนวนครัวเรือน", "Households", required=True,
          minimum=0, maximum=1_000_000, sortable=True, on_map=True, public=True, in_tiles=True),
    Field("population", "populatn", "int", "จำนวนประชากร", "Population", minimum=0, maximum=10_000_000,
          sortable=True, on_map=True),
    Field("land_owner_type", "owner_type", "enum", "ประเภทเจ้าของที่ดิน", "Land owner type", choices=LAND_OWNER_TYPES,
          on_map=True, public=True),
    Field("land_owner", "owner", "text", "เจ้าของที่ดิน", "Land owner", max_length=200, on_map=True),
    Field("problem", "problem", "enum", "ปัญหา", "Problem", choices=PROBLEMS, on_map=True, public=True),
    Field("status", "status", "enum", "สถานะ", "Status", choices=CASE_STATUSES,
          sortable=True, on_map=True, public=True, in_tiles=True),
    Field("area_type", "area_type", "enum", "เมือง/ชนบท", "Urban/rural", choices=AREA_TYPES,
          on_map=True, public=True),
    *_derived_admin(sortable=("province_code", "region_code"), on_map=("province_code",),
                    in_tiles=("province_code",)),
    Field("opened_on", "opened_on", "date", "วันที่รับเรื่อง", "Opened on", sortable=True, on_map=True),
    Field("team", "team", "text", "ทีมรับผิดชอบ", "Team", max_length=200),
    Field("agreement_type", "agreement", "enum", "รูปแบบข้อตกลง", "Agreement type", choices=AGREEMENT_TYPES,
          filterable=True, on_map=True),
    Field("lease_expires_on", "lease_exp", "date", "วันสิ้นสุดสัญญาเช่า", "Lease expires on", max_future_days=None,
          sortable=True, filterable=True, on_map=True),
    Field("contact_name", "cont_name", "text", "ชื่อผู้ติดต่อ", "Contact name", sensitive=True, max_length=200),
    Field("contact_phone", "cont_phone", "text", "โทรศัพท์ผู้ติดต่อ", "Contact phone", sensitive=True, max_length=50),
    Field("notes", "notes", "text", "หมายเหตุ", "Notes", max_length=5000),
    Field("is_sample", "is_sample", "bool", "ข้อมูลตัวอย่าง", "Sample data", in_tiles=True),
    Field("version", "version", "int", "รุ่นของข้อมูล", "Version", derived=True),
    Field("updated_at", "updated_at", "datetime", "แก้ไขล่าสุด", "Updated at", derived=True, sortable=True),
]

PILOT_AREA_FIELDS: list[Field] = [
    Field("id", "id", "int", "ลำดับ", "ID", derived=True),
    Field("subdistrict_code", "subd_code", "text", "รหัสตำบล", "Subdistrict code", required=True, on_map=True),
    Field("district_code", "dist_code", "text", "รหัสอำเภอ", "District code", derived=True),
    Field("province_code", "prov_code", "text", "รหัสจังหวัด", "Province code", derived=True),
    Field("region_code", "region", "text", "ภาค", "Region", derived=True),
    Field("name_th", "name_th", "text", "ชื่อพื้นที่", "Name", max_length=200),
    Field("team", "team", "text", "ทีมรับผิดชอบ", "Team", max_length=200, on_map=True),
    Field("architect", "architect", "text", "สถาปนิก", "Architect", max_length=200, on_map=True),
    Field("stage", "stage", "enum", "ขั้นตอน", "Stage", choices=PILOT_STAGES, on_map=True, public=True),
    Field("targets", "targets", "text", "เป้าหมาย", "Targets", max_length=5000),
    Field("notes", "notes", "text", "หมายเหตุ", "Notes", max_length=5000),
    Field("case_count", "case_count", "int", "จำนวนกรณี", "Cases", derived=True, on_map=True),
    Field("households", "househlds", "int", "จำนวนครัวเรือน", "Households", derived=True, on_map=True),
    Field("fund_count", "fund_count", "int", "จำนวนกองทุน", "Funds", derived=True),
    Field("is_sample", "is_sample", "bool", "ข้อมูลตัวอย่าง", "Sample data"),
    Field("version", "version", "int", "รุ่นของข้อมูล", "Version", derived=True),
]

FUND_FIELDS: list[Field] = [
    Field("id", "id", "int", "ลำดับ", "ID", derived=True),
    Field("name", "name", "text", "ชื่อกองทุน", "Fund name", required=True, max_length=200,
          on_map=True, public=True),
    Field("level", "level", "enum", "ระดับ", "Level", required=True, choices=FUND_LEVELS,
          on_map=True, public=True),
    Field("members", "members", "int", "จำนวนสมาชิก", "Members", minimum=0, on_map=True, public=True),
    Field("capital_baht", "capital", "float", "เงินทุน (บาท)", "Capital (baht)", minimum=0,
          maximum=MAX_MONEY, on_map=True),
    Field("established_on", "estab_on", "date", "วันที่ก่อตั้ง", "Established on", on_map=True),
    Field("network", "network", "text", "เครือข่าย", "Network", max_length=200, on_map=True, public=True),
    Field("notes", "notes", "text", "หมายเหตุ", "Notes", max_length=5000),
    *_derived_admin(),
    Field("is_sample", "is_sample", "bool", "ข้อมูลตัวอย่าง", "Sample data"),
    Field("version", "version", "int", "รุ่นของข้อมูล", "Version", derived=True),
]

LAYER_FIELDS = {"cases": CASE_FIELDS, "pilot-areas": PILOT_AREA_FIELDS, "funds": FUND_FIELDS}


def flagged(fields: list[Field], flag: str) -> list[Field]:
    """The fields with `flag` set (`sortable`, `filterable`, `on_map`, `public`, `in_tiles`)."""
    return [f for f in fields if getattr(f, flag)]


def visible_fields(fields: list[Field], *, with_sensitive: bool) -> list[Field]:
    """Return the fields a caller may see."""
    return [f for f in fields if with_sensitive or not f.sensitive]


def label(choices: Choices, value: str | None, lang: str = "th") -> str:
    """Return the Thai or English label of a vocabulary value."""
    if value is None or value not in choices:
        return value or ""
    return choices[value][0 if lang == "th" else 1]
