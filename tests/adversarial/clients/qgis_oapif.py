"""Open OGC API layers of the service in QGIS itself (PyQGIS, headless), with a Basic auth configuration
holding the account's e-mail and its personal API token, as a QGIS user on Debian would.

Run by Debian's /usr/bin/python3 (tests/adversarial/test_basic_auth.py):
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_oapif.py BASE_URL EMAIL SECRET LAYER...
Prints one JSON object: {layer: {"valid": bool, "features": n}}.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsVectorLayer  # noqa: E402


def main(base, email, secret, layers):
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)  # noqa: F841  (kept alive while the layers load)
    app.initQgis()
    manager = QgsApplication.authManager()
    manager.setMasterPassword("codi-test-master", True)
    config = QgsAuthMethodConfig()
    config.setName("CODI land cases")
    config.setMethod("Basic")
    config.setConfig("username", email)
    config.setConfig("password", secret)
    stored = manager.storeAuthenticationConfig(config)  # QGIS 3.22: (ok, config with its new id)
    if isinstance(stored, tuple):
        stored, config = stored
    assert stored and config.id(), "QGIS did not store the auth configuration"
    out = {}
    for name in layers:
        uri = f"url='{base}/ogc' typename='{name}' authcfg={config.id()} pagingEnabled='true'"
        layer = QgsVectorLayer(uri, name, "OAPIF")
        valid = layer.isValid()
        count = sum(1 for _ in layer.getFeatures()) if valid else 0
        out[name] = {"valid": valid, "features": count}  # (layer.error() of an invalid OAPIF layer crashes 3.22)
    print(json.dumps(out), flush=True)
    sys.stderr.flush()
    os._exit(0)  # QgsApplication.exitQgis() can crash headless on the way out; nothing is left to save


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
