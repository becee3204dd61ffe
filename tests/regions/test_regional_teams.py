"""Regional teams: accounts limited to regions write only there and read the whole country."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import LandCase, User
from tests.adversarial.conftest import login
from tests.factories import case_payload, make_user

HAT_YAI = {"lon": 100.4747, "lat": 7.0086}  # Songkhla, in the South


@pytest.fixture()
def south(session):
    return make_user("land_team", regions=["south"])


def _bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


def test_cli_creates_and_changes_scopes(app, session):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["users", "create", "south@example.org", "--role", "land_team",
                               "--region", "south", "--region", "east"], input="a long enough password\n")
    assert made.exit_code == 0 and "regions east, south" in made.output, made.output
    user = db.session.scalar(select(User).where(User.email == "south@example.org"))
    assert sorted(user.regions) == ["east", "south"]
    national = runner.invoke(args=["users", "scope", "south@example.org", "--national"])
    assert national.exit_code == 0 and "national" in national.output
    db.session.refresh(user)
    assert user.regions is None
    again = runner.invoke(args=["users", "scope", "south@example.org", "--region", "south"])
    assert again.exit_code == 0
    db.session.refresh(user)
    assert user.regions == ["south"]


@pytest.mark.parametrize("args, message", [
    (["--region", "atlantis"], "unknown region atlantis"),
    (["--region", "south-z8"], "is a zone"),
    ([], "either --region"),
    (["--region", "south", "--national"], "either --region"),
])
def test_cli_refuses_bad_scopes_and_changes_nothing(app, session, args, message):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "team@example.org", "--role", "land_team", "--region", "east"],
                  input="a long enough password\n")
    result = runner.invoke(args=["users", "scope", "team@example.org", *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert db.session.scalar(select(User.regions).where(User.email == "team@example.org")) == ["east"]


def test_cli_refuses_an_unknown_region_on_create_and_a_limited_admin(app, session):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["users", "create", "x@example.org", "--role", "land_team", "--region", "nowhere"],
                        input="a long enough password\n")
    assert bad.exit_code != 0 and "unknown region" in bad.output
    admin = runner.invoke(args=["users", "create", "a@example.org", "--role", "admin", "--region", "south"],
                          input="a long enough password\n")
    assert admin.exit_code != 0 and "national" in admin.output
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.email.in_(["x@example.org", "a@example.org"]))) == 0


def test_a_team_writes_in_its_region_and_not_across_its_border(client, south):
    created = client.post("/api/v1/cases", headers=_bearer(south), json=case_payload(**HAT_YAI))
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert case["properties"]["region_code"] == "south"
    moved = client.patch(f"/api/v1/cases/{case['id']}", headers={**_bearer(south), "If-Match": '"1"'},
                         json={"lon": 100.564, "lat": 13.708})
    assert moved.status_code == 403 and moved.get_json()["error"]["code"] == "out_of_scope"
    assert "กรุงเทพ" in moved.get_json()["error"]["message"]
    stored = db.session.get(LandCase, case["id"], populate_existing=True)
    assert stored.region_code == "south" and stored.version == 1
    status = client.post(f"/api/v1/cases/{case['id']}/status", headers=_bearer(south),
                         json={"status": "surveying", "note": "ลงพื้นที่"})
    assert status.status_code == 200


def test_reading_stays_national(client, south):
    listed = client.get("/api/v1/cases?limit=1000", headers=_bearer(south)).get_json()
    regions = {f["properties"]["region_code"] for f in listed["features"]}
    assert len(regions) > 3


def test_an_import_with_one_row_outside_imports_nothing(client, south):
    csv = ("community_name,households,lon,lat\nชุมชนหาดใหญ่ทดสอบ,10,100.4747,7.0086\n"
           "ชุมชนกรุงเทพทดสอบ,12,100.564,13.708\n").encode()
    before = db.session.scalar(select(func.count()).select_from(LandCase))
    response = client.post("/api/v1/imports/cases", headers=_bearer(south), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv), "cases.csv")})
    body = response.get_json()
    assert response.status_code == 403 and body["error"]["code"] == "out_of_scope", body
    assert [(e["row"], e["reason"]) for e in body["errors"]] == [(3, "out_of_scope")]
    assert "กรุงเทพ" in body["errors"][0]["message"]
    assert db.session.scalar(select(func.count()).select_from(LandCase)) == before


def test_a_scope_change_takes_effect_on_the_next_request(app, client, south):
    bangkok = client.post("/api/v1/cases", headers=_bearer(south), json=case_payload())
    assert bangkok.status_code == 403
    south.regions = None
    db.session.commit()
    assert client.post("/api/v1/cases", headers=_bearer(south), json=case_payload()).status_code == 201


def test_a_limited_policy_account_shares_only_its_regions(client, session):
    policy = make_user("policy", regions=["south"])
    national = client.post("/api/v1/share-links", headers=_bearer(policy),
                           json={"label": "ทั้งประเทศ", "expires_in_days": 3})
    assert national.status_code == 403 and national.get_json()["error"]["code"] == "out_of_scope"
    own = client.post("/api/v1/share-links", headers=_bearer(policy),
                      json={"label": "ภาคใต้", "region": "south", "expires_in_days": 3})
    assert own.status_code == 201
    zone = client.post("/api/v1/share-links", headers=_bearer(policy),
                       json={"label": "เขต", "region": "south-z8", "expires_in_days": 3})
    assert zone.status_code == 201


def test_pages_show_the_team_and_hide_controls_outside_it(client, south, users):
    inside = client.post("/api/v1/cases", headers=_bearer(south), json=case_payload(**HAT_YAI)).get_json()["id"]
    outside = client.post("/api/v1/cases", headers=_bearer(users["land_team"]), json=case_payload()).get_json()["id"]
    login(client, south.email)
    home = client.get(f"/cases/{inside}").get_data(as_text=True)
    assert "ทีมภาคใต้" in home
    assert f"/cases/{inside}/edit" in home
    page = client.get(f"/cases/{outside}").get_data(as_text=True)
    assert f"/cases/{outside}/edit" not in page and f"/cases/{outside}/status" not in page
    nav = client.get("/cases").get_data(as_text=True)
    assert "/map/south" in nav and "region=south" in nav


def test_admin_page_edits_a_scope_and_refuses_unknown_codes(client, users):
    target = make_user("architect")
    login(client, users["admin"].email)
    page = client.get("/admin/").get_data(as_text=True)
    assert f"/admin/users/{target.id}/scope" in page
    ok = client.post(f"/admin/users/{target.id}/scope", data={"region": ["north-upper", "south"]})
    assert ok.status_code == 302
    db.session.refresh(target)
    assert sorted(target.regions) == ["north-upper", "south"]
    bad = client.post(f"/admin/users/{target.id}/scope", data={"region": ["south", "atlantis"]})
    assert bad.status_code == 400 and "atlantis" in bad.get_data(as_text=True)
    db.session.refresh(target)
    assert sorted(target.regions) == ["north-upper", "south"]
    cleared = client.post(f"/admin/users/{target.id}/scope", data={})
    assert cleared.status_code == 302
    db.session.refresh(target)
    assert target.regions is None
