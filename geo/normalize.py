"""Normalisation of Arabic place names, in Latin or Arabic script, for matching.

Each rule is a row of :data:`LATIN_RULES` (name, regex, replacement), so tests can
check each one and analysts can read what is considered "the same name".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Words that describe a feature rather than name it (UCDP writes "Khan Shaykhun town").
FEATURE_WORDS: frozenset[str] = frozenset(
    "town village city area district neighbourhood neighborhood governorate province camp camps "
    "checkpoint suburb suburbs countryside outskirts vicinity quarter region subdistrict nahiya "
    "municipality locality".split()
)

_MARKS = "ʿʾʼʻʽ'’‘`´ˈ"  # ʿayn / hamza marks and apostrophes, all dropped

#: (rule, pattern, replacement) applied in order to lower-case ASCII text.
LATIN_RULES: tuple[tuple[str, str, str], ...] = (
    ("hyphens and slashes are spaces", r"[-_/]", " "),
    ("article al-/el-/as-/ash-/… before a word", r"\b(?:al|el|il|as|ash|ar|ad|adh|an|at|ath|az|es|esh|er|ed|en|et|ez)\s+(?=\w)", ""),
    ("kafr / kfar / kefr / kafar", r"\b(?:kafr|kfar|kefr|kafar|kfr|kufr)\b", "kafr"),
    ("tall / tal / tell / tel", r"\b(?:tall|tal|tell|tel|til|tell)\b", "tal"),
    ("shaykh / sheikh / shaikh / sheik / shekh", r"\b(?:shaykh|sheikh|shaikh|sheik|shekh|cheikh|sheykh|shaykh)\b", "shaykh"),
    ("dayr / deir / deyr / dair", r"\b(?:dayr|deir|deyr|dair|der)\b", "dayr"),
    ("ayn / ain / ein", r"\b(?:ayn|ain|ein|ayin)\b", "ayn"),
    ("jabal / jebel / jabel", r"\b(?:jabal|jebel|jabel|jbel|jebal)\b", "jabal"),
    ("abu / abou / abo", r"\b(?:abu|abou|abo)\b", "abu"),
    ("khirbat / khirbet / kherbet", r"\b(?:khirbat|khirbet|kherbet|khirbeh|khirba)\b", "khirbat"),
    ("ma'arrat / maarat / maaret / marat", r"\b(?:maarrat|maarat|maaret|maarret|maarrat|marat|maret|mearat)\b", "marat"),
    ("ou / oo → u", r"ou|oo", "u"),
    ("ee → i", r"ee", "i"),
    ("ei / ey → ay", r"ei|ey", "ay"),
    ("q → k", r"q", "k"),
    ("doubled letters are single", r"([a-z])\1+", r"\1"),
    ("-iyah / -iyeh / -iya", r"iy(?:ah|eh|a|e)\b", "iya"),
    ("final -ah / -eh / -a / -e", r"(?<=\w\w)(?:ah|eh|e)\b", "a"),
    ("final -w after a consonant is -u (Qabw / Qabu)", r"(?<=[b-df-hj-np-tv-z])w\b", "u"),
    ("spaces", r"\s+", " "),
)
_COMPILED = tuple((re.compile(p), r) for _, p, r in LATIN_RULES)

_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def is_arabic(text: str) -> bool:
    """Whether ``text`` contains Arabic script."""
    return bool(_ARABIC_SCRIPT.search(text))


@lru_cache(maxsize=200_000)
def normalize(name: str, *, drop_feature_words: bool = True) -> str:
    """The matching key of a place name.

    ``Ma'arrat al-Nu'man``, ``Maarat al-Numan`` and ``Maaret en-Noman`` share one key;
    Arabic script is normalised too (diacritics, alef/ta-marbuta/ya forms, the article).

    Parameters
    ----------
    name
        A place name as written by a source.
    drop_feature_words
        Drop words like "town", "village", "governorate" that describe, not name.
    """
    if is_arabic(name):
        return _normalize_arabic(name)
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and ch not in _MARKS)
    text = re.sub(r"[^a-z0-9\s\-_/]", " ", text.lower())
    if drop_feature_words:
        text = " ".join(w for w in text.split() if w not in FEATURE_WORDS)
    text = re.sub(r"^(?:al|el|as|ash|ar|ad|an|at|az|es|ez)\s*-\s*", "", text)
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return text.strip()


def _normalize_arabic(name: str) -> str:
    text = _ARABIC_DIACRITICS.sub("", name).translate(_ARABIC_LETTERS)
    words = [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in re.split(r"[\s\-_/]+", text)]
    return " ".join(w for w in words if w and w not in ("مدينة", "قرية", "بلدة", "محافظة", "حي", "مخيم", "منطقة"))


def skeleton(key: str) -> str:
    """A coarser key: the consonants of a normalised name (``khan shaykhun`` → ``khn shkhn``).

    Used only as a second matching stage, with ambiguity checks, because distinct
    places can share a skeleton.
    """
    if is_arabic(key):
        return key
    return " ".join(re.sub(r"[aeiouyw]", "", w) or w for w in key.split())


def variants(name: str) -> list[str]:
    """The name and its parts: ``Palmyra/Tadmur`` → both; ``Hama (north)`` → ``Hama``."""
    parts = [name]
    inner = re.findall(r"\(([^)]*)\)", name)
    outer = re.sub(r"\([^)]*\)", " ", name).strip()
    if outer != name:
        parts.append(outer)
    parts += inner
    for part in list(parts):
        if "/" in part:
            parts += [p.strip() for p in part.split("/")]
    return [p for p in dict.fromkeys(parts) if p.strip()]


def light_key(name: str) -> str:
    """A spelling-preserving key: case, diacritics, marks, articles and feature words only.

    Used to break ties between places that :func:`normalize` merges (``Kaltah`` / ``Qaltah``).
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and ch not in _MARKS).lower()
    words = [w for w in re.split(r"[\s\-_/]+", re.sub(r"\([^)]*\)", " ", text)) if w and w not in FEATURE_WORDS]
    return " ".join(w for w in words if w not in _ARTICLES)


_ARTICLES = frozenset("al el il as ash ar ad adh an at ath az es esh er ed en et ez".split())
