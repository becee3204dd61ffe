"""Login, tokens, roles and the language of the login page."""

from __future__ import annotations

from app.i18n import buddhist_date, fiscal_quarter_label
from tests.factories import PASSWORD


def test_login_page_is_thai_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="th"' in html and "เข้าสู่ระบบ" in html


def test_login_page_in_english(client):
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="en"' in html and "Sign in" in html


def test_login_and_logout(client, users):
    user = users["land_team"]
    bad = client.post("/login", data={"email": user.email, "password": "wrong"})
    assert bad.status_code == 401
    good = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert good.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_login_redirect_stays_on_site(client, users):
    response = client.post("/login?next=https://evil.example/", data={"email": users["viewer"].email,
                                                                     "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_bad_bearer_token_is_401_json(client):
    response = client.get("/api/v1/regions", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_passwords_are_hashed(users):
    assert users["admin"].password_hash.startswith("$argon2")


def test_buddhist_dates_and_fiscal_quarters():
    from datetime import date

    assert buddhist_date(date(2010, 1, 5)) == "5 ม.ค. 2553"
    assert fiscal_quarter_label(date(2009, 10, 1)) == "ไตรมาส 1/2553"
    assert fiscal_quarter_label(date(2010, 9, 30)) == "ไตรมาส 4/2553"
    assert fiscal_quarter_label(date(2010, 4, 1), "en") == "Q3 FY2553"
