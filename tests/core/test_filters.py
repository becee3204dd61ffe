"""One filter object per layer: parsed once, used by lists, pages, exports and OGC; links from it only."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import BadRequest
from app.filters import parse_filter


@pytest.fixture()
def ctx(app, session):
    with app.test_request_context("/api/v1/funds"):
        yield


def test_commas_and_repeated_keys_mean_the_same(ctx):
    one = parse_filter("cases", MultiDict([("status", "reported,negotiating")]))
    two = parse_filter("cases", MultiDict([("status", "reported"), ("status", "negotiating")]))
    assert one.statuses == two.statuses == ["reported", "negotiating"]


def test_each_layer_takes_its_own_vocabulary(ctx):
    assert parse_filter("funds", MultiDict({"level": "city,national"})).levels == ["city", "national"]
    assert parse_filter("pilot-areas", MultiDict({"stage": "planning"})).stages == ["planning"]
    for layer, args in (("funds", {"level": "galactic"}), ("cases", {"status": "finished"}),
                        ("pilot-areas", {"stage": "x"}), ("funds", {"province": "abc"}),
                        ("funds", {"region": "mars"}), ("cases", {"q": "x" * 201})):
        with pytest.raises(BadRequest):
            parse_filter(layer, MultiDict(args))


def test_links_hold_the_parsed_filters_only(ctx):
    f = parse_filter("funds", MultiDict([("level", "city"), ("province", "TH84"), ("_external", "1"),
                                         ("_anchor", "x"), ("limit", "7")]))
    links = {link["rel"]: link["href"] for link in f.links(20)}
    assert set(links) == {"self", "next"}
    assert "province=84" in links["next"] and "offset=7" in links["next"] and "level=city" in links["next"]
    assert "_external" not in links["self"] and "_anchor" not in links["self"]


def test_the_case_list_page_splits_commas_like_the_api(client, auth, session):
    from tests.pilot_areas.support import scalar

    page = client.get("/cases/?status=reported,negotiating", headers=auth("viewer"))
    assert page.status_code == 200
    both = scalar("SELECT count(*) FROM land_cases WHERE deleted_at IS NULL AND status IN ('reported', 'negotiating')")
    assert both > 0
    assert f"พบ {both:,} กรณี" in page.get_data(as_text=True)


def test_map_tile_and_sort_lists_come_from_the_field_flags():
    from app.land_cases.queries import SORTABLE
    from app.maps.queries import CASE_MAP_PROPS, CASE_PUBLIC_PROPS
    from gis.fields import CASE_FIELDS

    assert set(CASE_PUBLIC_PROPS) <= set(CASE_MAP_PROPS)
    sensitive = {f.name for f in CASE_FIELDS if f.sensitive} | {"notes", "team", "land_owner"}
    assert not sensitive & set(CASE_PUBLIC_PROPS)
    assert {f.name for f in CASE_FIELDS if f.sortable} <= set(SORTABLE)
    assert "contact_phone" not in SORTABLE
