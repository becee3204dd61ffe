"""Architects' reviews of a pilot: kept in order with author and date; other roles read them."""

from __future__ import annotations

import io

from tests.pilot_areas.support import scalar


def _pilot(client, auth) -> int:
    response = client.post("/api/v1/pilot-areas", headers=auth("land_team"), json={"subdistrict_code": "500102"})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_an_architects_review_appears_on_the_pilot_and_a_viewers_is_403(client, auth, users):
    pilot_id = _pilot(client, auth)
    url = f"/api/v1/pilot-areas/{pilot_id}/reviews"
    first = client.post(url, headers=auth("architect"),
                        json={"verdict": "needs_changes", "comment": "ควรเพิ่มทางเดินริมคลองและพื้นที่ส่วนกลาง"})
    assert first.status_code == 201, first.get_json()
    review = first.get_json()
    assert review["author"]["name"] == users["architect"].display_name
    assert review["verdict_label"] == "ต้องปรับปรุง" and review["created_at"]
    second = client.post(url, headers=auth("admin"), json={"verdict": "approved", "comment": "เห็นชอบแผนผังชุมชน"})
    assert second.status_code == 201

    viewer = client.post(url, headers=auth("viewer"), json={"verdict": "approved", "comment": "ok"})
    assert viewer.status_code == 403 and viewer.get_json()["error"]["code"] == "forbidden"
    assert client.post(url, headers=auth("land_team"), json={"verdict": "approved"}).status_code == 403

    listed = client.get(url, headers=auth("viewer")).get_json()["reviews"]
    assert [r["verdict"] for r in listed] == ["needs_changes", "approved"]
    assert listed[0]["comment"] == "ควรเพิ่มทางเดินริมคลองและพื้นที่ส่วนกลาง"
    on_pilot = client.get(f"/api/v1/pilot-areas/{pilot_id}", headers=auth("policy")).get_json()
    assert [r["id"] for r in on_pilot["properties"]["reviews"]] == [r["id"] for r in listed]
    assert scalar("SELECT count(*) FROM history WHERE entity = 'pilot_area' AND entity_id = :i AND action = 'review'",
                  i=pilot_id) == 2


def test_bad_reviews_are_422_and_missing_pilot_404(client, auth):
    pilot_id = _pilot(client, auth)
    url = f"/api/v1/pilot-areas/{pilot_id}/reviews"
    for body in ({"verdict": "maybe"}, {}, {"verdict": "approved", "comment": "x" * 5001},
                 {"verdict": "approved", "score": 5}, {"verdict": "approved", "comment": 5}):
        response = client.post(url, headers=auth("architect"), json=body)
        assert response.status_code == 422, body
    assert client.post("/api/v1/pilot-areas/999999/reviews", headers=auth("architect"),
                       json={"verdict": "approved"}).status_code == 404


def test_plan_documents(client, auth):
    pilot_id = _pilot(client, auth)
    url = f"/api/v1/pilot-areas/{pilot_id}/documents"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(url, headers=auth("architect"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf), "แผนผังชุมชน.pdf"), "description": "ผังตำบล"})
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["name"] == "แผนผังชุมชน.pdf"
    listed = client.get(url, headers=auth("architect")).get_json()["documents"]
    assert [d["id"] for d in listed] == [document["id"]]
    download = client.get(document["url"], headers=auth("land_team"))
    assert download.status_code == 200 and download.data == pdf
    assert client.get(url, headers=auth("viewer")).status_code == 403
    assert client.post(url, headers=auth("viewer"), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf), "a.pdf")}).status_code == 403
    bad = client.post(url, headers=auth("architect"), content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"MZ\x90\x00"), "plan.pdf")})
    assert bad.status_code == 415
