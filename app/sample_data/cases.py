"""The ~300 sample land cases: attributes and status histories, drawn from a seeded generator.

Everything here is fictional and labelled so: community names are generic, contact
people carry the surname "ตัวอย่าง" ("example") and phone numbers start with 000.
Status histories follow the workflow (reported -> surveying -> negotiating -> agreed ->
secured, with stalls, evictions and closures) and never pass today.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

FIRST_DAY = date(2009, 10, 1)  # fiscal year 2553 B.E.
LAST_DAY = date(2026, 9, 30)  # end of fiscal year 2569 B.E.
SAMPLE_NOTE = "ข้อมูลตัวอย่าง (สมมติ) สำหรับทดลองใช้ระบบ ไม่ใช่ข้อมูลจริง"

URBAN_PLACES = ["ริมคลอง", "ริมทางรถไฟ", "หลังวัด", "ท่าน้ำ", "ใต้สะพาน", "ตลาดเก่า", "ริมแม่น้ำ", "หลังตลาด",
                "ริมคูเมือง", "ริมทะเล", "ท่าเรือ", "หัวแหลม", "ริมบึง"]
URBAN_SUFFIXES = ["สามัคคี", "ร่วมใจ", "พัฒนา", "เจริญสุข", "มั่นคง", "ร่มเย็น", "สุขใจ", "ก้าวหน้า", "ใหม่",
                  "เก่า", " 1", " 2", " 3", "สามัคคีพัฒนา", "ร่วมใจพัฒนา"]
VILLAGES = ["หนองบัว", "โนนสูง", "ดอนตาล", "ป่าไผ่", "ท่าทราย", "คลองใหม่", "ห้วยทราย", "บ่อแก้ว", "นาดี",
            "ทุ่งใหญ่", "วังน้ำเย็น", "หนองแวง", "โคกสว่าง", "แม่ลาน", "ห้วยยาง", "บางเตย", "ท่าเรือ", "หาดทราย",
            "เขาแก้ว", "ควนเนียง"]
FIRST_NAMES = ["สมชาย", "สมศรี", "บุญมี", "มาลี", "ประเสริฐ", "สุนีย์", "วิชัย", "อำพร", "ทองดี", "จันทร์เพ็ญ",
               "สายสุนีย์", "ณรงค์", "ปราณี", "สุรพล", "กาญจนา", "ยุพิน", "อับดุลเลาะ", "รอกีเยาะ", "คำปุ่น", "แสงเดือน"]
TITLES = ["นาย", "นาง", "นางสาว"]

OWNERS_URBAN = {"treasury": 20, "state_railway": 15, "crown_property": 8, "marine": 8, "temple": 10,
                "local_government": 10, "private": 22, "other": 7}
OWNERS_RURAL = {"forest": 28, "alro": 18, "marine": 10, "treasury": 10, "temple": 6, "local_government": 10,
                "private": 12, "other": 6}
OWNER_NAMES = {
    "treasury": ["กรมธนารักษ์ (ที่ราชพัสดุ)"], "state_railway": ["การรถไฟแห่งประเทศไทย"],
    "crown_property": ["สำนักงานทรัพย์สินพระมหากษัตริย์"], "marine": ["กรมเจ้าท่า"],
    "forest": ["กรมป่าไม้", "กรมอุทยานแห่งชาติ สัตว์ป่า และพันธุ์พืช"], "temple": ["ที่ธรณีสงฆ์"],
    "local_government": ["เทศบาล", "องค์การบริหารส่วนตำบล"], "alro": ["สำนักงานการปฏิรูปที่ดินเพื่อเกษตรกรรม"],
    "private": ["เอกชน (ไม่เปิดเผยชื่อ)"], "other": ["การท่าเรือแห่งประเทศไทย", "กรมทางหลวง", "กรมชลประทาน"],
}
PROBLEMS_BY_OWNER = {
    "state_railway": {"eviction_threat": 5, "public_works": 4, "lease_expired": 2},
    "private": {"eviction_threat": 6, "lease_expired": 3, "other": 1},
    "forest": {"no_tenure_document": 7, "eviction_threat": 2, "disaster": 1},
    "marine": {"no_tenure_document": 5, "disaster": 3, "public_works": 1},
    "alro": {"no_tenure_document": 6, "other": 1},
    "treasury": {"lease_expired": 5, "no_tenure_document": 3, "eviction_threat": 1},
    "crown_property": {"lease_expired": 6, "eviction_threat": 2},
    "temple": {"lease_expired": 4, "no_tenure_document": 3},
    "local_government": {"public_works": 4, "no_tenure_document": 3, "eviction_threat": 2},
    "other": {"public_works": 4, "eviction_threat": 3, "other": 2},
}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def status_path(rng: random.Random, opened: date, today: date) -> list[tuple[str, str, date]]:
    """Status changes (old, new, date) of one case from `opened` up to `today`."""
    changes: list[tuple[str, str, date]] = []
    status, when, stalled_at = "reported", opened, None
    forward = {"reported": ("surveying", 60, 400), "surveying": ("negotiating", 180, 900),
               "negotiating": ("agreed", 300, 1800), "agreed": ("secured", 365, 1500)}
    while True:
        if status in forward:
            nxt, low, high = forward[status]
            roll = rng.random()
            if roll < 0.16:
                nxt = "stalled"
            elif roll < 0.19 and status in ("surveying", "negotiating", "agreed"):
                nxt = "evicted"
            elif roll < 0.205 and status != "agreed":
                nxt = "closed"
        elif status == "stalled":
            nxt, low, high = (stalled_at or "surveying"), 180, 900
            nxt = "surveying" if nxt == "reported" else nxt
            if rng.random() < 0.45:
                return changes
        elif status == "evicted":
            if rng.random() < 0.6:
                return changes
            nxt, low, high = rng.choice(["closed", "negotiating", "negotiating"]), 90, 540
        elif status == "secured":
            if rng.random() < 0.93:
                return changes
            nxt, low, high = "closed", 365, 1500
        else:
            return changes
        when = when + _days(rng, low, high)
        if when > today:
            return changes
        if nxt == "stalled":
            stalled_at = status
        changes.append((status, nxt, when))
        status = nxt


def _name(rng: random.Random, urban: bool, used: set[str]) -> str:
    for _ in range(50):
        if urban:
            name = f"ชุมชน{rng.choice(URBAN_PLACES)}{rng.choice(URBAN_SUFFIXES)}"
        else:
            name = f"ชุมชนบ้าน{rng.choice(VILLAGES)}" + rng.choice(["", "", " หมู่ " + str(rng.randint(1, 12))])
        if name not in used:
            used.add(name)
            return name
    number = 2
    while f"{name} {number}" in used:
        number += 1
    used.add(f"{name} {number}")
    return f"{name} {number}"


def build_cases(anchors: list[tuple[str, bool]], count: int, seed: int, today: date) -> list[dict[str, Any]]:
    """`count` sample cases spread over `anchors` (subdistrict code, urban?), with histories."""
    rng = random.Random(seed)
    used: set[str] = set()
    last = min(LAST_DAY, today)  # a fixed end: the same sample whenever it is loaded (after FY 2569)
    span = (last - FIRST_DAY).days
    cases = []
    for n in range(1, count + 1):
        code, urban = anchors[(n - 1) % len(anchors)] if n <= len(anchors) else rng.choice(anchors)
        owner_type = _pick(rng, OWNERS_URBAN if urban else OWNERS_RURAL)
        if code.startswith("1033"):  # Khlong Toei: most land belongs to the port
            owner_type = rng.choice(["other", "other", "treasury", "private"])
        if code == "840503":  # Ko Tao: island communities on marine and forest land
            owner_type = rng.choice(["marine", "forest"])
        land_owner = rng.choice(OWNER_NAMES[owner_type])
        if code.startswith("1033") and owner_type == "other":
            land_owner = "การท่าเรือแห่งประเทศไทย"
        households = int(min(450, max(8, rng.lognormvariate(4.0 if urban else 3.6, 0.6))))
        opened = FIRST_DAY + timedelta(days=int(span * rng.random() ** 0.6))  # more cases in recent years
        path = status_path(rng, opened, last)
        cases.append({
            "n": n, "subdistrict_code": code,
            "code": f"LC-S{n:05d}",
            "community_name": _name(rng, urban, used),
            "households": households,
            "population": int(households * rng.uniform(3.1, 4.6)),
            "land_owner_type": owner_type, "land_owner": land_owner,
            "problem": _pick(rng, PROBLEMS_BY_OWNER[owner_type]),
            "status": path[-1][1] if path else "reported",
            "area_type": "urban" if urban else "rural",
            "opened_on": opened.isoformat(),
            "updated_on": (path[-1][2] if path else opened).isoformat(),
            "team": "ทีมงานที่ดิน ส่วนกลาง" if rng.random() < 0.1 else None,
            "contact_name": f"{rng.choice(TITLES)}{rng.choice(FIRST_NAMES)} ตัวอย่าง",
            "contact_phone": f"000-000-{n:04d}",
            "notes": SAMPLE_NOTE,
            "history": [(old, new, when.isoformat()) for old, new, when in path],
        })
    return cases
