"""The one error family: GIS and database refusals map to HTTP in app/errors.py."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, ValidationError, as_service_error, integrity_error
from app.extensions import db
from gis.errors import GisError
from gis.exchange.errors import ExchangeError


def _refusal(sql: str, params: dict) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, db.session.begin_nested():
        db.session.execute(text(sql), params)
    return caught.value


@pytest.fixture()
def request_context(app, session):
    with app.test_request_context("/api/v1/x"):
        yield


def test_check_violation_is_a_422_naming_the_field(request_context):
    exc = _refusal("INSERT INTO funds (name, level, members, version, is_sample, geom) "
                   "VALUES ('x', 'city', -1, 1, false, ST_SetSRID(ST_MakePoint(100.5, 13.7), 4326))", {})
    err = integrity_error(exc)
    assert isinstance(err, ValidationError) and err.status == 422
    assert err.details[0]["field"] == "members"


def test_irregular_constraint_name_still_names_the_field(request_context):
    exc = _refusal("INSERT INTO funds (name, level, capital_baht, version, is_sample, geom) "
                   "VALUES ('x', 'city', -5, 1, false, ST_SetSRID(ST_MakePoint(100.5, 13.7), 4326))", {})
    assert integrity_error(exc).details[0]["field"] == "capital_baht"


def test_duplicate_is_a_409_naming_the_field(users, request_context):
    exc = _refusal("INSERT INTO users (email, role, password_hash, name, active) "
                   "VALUES (:e, 'viewer', 'x', 'x', true)", {"e": users["viewer"].email})
    err = integrity_error(exc)
    assert isinstance(err, Conflict) and err.status == 409
    assert err.details[0]["field"] == "email"


def test_gis_and_exchange_errors_map_in_one_place(app):
    plain = as_service_error(GisError("bad ring", [{"field": "geometry", "message": "x"}]))
    assert plain.status == 422 and plain.details[0]["field"] == "geometry"
    with app.test_request_context("/api/v1/x"):
        exchange = as_service_error(ExchangeError("empty_file", "The file is empty"))
        assert exchange.status == 400 and exchange.message != "The file is empty"  # translated by code
        too_big = as_service_error(ExchangeError("too_many_rows", "many", status=413, limit=5))
        assert too_big.status == 413


def test_an_escaped_gis_error_is_a_json_4xx_not_a_500(app):
    with app.test_request_context("/api/v1/cases"):
        response = app.make_response(app.handle_user_exception(GisError("outside", [{"field": "geometry"}])))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_no_blueprint_keeps_its_own_error_handler(app):
    local = {name: codes for name, codes in app.error_handler_spec.items()
             if name is not None and any(codes.values())}
    assert local == {}


def test_coded_gis_errors_share_one_mechanism(app):
    """Exchange, footprint and reference-layer refusals: one catalogue lookup (`coded_message`)."""
    from app.errors import coded_error, coded_message
    from gis.exchange.errors import ExchangeError
    from gis.footprints import FootprintError

    with app.test_request_context("/"):
        err = coded_error(ExchangeError("zip_too_many_members", "too many", status=413, count=9, limit=5),
                          {"zip_too_many_members": "%(count)s > %(limit)s"})
        assert (err.status, err.code, err.message) == (413, "payload_too_large", "9 > 5")
        assert err.details == [{"field": "file", "message": "zip_too_many_members", "reason": "too many"}]
        assert coded_message(FootprintError("too_small", "tiny"), {}) == "tiny"            # no template: English
        assert coded_message(FootprintError("too_small", "tiny"), {"too_small": "%(x)s"}) == "%(x)s"  # bad params
