"""Regional team scopes: the one check that a write stays inside the account's regions.

Reading stays national for every role. A limited account (``users.regions`` set) writes only
records whose derived ``region_code`` is one of its regions; a record with no region belongs
to national accounts. Admins and system callers (``user is None``: the CLI, sample data) are
national. Services call `check_scope` after they know the record's region, inside their
transaction, so a refusal rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import Forbidden
from app.extensions import db


class OutOfScope(Forbidden):
    """A write outside the account's regions (403, code ``out_of_scope``)."""

    code = "out_of_scope"


def scope_of(user: Any) -> frozenset[str] | None:
    """The regions `user` may write in, or None for a national account (and for admins)."""
    if user is None or getattr(user, "role", None) == "admin":
        return None
    regions = getattr(user, "regions", None)
    return frozenset(regions) if regions else None


def is_national(user: Any) -> bool:
    return scope_of(user) is None


def in_scope(user: Any, region_code: str | None) -> bool:
    """True when `user` may write a record of `region_code`."""
    scope = scope_of(user)
    return scope is None or (region_code is not None and region_code in scope)


def home_region(user: Any) -> str | None:
    """The region a limited account's pages open on (its first region), None when national."""
    scope = scope_of(user)
    return sorted(scope)[0] if scope else None


def region_names(codes: Iterable[str | None]) -> str:
    """Thai names of regions, joined (unknown codes as they are)."""
    from app.models import Region

    wanted = [c for c in codes if c]
    names = dict(db.session.execute(select(Region.code, Region.name_th).where(Region.code.in_(wanted)))
                 .all()) if wanted else {}
    return ", ".join(names.get(c, c) for c in wanted)


def team_label(user: Any) -> str | None:
    """"ทีมภาคใต้" for a limited account, None for a national one."""
    scope = scope_of(user)
    if scope is None:
        return None
    return _("ทีม%(regions)s", regions=region_names(sorted(scope)))


def check_scope(user: Any, *region_codes: str | None) -> None:
    """Refuse (403 out_of_scope, in Thai, naming the region) unless every region is the user's."""
    scope = scope_of(user)
    if scope is None:
        return
    outside = [code for code in dict.fromkeys(region_codes) if code is None or code not in scope]
    if not outside:
        return
    where = region_names(outside) if any(outside) else _("ไม่อยู่ในภาคใด")
    raise OutOfScope(
        _("บัญชีของคุณแก้ไขข้อมูลได้เฉพาะ %(mine)s: รายการนี้อยู่ใน %(where)s",
          mine=region_names(sorted(scope)), where=where),
        [{"field": "region_code", "message": "out of scope", "value": code} for code in outside])


def check_national(user: Any, what: str) -> None:
    """Refuse a limited account a write that belongs to national accounts (reference layers)."""
    if scope_of(user) is not None:
        raise OutOfScope(_("%(what)s แก้ไขได้เฉพาะบัญชีส่วนกลางหรือผู้ดูแลระบบ", what=what))


def outside_clause(user: Any, region: Any) -> Any:
    """The SQL condition "`region` (a column) is outside `user`'s scope", or None for a national account."""
    scope = scope_of(user)
    if scope is None:
        return None
    from sqlalchemy import or_

    return or_(region.is_(None), region.not_in(sorted(scope)))


def rows_outside(user: Any, table: Any, ids: Iterable[int], key: str = "id") -> dict[int, str | None]:
    """Of the rows `ids` of `table`, those whose `region_code` is outside `user`'s scope (one SELECT)."""
    outside = outside_clause(user, table.c.region_code)
    wanted = list(ids)
    if outside is None or not wanted:
        return {}
    stmt = select(table.c[key], table.c.region_code).where(table.c[key].in_(wanted), outside)
    return dict(db.session.execute(stmt).all())


def report_outside(user: Any, report: Any, outside: dict[int, str | None], row_of: dict[int, int]) -> bool:
    """Name each refused import row with its region in `report`; True when any was refused."""
    for entity_id, region in outside.items():
        report.error(row_of[entity_id], "region_code",
                     _("แถวนี้อยู่ใน %(where)s ซึ่งอยู่นอกภาคของบัญชีคุณ (%(mine)s)",
                       where=region_names([region]) if region else _("ไม่อยู่ในภาคใด"),
                       mine=region_names(sorted(scope_of(user) or ()))), "out_of_scope")
    return bool(outside)
