"""Two fields added through the declared shape only (model, one migration, gis/fields.py, translations):
`agreement_type` and `lease_expires_on` in the API, forms, import, export, the case page and the list filters."""

from __future__ import annotations

import csv
import io

from app.auth.security import session_fields
from tests.exchange.conftest import upload
from tests.factories import case_payload


def _post(client, auth, **overrides):
    response = client.post("/api/v1/cases", json=case_payload(**overrides), headers=auth("land_team"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_api_create_read_and_patch(client, auth):
    case = _post(client, auth, agreement_type="cooperative_lease", lease_expires_on="2045-06-30")
    props = case["properties"]
    assert (props["agreement_type"], props["lease_expires_on"]) == ("cooperative_lease", "2045-06-30")
    url = f"/api/v1/cases/{case['id']}"
    patched = client.patch(url, json={"agreement_type": "purchase", "lease_expires_on": None},
                           headers={**auth("land_team"), "If-Match": '"1"'})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["properties"]["agreement_type"] == "purchase"
    assert patched.get_json()["properties"]["lease_expires_on"] is None
    history = client.get(f"{url}/history", headers=auth("viewer")).get_json()["history"]
    assert {"agreement_type", "lease_expires_on"} <= {e["field"] for e in history}


def test_bad_values_are_422_naming_the_field(client, auth):
    for body, field in (({"agreement_type": "gift"}, "agreement_type"),
                        ({"lease_expires_on": "2045-02-30"}, "lease_expires_on"),
                        ({"lease_expires_on": "2588-01-01"}, "lease_expires_on")):
        response = client.post("/api/v1/cases", json=case_payload(**body), headers=auth("land_team"))
        assert response.status_code == 422
        assert field in {d["field"] for d in response.get_json()["error"]["details"]}


def test_list_filters_and_sort(client, auth):
    soon = _post(client, auth, community_name="ชุมชนสัญญาใกล้หมด", agreement_type="lease", lease_expires_on="2027-01-31")
    later = _post(client, auth, community_name="ชุมชนสัญญาอีกนาน", agreement_type="lease", lease_expires_on="2040-01-31")
    bought = _post(client, auth, community_name="ชุมชนซื้อที่", agreement_type="purchase")
    h = auth("viewer")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/cases?limit=10000&{query}", headers=h)
        assert response.status_code == 200, response.get_json()
        return [f["id"] for f in response.get_json()["features"]]

    leases = ids("agreement_type=lease")
    assert soon["id"] in leases and later["id"] in leases and bought["id"] not in leases
    assert bought["id"] in ids("agreement_type=lease,purchase")
    expiring = ids("lease_expires_on=../2030-12-31")
    assert soon["id"] in expiring and later["id"] not in expiring
    assert ids("lease_expires_on=2040-01-31") == [later["id"]]
    ordered = ids("agreement_type=lease&sort=lease_expires_on")
    assert ordered.index(soon["id"]) < ordered.index(later["id"])
    page = client.get("/api/v1/cases?agreement_type=lease&limit=1", headers=h).get_json()
    assert any("agreement_type=lease" in link["href"] for link in page["links"] if link["rel"] == "next")
    for query in ("agreement_type=gift", "lease_expires_on=soon", "lease_expires_on=2030-01-01/2020-01-01"):
        assert client.get(f"/api/v1/cases?{query}", headers=h).status_code == 400, query


def test_export_import_and_ogc(client, auth, session):
    case = _post(client, auth, community_name="ชุมชนส่งออกสัญญา", agreement_type="land_sharing",
                 lease_expires_on="2031-03-01")
    text = client.get("/api/v1/export/cases?format=csv&agreement_type=land_sharing",
                      headers=auth("land_team")).get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if r["code"] == case["properties"]["code"])
    assert (row["agreement_type"], row["lease_expires_on"]) == ("land_sharing", "2031-03-01")
    row["agreement_type"], row["lease_expires_on"] = "relocation", "2032-04-01"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    response = upload(client, auth("land_team"), out.getvalue().encode("utf-8-sig"), "edited.csv")
    assert response.status_code == 200 and response.get_json()["updated"] == 1, response.get_json()
    props = client.get(f"/api/v1/cases/{case['id']}", headers=auth("viewer")).get_json()["properties"]
    assert (props["agreement_type"], props["lease_expires_on"]) == ("relocation", "2032-04-01")
    items = client.get("/ogc/collections/cases/items?agreement_type=relocation", headers=auth("viewer"))
    assert items.status_code == 200 and case["id"] in {f["id"] for f in items.get_json()["features"]}


def test_forms_and_pages(app, session, users, client, auth):
    web = app.test_client()
    with web.session_transaction() as cookie:
        cookie["_user_id"] = str(users["land_team"].id)
        cookie.update(session_fields(users["land_team"]))
        cookie["_fresh"] = True
    form = {"community_name": "ชุมชนฟอร์มสัญญา", "households": "40", "agreement_type": "lease",
            "lease_expires_on": "31/12/2580", "lon": "100.564", "lat": "13.708"}
    created = web.post("/cases/new", data=form)
    assert created.status_code == 303, created.get_data(as_text=True)[:500]
    case_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    props = client.get(f"/api/v1/cases/{case_id}", headers=auth("viewer")).get_json()["properties"]
    assert (props["agreement_type"], props["lease_expires_on"]) == ("lease", "2037-12-31")
    page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "รูปแบบข้อตกลง" in page and "เช่า" in page and "วันสิ้นสุดสัญญาเช่า" in page and "2580" in page
    listing = web.get("/cases?agreement_type=lease&q=ชุมชนฟอร์มสัญญา").get_data(as_text=True)
    assert 'name="agreement_type"' in listing and 'name="lease_expires_on"' in listing
    assert "พบ 1 กรณี" in listing
    assert "พบ 0 กรณี" in web.get("/cases?agreement_type=purchase&q=ชุมชนฟอร์มสัญญา").get_data(as_text=True)
