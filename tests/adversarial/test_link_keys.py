"""Keys that mean something to `url_for` (`_external`, `_method`, `_anchor`, `_scheme`) sent to every
GET route of the URL map: never a 500. Paging and download links are built from the parsed filters
only, so these keys are ignored (names starting with `_` are cache busters) or refused with a 4xx.

The routes come from the URL map: a new GET route is covered without anyone remembering.
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import fill, url_rules

LINK_KEYS = {"_external": "1", "_method": "x", "_anchor": "a", "_scheme": "javascript"}
# more than one value for an argument that names a kind of thing: every kind is tried
VARIANTS = {"layer": ("cases", "pilot-areas", "funds"),
            "collection_id": ("cases", "pilot-areas", "funds", "provinces", "districts", "subdistricts")}
EXTRA_IDS = {"filename": "app.js", "region_code": "south", "z": 0, "x": 0, "y": 0, "level": "provinces",
             "job_id": "00000000-0000-0000-0000-000000000000"}


def _paths(rule: str) -> list[dict[str, str]]:
    variants = [{}]
    for name, values in VARIANTS.items():
        if f"<{name}>" in rule:
            variants = [{**v, name: value} for v in variants for value in values]
    return variants


GET_RULES = sorted({(rule, endpoint) for method, rule, endpoint, _perm in url_rules() if method == "GET"})


@pytest.mark.parametrize(("rule", "endpoint"), GET_RULES, ids=[r for r, _e in GET_RULES])
def test_link_building_keys_are_never_a_500(client, auth, records, rule, endpoint):
    headers = auth("admin")
    for variant in _paths(rule):
        ids = {**records, **EXTRA_IDS, "fid": str(records["case_id"]), **variant}
        path = fill(rule, ids)
        for query in [LINK_KEYS, *({k: v} for k, v in LINK_KEYS.items()),
                      {**LINK_KEYS, "limit": "1", "offset": "1"}]:
            response = client.get(path, query_string=query, headers=headers)
            assert response.status_code < 500, (path, query, response.get_data(as_text=True)[:500])
