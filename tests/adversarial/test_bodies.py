"""Hostile request bodies on every JSON write: too large, too deep, a 10 MB string, wrong types."""

from __future__ import annotations

import io

import pytest

from tests.adversarial.conftest import fill, refused, unchanged, url_rules

# the JSON writes (uploads, imports and body-less actions are elsewhere)
JSON_WRITES = {"land_cases_api.create_case", "land_cases_api.update_case", "land_cases_api.change_status",
               "funds_api.create_fund_item", "funds_api.patch_fund_item", "pilot_areas_api.create_pilot_area",
               "pilot_areas_api.patch_pilot_area", "pilot_areas_api.post_review", "sharing_api.create_link"}
WRITES = [pytest.param(m, r, e, id=f"{m} {r}") for m, r, e, _p in url_rules() if e in JSON_WRITES]
ROLE = {"pilot_areas_api.post_review": "architect", "pilot_areas_api.create_pilot_area": "land_team",
        "pilot_areas_api.patch_pilot_area": "architect", "sharing_api.create_link": "policy"}
TEN_MB = 10 * 1024 * 1024


def test_the_table_covers_every_json_write():
    assert {e for _m, _r, e, _p in url_rules()} >= JSON_WRITES and len(WRITES) == len(JSON_WRITES)


def _send(client, auth, records, method, rule, endpoint, **kwargs):
    headers = {**auth(ROLE.get(endpoint, "land_team")), "If-Match": '"1"', **kwargs.pop("headers", {})}
    return client.open(fill(rule, records), method=method, headers=headers, **kwargs)


BAD_BODIES = {
    "deep-arrays": ("application/json", b"[" * 100_000 + b"]" * 100_000),
    "deep-objects": ("application/json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    "truncated": ("application/json", '{"community_name": "ชุมชน'.encode()),
    "not-utf8": ("application/json", b'{"community_name": "\xff\xfe\xfa"}'),
    "array": ("application/json", b"[1, 2, 3]"),
    "scalar": ("application/json", b'"hello"'),
    "null": ("application/json", b"null"),
    "empty": ("application/json", b""),
    "nul-in-string": ("application/json", b'{"community_name": "a\\u0000b", "name": "a\\u0000b", '
                                          b'"label": "a\\u0000b", "comment": "a\\u0000b", "team": "a\\u0000b"}'),
    "lone-surrogate": ("application/json", b'{"community_name": "\\ud800", "name": "\\ud800", "label": "\\ud800",'
                                           b' "comment": "\\ud800", "team": "\\ud800"}'),
    "duplicate-keys": ("application/json", b'{"households": 1, "households": "x", "members": 1, "members": -5}'),
    "text-plain": ("text/plain", b'{"community_name": "x"}'),
    "form": ("application/x-www-form-urlencoded", b"community_name=x&households=1"),
    "xml": ("application/xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
    "no-type": (None, b'{"community_name": "x"}'),
}


@pytest.mark.parametrize("kind", BAD_BODIES)
@pytest.mark.parametrize("method, rule, endpoint", WRITES)
def test_malformed_or_mistyped_body_is_a_4xx(client, auth, records, method, rule, endpoint, kind):
    content_type, data = BAD_BODIES[kind]
    with unchanged(client):
        response = _send(client, auth, records, method, rule, endpoint, data=data,
                         **({"content_type": content_type} if content_type else {}))
        refused(response, (400, 415, 422))
        assert "root:" not in response.get_data(as_text=True)


@pytest.mark.parametrize("where", ["value", "key"])
@pytest.mark.parametrize("method, rule, endpoint", WRITES)
def test_a_10_mb_string_is_refused_without_echoing_it(client, auth, records, method, rule, endpoint, where):
    huge = "ก" * (TEN_MB // 3)  # 10 MB of UTF-8
    body = {name: huge for name in ("community_name", "name", "label", "comment", "team", "notes")} \
        if where == "value" else {huge: 1}
    with unchanged(client):
        response = _send(client, auth, records, method, rule, endpoint, json=body)
        refused(response, (400, 413, 422))  # `refused` also checks the answer is short


@pytest.mark.parametrize("method, rule, endpoint", WRITES)
def test_a_body_over_max_content_length_is_413_json(app, client, auth, records, monkeypatch, method, rule, endpoint):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    with unchanged(client):
        response = _send(client, auth, records, method, rule, endpoint,
                         json={"notes": "x" * 100_000, "label": "x", "status": "surveying"})
        refused(response, 413, "payload_too_large")


def test_the_default_limit_refuses_51_mb(client, auth):
    with unchanged(client):
        response = client.post("/api/v1/cases", data=b'{"notes": "' + b"x" * (51 * 1024 * 1024) + b'"}',
                               content_type="application/json", headers=auth("land_team"))
        refused(response, 413, "payload_too_large")


@pytest.mark.parametrize("path", ["/cases/new", "/funds/new", "/pilot-areas"])
def test_an_oversized_form_is_a_413_thai_page(app, client, users, monkeypatch, path):
    from tests.adversarial.conftest import login

    login(client, users["admin"].email)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    with unchanged(client):
        response = client.post(path, data={"community_name": "x" * 100_000, "name": "x", "subdistrict_code": "x"})
        refused(response, 413, page=True, message="ใหญ่เกิน")


def test_an_oversized_upload_is_413_before_it_is_read(app, client, auth, records, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    with unchanged(client):
        response = client.post(f"/api/v1/cases/{records['case_id']}/documents", headers=auth("land_team"),
                               content_type="multipart/form-data",
                               data={"file": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 200_000), "big.pdf")})
        refused(response, 413, "payload_too_large")


def _string_fields() -> list:
    """Every field a JSON write takes as text (or as a name from a vocabulary), per endpoint."""
    from gis.fields import CASE_FIELDS, FUND_FIELDS, PILOT_AREA_FIELDS

    def names(fields) -> list[str]:
        return [f.name for f in fields if f.kind in ("text", "enum", "date") and not f.derived]

    table = {
        "land_cases_api.create_case": names(CASE_FIELDS), "land_cases_api.update_case": names(CASE_FIELDS),
        "land_cases_api.change_status": ["status", "note", "date"],
        "funds_api.create_fund_item": names(FUND_FIELDS), "funds_api.patch_fund_item": names(FUND_FIELDS),
        "pilot_areas_api.create_pilot_area": names(PILOT_AREA_FIELDS),
        "pilot_areas_api.patch_pilot_area": names(PILOT_AREA_FIELDS),
        "pilot_areas_api.post_review": ["verdict", "comment"],
        "sharing_api.create_link": ["region", "label", "statuses", "layers"],
    }
    return [pytest.param(m, r, e, name, id=f"{m} {r} {name}") for m, r, e, _p in url_rules() if e in table
            for name in table[e]]


@pytest.mark.parametrize("method, rule, endpoint, name", _string_fields())
@pytest.mark.parametrize("value", ["x\x00y", "\x00"], ids=["inner-nul", "nul"])
def test_a_nul_byte_in_any_string_field_is_a_4xx(client, auth, records, method, rule, endpoint, name, value):
    """PostgreSQL text cannot hold NUL: every field must refuse it before it reaches a query."""
    body = {name: [value] if name in ("statuses", "layers") else value}
    if endpoint == "sharing_api.create_link" and name != "label":
        body["label"] = "test: nul"
    with unchanged(client):
        refused(_send(client, auth, records, method, rule, endpoint, json=body), (400, 403, 409, 422))


NUMBERS = {"huge-int": "1" + "0" * 400, "1e400": "1e400", "nan": "NaN", "infinity": "-Infinity", "negative": "-1",
           "fraction": "1.5", "bool": "true", "string": '"12 OR 1=1"'}
NUMERIC = [("land_cases_api.create_case", "households"), ("land_cases_api.create_case", "population"),
           ("land_cases_api.update_case", "households"), ("funds_api.create_fund_item", "members"),
           ("funds_api.create_fund_item", "capital_baht"), ("funds_api.patch_fund_item", "members"),
           ("funds_api.patch_fund_item", "capital_baht"), ("sharing_api.create_link", "expires_in_days")]


@pytest.mark.parametrize("endpoint, name, kind", [
    pytest.param(e, n, k, id=f"{e} {n} {k}") for e, n in NUMERIC for k in NUMBERS
    if not (k == "fraction" and n == "capital_baht")])  # a fraction is a valid amount
def test_hostile_numbers_are_a_4xx(client, auth, records, endpoint, name, kind):
    method, rule = next((m, r) for m, r, e, _p in url_rules() if e == endpoint)
    body = f'{{"{name}": {NUMBERS[kind]}, "label": "test: numbers"}}'
    with unchanged(client):
        refused(_send(client, auth, records, method, rule, endpoint, data=body, content_type="application/json"),
                (400, 422))
