"""Login rate limits hold across workers: the counters live in PostgreSQL."""

from __future__ import annotations

from app import create_app
from app.extensions import limiter


def _worker(app):
    """A second app instance on the same database stands in for another gunicorn worker."""
    return create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "TESTING": True, "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "3 per minute",
                       "RATELIMIT_ENABLED": True})


def test_login_limit_is_shared_by_workers(app):
    first, second = _worker(app), _worker(app)
    with first.app_context():
        limiter.reset()
    form = {"email": "nobody@example.org", "password": "wrong password"}
    statuses = [first.test_client().post("/login", data=form).status_code for _ in range(2)]
    statuses += [second.test_client().post("/login", data=form).status_code for _ in range(2)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3] == 429
    with first.app_context():
        limiter.reset()


def test_too_many_requests_is_a_thai_page(app):
    worker = _worker(app)
    with worker.app_context():
        limiter.reset()
    client = worker.test_client()
    for _ in range(3):
        client.post("/login", data={"email": "x@example.org", "password": "y"})
    response = client.post("/login", data={"email": "x@example.org", "password": "y"})
    assert response.status_code == 429
    assert "บ่อยเกินไป" in response.get_data(as_text=True)
    with worker.app_context():
        limiter.reset()
