"""Refresh the message catalogue: extract strings, update en, fill English from a JSON map.

Usage: .venv/bin/python scripts/i18n.py [more.json]
English comes from app/translations/en/*.json (Thai source string -> English),
one file per feature; then compile with `make translations`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin" / "pybabel"
PO = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
POT = ROOT / "app/translations/messages.pot"


def main() -> None:
    subprocess.run([BIN, "extract", "-F", "babel.cfg", "-k", "_l", "-o", POT, "."], cwd=ROOT,
                   check=True, capture_output=True)
    subprocess.run([BIN, "update", "-i", POT, "-d", "app/translations", "--no-fuzzy-matching"],
                   cwd=ROOT, check=True, capture_output=True)
    # English for each feature's strings lives in app/translations/en/*.json (Thai -> English)
    extra: dict[str, str] = {}
    for source in sorted((ROOT / "app/translations/en").glob("*.json")) + [Path(a) for a in sys.argv[1:]]:
        extra.update(json.loads(source.read_text(encoding="utf-8")))
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id in extra:
            message.string = extra[message.id]
        if not message.string:
            missing.append(message.id)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    for text in missing:
        print("untranslated:", text)


if __name__ == "__main__":
    main()
