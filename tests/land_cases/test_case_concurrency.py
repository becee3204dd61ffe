"""No lost updates: ETag, If-Match, 428/412, and sixteen real concurrent PATCHes."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from tests.factories import case_payload
from tests.land_cases.conftest import etag_of


def test_patch_without_if_match_is_428(client, auth, make_case, counts):
    case = make_case()
    before = counts()
    response = client.patch(f"/api/v1/cases/{case['id']}", json={"households": 5}, headers=auth("land_team"))
    assert response.status_code == 428
    assert response.get_json()["error"]["code"] == "precondition_required"
    assert counts() == before


@pytest.mark.parametrize("if_match", ['"2"', "W/\"2\"", "2", '"abc"', '"99999999999999999999"', '"-1"'])
def test_patch_with_stale_or_foreign_etag_is_412(client, auth, make_case, counts, if_match):
    case = make_case()
    before = counts()
    response = client.patch(f"/api/v1/cases/{case['id']}", json={"households": 5},
                            headers={**auth("land_team"), "If-Match": if_match})
    assert response.status_code == 412
    assert response.get_json()["error"]["code"] == "precondition_failed"
    assert counts() == before


def test_if_match_star_is_not_a_version(client, auth, make_case):
    case = make_case()
    response = client.patch(f"/api/v1/cases/{case['id']}", json={"households": 5},
                            headers={**auth("land_team"), "If-Match": "*"})
    assert response.status_code == 428


@pytest.mark.parametrize("form", ['"1"', 'W/"1"', "1", '"5", "1"'])
def test_current_etag_in_any_accepted_form_wins(client, auth, make_case, form):
    case = make_case()
    response = client.patch(f"/api/v1/cases/{case['id']}", json={"households": 5},
                            headers={**auth("land_team"), "If-Match": form})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'


def test_second_edit_with_the_same_etag_is_412(client, auth, make_case):
    case = make_case()
    headers = auth("land_team")
    etag = etag_of(client, case["id"], headers)
    first = client.patch(f"/api/v1/cases/{case['id']}", json={"households": 7}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200
    second = client.patch(f"/api/v1/cases/{case['id']}", json={"households": 8}, headers={**headers, "If-Match": etag})
    assert second.status_code == 412
    assert client.get(f"/api/v1/cases/{case['id']}", headers=headers).get_json()["properties"]["households"] == 7


def test_patch_of_deleted_or_missing_case_is_404(client, auth, make_case):
    case = make_case()
    assert client.delete(f"/api/v1/cases/{case['id']}", headers=auth("land_team")).status_code == 204
    for case_id in (case["id"], 987654):
        response = client.patch(f"/api/v1/cases/{case_id}", json={"households": 5},
                                headers={**auth("land_team"), "If-Match": '"1"'})
        assert response.status_code == 404


def _request(url: str, method: str, token: str, body: dict | None = None,
             headers: dict | None = None) -> tuple[int, dict, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_sixteen_concurrent_patches_exactly_one_wins(live_server, committed_user):
    """Real concurrency: a gunicorn process, committed data, sixteen threads with the same ETag."""
    user = committed_user("land_team")
    status, headers, body = _request(f"{live_server}/api/v1/cases", "POST", user.token,
                                     case_payload(community_name="ชุมชนแก้พร้อมกัน"))
    assert status == 201, body
    case_id = json.loads(body)["id"]
    url = f"{live_server}/api/v1/cases/{case_id}"
    etag = headers["ETag"]
    barrier = threading.Barrier(16)
    results: list[tuple[int, int]] = []
    lock = threading.Lock()

    def edit(n: int) -> None:
        barrier.wait()
        code, _headers, _body = _request(url, "PATCH", user.token, {"households": 1000 + n}, {"If-Match": etag})
        with lock:
            results.append((code, n))

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    codes = sorted(code for code, _n in results)
    assert codes == [200] + [412] * 15, codes
    winner = next(n for code, n in results if code == 200)
    status, headers, body = _request(url, "GET", user.token)
    assert json.loads(body)["properties"]["households"] == 1000 + winner
    assert headers["ETag"] == '"2"'
    status, _headers, body = _request(f"{url}/history", "GET", user.token)
    updates = [e for e in json.loads(body)["history"] if e["action"] == "update"]
    assert [(e["field"], e["new"]) for e in updates] == [("households", str(1000 + winner))]
    # committed data outlives the test: take the case out of lists, maps and counts
    assert _request(url, "DELETE", user.token)[0] == 204
