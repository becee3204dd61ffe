"""HTTP Basic with the personal API token, for desktop GIS clients that cannot send Bearer (QGIS on Debian).

* Every guarded GET route of the URL map answers Basic `e-mail:token` exactly as it answers Bearer;
  Basic with the account *password*, with another account's e-mail or with a malformed header is 401.
* A 401 names both schemes (`WWW-Authenticate: Bearer ...` and `Basic realm="..."`) to clients without
  cookies, so that QGIS and GDAL ask for credentials.
* Real clients against gunicorn: GDAL's `ogrinfo` with GDAL_HTTP_USERPWD, and QGIS itself (PyQGIS,
  headless) with a Basic auth configuration on the layers cases, pilot-areas and funds.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.adversarial.conftest import fill, url_rules
from tests.factories import PASSWORD
from tests.ogc.conftest import http, live_data  # noqa: F401  (the live server's committed data)

GUARDED = [(r, e) for m, r, e, p in url_rules() if m == "GET" and p is not None
           and r.startswith(("/api/", "/ogc", "/tiles"))]
PROTECTED = ["/ogc/collections/cases/items", "/ogc/collections/pilot-areas/items", "/ogc/collections/funds/items",
             "/tiles/cases/0/0/0.mvt", "/api/v1/cases"]
QGIS_LAYERS = ("cases", "pilot-areas", "funds")


def basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def _ids(records) -> dict:
    return {**records, "region_code": "south", "collection_id": "cases", "fid": records["case_id"]}


def test_basic_with_the_token_works_wherever_bearer_does(client, users, auth, records):
    user = users["land_team"]
    differ = []
    for rule in [r for r, _e in GUARDED] + PROTECTED:
        path = fill(rule, _ids(records))
        with_bearer = client.get(path, headers=auth("land_team")).status_code
        with_basic = client.get(path, headers=basic(user.email, user.token)).status_code
        upper = client.get(path, headers=basic(user.email.upper(), user.token)).status_code
        if not with_bearer == with_basic == upper or with_basic == 401:
            differ.append(f"{rule}: Bearer {with_bearer}, Basic {with_basic}, BASIC e-mail {upper}")
    assert not differ, differ


def test_basic_writes_need_no_csrf_like_bearer(client, users):
    user = users["land_team"]
    response = client.post("/api/v1/funds", headers=basic(user.email, user.token),
                           json={"name": "กองทุน Basic", "level": "city", "lon": 100.564, "lat": 13.708})
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("how", ["account password", "another account's e-mail", "no colon", "not base64",
                                 "empty e-mail", "revoked-looking token"])
def test_basic_without_a_valid_token_is_401_everywhere(client, users, records, how):
    user, other = users["land_team"], users["viewer"]
    headers = {
        "account password": basic(user.email, PASSWORD),
        "another account's e-mail": basic(other.email, user.token),
        "no colon": {"Authorization": "Basic " + base64.b64encode(user.token.encode()).decode()},
        "not base64": {"Authorization": "Basic %%%not-base64%%%"},
        "empty e-mail": basic("", user.token),
        "revoked-looking token": basic(user.email, "lc_" + "x" * 43),
    }[how]
    for rule in [r for r, _e in GUARDED] + PROTECTED:
        response = client.get(fill(rule, _ids(records)), headers=headers)
        assert response.status_code == 401, (rule, how, response.status_code)
        assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("path", PROTECTED)
def test_a_401_offers_basic_beside_bearer_to_clients_without_cookies(client, path):
    response = client.get(path)
    assert response.status_code == 401
    challenges = response.headers.getlist("WWW-Authenticate")
    assert challenges[0].startswith("Bearer realm=")
    assert any(re.match(r'Basic realm="[^"]+"', c) for c in challenges), challenges


def test_a_browser_script_with_an_ended_session_gets_no_basic_dialog(client):
    client.set_cookie("session", "ended")
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert not any(c.startswith("Basic") for c in response.headers.getlist("WWW-Authenticate"))


# ---------------------------------------------------------------- real clients against gunicorn

def _ogrinfo(base: str, layer: str, userpwd: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDAL_HTTP")}
    if userpwd:
        env.update(GDAL_HTTP_USERPWD=userpwd, GDAL_HTTP_AUTH="BASIC")
    return subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{base}/ogc", layer], capture_output=True, text=True,
                          timeout=120, env=env)


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed (gdal-bin)")
def test_ogrinfo_reads_protected_layers_with_gdal_http_userpwd(live_data, committed_user):  # noqa: F811
    user = committed_user("land_team")
    for layer in QGIS_LAYERS:
        result = _ogrinfo(live_data["base"], layer, f"{user.email}:{user.token}")
        count = re.search(r"Feature Count: (\d+)", result.stdout)
        assert result.returncode == 0 and count and int(count.group(1)) > 0, (layer, result.stdout, result.stderr)
    refused = _ogrinfo(live_data["base"], "cases", f"{user.email}:{PASSWORD}")  # the password: never
    assert refused.returncode != 0 or "Feature Count" not in refused.stdout, refused.stdout
    assert "401" in refused.stderr, refused.stderr


QGIS_PYTHON = "/usr/bin/python3"


def _qgis_missing() -> str | None:
    if not Path(QGIS_PYTHON).exists():
        return f"{QGIS_PYTHON} is missing"
    probe = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"})
    return None if probe.returncode == 0 else f"{QGIS_PYTHON} cannot import qgis (apt-get install qgis python3-qgis)"


def _run_qgis(base: str, user: str, secret: str) -> dict:
    script = Path(__file__).parent / "clients" / "qgis_oapif.py"
    with tempfile.TemporaryDirectory(prefix="qgis-home-") as home:
        os.chmod(home, 0o700)
        # a clean environment: the test process carries the venv's PROJ_DATA/GDAL_DATA (pyogrio's newer
        # PROJ database), which Debian's QGIS must not read
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen", "HOME": home,
               "QGIS_AUTH_DB_DIR_PATH": home, "XDG_RUNTIME_DIR": home}
        result = subprocess.run([QGIS_PYTHON, "-X", "faulthandler", str(script), base, user, secret, *QGIS_LAYERS],
                                capture_output=True,
                                text=True, timeout=300, env=env)
    assert result.returncode == 0, (result.stdout[-500:], result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_qgis_opens_the_protected_layers_with_a_basic_auth_configuration(live_data, committed_user):  # noqa: F811
    missing = _qgis_missing()
    if missing:
        pytest.skip(missing)
    user = committed_user("land_team")
    opened = _run_qgis(live_data["base"], user.email, user.token)
    for layer in QGIS_LAYERS:
        assert opened[layer]["valid"] and opened[layer]["features"] > 0, (layer, opened[layer])
    with_password = _run_qgis(live_data["base"], user.email, PASSWORD)
    assert not with_password["cases"]["valid"] or with_password["cases"]["features"] == 0, with_password
