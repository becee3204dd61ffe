"""Every write, tried by a regional team account on a record outside its regions: table-driven
from the URL map, like the role checks in test_permissions.py.

A new write route is covered at once: its permission comes from `@require(...)`, a role that
holds it is limited to the South, and the `records` fixture's records lie in Bangkok and
Chiang Mai. Only a route whose target has no region is listed in NO_REGION, with the reason.
"""

from __future__ import annotations

import pytest

from app.auth.permissions import PERMISSIONS
from tests.adversarial.conftest import WRITE_METHODS, fill, login, refused, unchanged, url_rules
from tests.adversarial.test_permissions import _call, valid_request
from tests.factories import make_user

# writes whose target is not a regional record
NO_REGION = {
    "sharing_api.revoke_link": "revoking a link takes nothing from a region (its creator or an admin)",
    "share_links.link_revoke": "as above, from the links page",
    "auth.login": "signing in", "auth.logout": "signing out",
}
SCOPED = ["south"]


def _role_for(permission: str | None) -> str | None:
    """A non-admin role holding `permission` (admins are national), or None when only admins do."""
    if permission is None:
        return None
    roles = sorted(PERMISSIONS[permission] - {"admin"})
    return roles[0] if roles else None


WRITES = [pytest.param(m, r, e, _role_for(p), id=f"{m} {r}") for m, r, e, p in url_rules()
          if m in WRITE_METHODS and e not in NO_REGION and _role_for(p) is not None
          and not e.startswith("jobs")]
API = [w for w in WRITES if w.values[1].startswith("/api/")]
PAGES = [w for w in WRITES if not w.values[1].startswith("/api/")]


@pytest.fixture()
def scoped(session):
    made: dict[str, object] = {}

    def get(role: str):
        if role not in made:
            made[role] = make_user(role, regions=SCOPED)
        return made[role]

    return get


def test_the_table_covers_the_writes():
    assert len(API) >= 12 and len(PAGES) >= 6


@pytest.mark.parametrize("method, rule, endpoint, role", API)
def test_api_write_outside_the_scope_is_403_out_of_scope(client, records, scoped, method, rule, endpoint, role):
    user = scoped(role)
    with unchanged(client):
        response = _call(client, method, fill(rule, records), valid_request(endpoint),
                         {"Authorization": f"Bearer {user.token}"})
        body = refused(response, 403, "out_of_scope")
        assert "ภาค" in body["error"]["message"] or "นอก" in body["error"]["message"]


@pytest.mark.parametrize("method, rule, endpoint, role", PAGES)
def test_page_write_outside_the_scope_is_refused(client, records, scoped, method, rule, endpoint, role):
    user = scoped(role)
    login(client, user.email)
    with unchanged(client):
        response = _call(client, method, fill(rule, records), valid_request(endpoint))
        # forms missing their version are refused before the scope check (428/409); some pages
        # flash the refusal and redirect (302/303): `unchanged` proves nothing was written
        assert response.status_code in (302, 303, 400, 403, 404, 409, 410, 422, 428), response.status_code
        if response.status_code == 403:
            refused(response, 403, page=True, message="ภาค")
