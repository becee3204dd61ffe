"""Login does not tell which accounts exist, and is throttled per account as well as per address.

Timing is checked by counting the argon2 work (never by the clock): a wrong password for a real
account, an unknown address and a switched-off account each cost exactly one verification with the
same parameters. The per-account limit holds when every try comes from another address.
"""

from __future__ import annotations

import secrets

import pytest
from argon2 import PasswordHasher

from app import create_app
from app.auth import security
from app.extensions import limiter
from tests.factories import PASSWORD, make_user


class _Counting(PasswordHasher):
    def __init__(self) -> None:
        super().__init__()
        self.verified: list[tuple[int, int, int]] = []

    def verify(self, hash, password):  # noqa: A002  (argon2's own name)
        from argon2 import extract_parameters

        params = extract_parameters(hash)
        self.verified.append((params.time_cost, params.memory_cost, params.parallelism))
        return super().verify(hash, password)


@pytest.fixture()
def counting(monkeypatch) -> _Counting:
    hasher = _Counting()
    monkeypatch.setattr(security, "_hasher", hasher)
    security._DUMMY.clear()  # the dummy is made with the hasher in use
    return hasher


def _post(client, email: str, password: str = "wrong password", addr: str = "192.0.2.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": addr})


def test_every_failed_login_costs_one_verification_with_the_same_parameters(client, users, session, counting):
    inactive = make_user("viewer")
    inactive.active = False
    session.commit()
    attempts = {"wrong password": users["land_team"].email, "unknown account": "nobody-at-all@example.org",
                "switched-off account": inactive.email, "unknown, odd case": "NoBody@Example.ORG"}
    for what, email in attempts.items():
        counting.verified.clear()
        response = _post(client, email, PASSWORD if what == "switched-off account" else "wrong password")
        assert response.status_code == 401, what
        assert len(counting.verified) == 1, f"{what}: {len(counting.verified)} verifications"
        assert counting.verified[0] == (security._hasher.time_cost, security._hasher.memory_cost,
                                        security._hasher.parallelism), what
    counting.verified.clear()
    assert _post(client, users["land_team"].email, PASSWORD).status_code == 302
    assert len(counting.verified) == 1


def test_the_same_answer_for_an_unknown_and_a_known_account(client, users):
    known = _post(client, users["admin"].email)
    unknown = _post(client, "nobody-at-all@example.org")
    assert known.status_code == unknown.status_code == 401

    def strip(response) -> str:
        return response.get_data(as_text=True).replace(users["admin"].email, "X").replace(
            "nobody-at-all@example.org", "X")

    import re

    nonce = re.compile(r'nonce="[^"]+"|name="csrf_token"[^>]*')
    assert nonce.sub("", strip(known)) == nonce.sub("", strip(unknown))


@pytest.fixture()
def limited(app):
    """An app with the limiter on: many addresses allowed, 3 tries per account a minute."""
    limited = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                          "LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "3 per minute"})
    limiter.enabled = True  # process-wide; the suite's fixture switches it off again afterwards
    return limited


def test_one_account_is_throttled_across_addresses(limited):
    client = limited.test_client()
    target = f"target-{secrets.token_hex(4)}@example.org"
    statuses = [_post(client, target, addr=f"198.51.100.{i + 1}").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429], statuses
    assert _post(client, target.upper(), addr="198.51.100.99").status_code == 429  # the same account
    other = f"other-{secrets.token_hex(4)}@example.org"
    assert _post(client, other, addr="198.51.100.1").status_code == 401  # another account is not blocked


def test_the_account_limit_comes_from_the_environment(monkeypatch):
    from app.config import Config

    assert Config().LOGIN_ACCOUNT_RATE_LIMIT == "5 per minute"
    monkeypatch.setenv("LOGIN_ACCOUNT_RATE_LIMIT", "2 per minute")
    assert Config().LOGIN_ACCOUNT_RATE_LIMIT == "2 per minute"
