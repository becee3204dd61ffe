"""Correct text extraction of Thai in WeasyPrint's PDFs.

WeasyPrint writes each glyph's Unicode text (the PDF ToUnicode map) from the first cluster it
drew the glyph in. Thai clusters hold several glyphs (a consonant, its vowel and tone marks;
SARA AM is shaped as NIKHAHIT + SARA AA), so a glyph first seen inside a cluster gets the
cluster's whole text or none at all, and every later copy of that glyph extracts wrongly
(`คำอธิบาย` came out as `คำอธิบำย`). Before the fonts are written, each Thai glyph's text is set
back to its own character, from the font's cmap and, for the positional forms of marks and
consonants (GSUB single substitutions), from the character it stands for. Extracted text is
then the typed text, except that SARA AM reads as NIKHAHIT + SARA AA, its compatibility
decomposition (equal under NFKC, which is how PDF readers compare when searching).
"""

from __future__ import annotations

import io
from functools import lru_cache
from hashlib import blake2b
from typing import Any

THAI = range(0x0E01, 0x0E5C)
_CONTENTS: dict[str, bytes] = {}


def _single_substitutions(font: Any) -> list[dict[str, str]]:
    if "GSUB" not in font:
        return []
    out = []
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            sub = getattr(sub, "ExtSubTable", sub)
            mapping = getattr(sub, "mapping", None)
            if lookup.LookupType in (1, 7) and isinstance(mapping, dict):
                out.append(mapping)
    return out


@lru_cache(maxsize=32)
def _thai_glyphs(key: str, index: int) -> dict[int, str]:
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_CONTENTS[key]), fontNumber=index, lazy=True)
    names: dict[str, str] = {name: chr(code) for code, name in (font.getBestCmap() or {}).items() if code in THAI}
    for _ in range(2):  # positional forms of positional forms
        for mapping in _single_substitutions(font):
            for source, target in mapping.items():
                if source in names and target not in names:
                    names[target] = names[source]
    return {font.getGlyphID(name): char for name, char in names.items()}


def fix_to_unicode(font: Any) -> None:
    """Set the text of every Thai glyph the font drew to that glyph's own character."""
    content = getattr(font, "file_content", None)
    mapping = getattr(font, "to_unicode", None)
    if not content or not isinstance(mapping, dict):
        return
    key = blake2b(content, digest_size=16).hexdigest()
    _CONTENTS.setdefault(key, bytes(content))
    try:
        glyphs = _thai_glyphs(key, getattr(font, "index", 0) or 0)
    except Exception:  # a font fontTools cannot read keeps WeasyPrint's own mapping
        return
    for glyph_id in mapping:
        if glyph_id in glyphs:
            mapping[glyph_id] = glyphs[glyph_id]


def install() -> None:
    """Wrap WeasyPrint's font clean-up (called once per font, before it is written) with the fix."""
    from weasyprint.pdf import fonts

    if getattr(fonts.Font.clean, "_thai_fixed", False):
        return
    original = fonts.Font.clean

    def clean(self: Any, to_unicode: dict, hinting: Any) -> Any:
        fix_to_unicode(self)
        for glyph_id in to_unicode:
            if glyph_id in self.to_unicode:
                to_unicode[glyph_id] = self.to_unicode[glyph_id]
        return original(self, to_unicode, hinting)

    clean._thai_fixed = True  # type: ignore[attr-defined]
    fonts.Font.clean = clean
