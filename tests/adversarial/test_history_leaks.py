"""Document names and descriptions never reach a role without `documents.read`, through any GET route.

A document's original file name is often a person's name and a deed number; history notes it (as
field `document`, the description as the note). Every GET route of the URL map is read by every
role the permission table denies `documents.read`, and by each role without `case.contacts`
for the contacts: neither may appear in any answer (JSON or page).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.permissions import ALL_ROLES, allowed
from tests.adversarial.conftest import PDF, fill, upload, url_rules

DOC_NAME = "โฉนด นายลับ DOCNAME-7731.pdf"
DOC_DESC = "สำเนาโฉนด DOCDESC-7731"
GONE_NAME = "บัตรประชาชน DOCGONE-7731.pdf"
SECRETS = ("DOCNAME-7731", "DOCDESC-7731", "DOCGONE-7731")

READS = [(r, e) for m, r, e, _p in url_rules() if m == "GET" and e != "static"]
NO_DOCUMENTS = sorted(role for role in ALL_ROLES if not allowed(role, "documents.read"))


@pytest.fixture()
def documented(client, auth, records) -> dict[str, Any]:
    """`records`, with named documents (one removed again) on the case and on the pilot area."""
    land_team = auth("land_team")
    case_id, pilot_id = records["case_id"], records["pilot_id"]
    for path, headers in ((f"/api/v1/cases/{case_id}/documents", land_team),
                          (f"/api/v1/pilot-areas/{pilot_id}/documents", auth("architect"))):
        response = upload(client, path, headers, PDF, DOC_NAME, description=DOC_DESC, kind="deed")
        assert response.status_code == 201, response.get_json()
    gone = upload(client, f"/api/v1/cases/{case_id}/documents", land_team, PDF + b"%2", GONE_NAME)
    assert gone.status_code == 201, gone.get_json()
    removed = client.delete(f"/api/v1/cases/{case_id}/documents/{gone.get_json()['id']}", headers=land_team)
    assert removed.status_code == 204
    return {**records, "region_code": "central", "collection_id": "cases", "fid": case_id,
            "z": 0, "x": 0, "y": 0}


def test_a_documents_reader_still_sees_the_names(client, auth, documented):
    """The control: the names are in the history for land_team (so the masked reads mean something)."""
    text = client.get(f"/api/v1/cases/{documented['case_id']}/history", headers=auth("land_team")).get_data(
        as_text=True)
    assert all(secret in text for secret in SECRETS)
    text = client.get(f"/api/v1/pilot-areas/{documented['pilot_id']}/history",
                      headers=auth("architect")).get_data(as_text=True)
    assert "DOCNAME-7731" in text and "DOCDESC-7731" in text


@pytest.mark.parametrize("role", NO_DOCUMENTS)
def test_no_get_route_shows_document_names_to_a_role_without_documents_read(client, auth, documented, role):
    headers = auth(role)
    leaks = []
    for rule, endpoint in READS:
        response = client.get(fill(rule, documented), headers=headers)
        assert response.status_code < 500, (rule, response.status_code)
        text = response.get_data().decode("utf-8", "replace")  # tiles and zips too
        if any(secret in text for secret in SECRETS):
            leaks.append(f"{rule} ({endpoint})")
    assert not leaks, f"document names reach {role} through {leaks}"


def test_masked_history_rows_say_so(client, auth, documented):
    rows = client.get(f"/api/v1/cases/{documented['case_id']}/history", headers=auth("viewer")).get_json()["history"]
    documents = [r for r in rows if r["field"] == "document"]
    assert len(documents) == 4  # the records fixture's, ours, and one added and removed
    assert all(r["masked"] and r["old"] is None and r["new"] is None and r["note"] is None for r in documents)
