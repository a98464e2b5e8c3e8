"""ACLED's event taxonomy and the UCDP mappings onto it, as data."""

from __future__ import annotations

#: ACLED's six event types and their 25 sub-event types (ACLED Codebook, 2023/2024).
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

SUB_EVENT_TYPES: dict[str, str] = {sub: et for et, subs in EVENT_TYPES.items() for sub in subs}

#: ACLED's disorder type of each event type.
DISORDER_TYPES: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Political violence; Demonstrations",
    "Strategic developments": "Strategic developments",
}

#: ACLED's event types before the 2019 revision → (today's event type, sub-event type or "").
#: ``Riots/Protests`` is split by actor codes (:func:`geo.io.acled.old_event_types`).
ACLED_OLD_EVENT_TYPES: dict[str, tuple[str, str]] = {
    "Battle-No change of territory": ("Battles", "Armed clash"),
    "Battle-Government regains territory": ("Battles", "Government regains territory"),
    "Battle-Non-state actor overtakes territory": ("Battles", "Non-state actor overtakes territory"),
    "Remote violence": ("Explosions/Remote violence", ""),
    "Riots/Protests": ("Protests", ""),
    "Non-violent transfer of territory": ("Strategic developments", "Non-violent transfer of territory"),
    "Headquarters or base established": ("Strategic developments", "Headquarters or base established"),
    "Strategic development": ("Strategic developments", ""),
}

#: UCDP ``type_of_violence`` → (event type, sub-event type, meaning). The code is kept as ``ucdp:N``.
UCDP_VIOLENCE: dict[str, tuple[str, str, str]] = {
    "1": ("Battles", "Armed clash", "state-based conflict"),
    "2": ("Battles", "Armed clash", "non-state conflict"),
    "3": ("Violence against civilians", "Attack", "one-sided violence"),
}

#: ACLED numeric actor-type codes (old files) → labels used by current files.
ACLED_INTER: dict[str, str] = {
    "0": "No actor",
    "1": "State forces",
    "2": "Rebel group",
    "3": "Political militia",
    "4": "Identity militia",
    "5": "Rioters",
    "6": "Protesters",
    "7": "Civilians",
    "8": "External/Other forces",
}

#: UCDP ``where_prec`` (1–7) → ACLED geo_precision (1–3); the original stays in geo_precision_source.
UCDP_WHERE_PREC: dict[str, int] = {"1": 1, "2": 2, "3": 3, "4": 3, "5": 3, "6": 3, "7": 3}

#: UCDP ``date_prec`` (1–5) → ACLED time_precision (1–3).
UCDP_DATE_PREC: dict[str, int] = {"1": 1, "2": 2, "3": 2, "4": 3, "5": 3}

#: Colours of the event types on maps and charts (colour-blind-safe Okabe–Ito palette).
EVENT_TYPE_COLORS: dict[str, str] = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#CC79A7",
    "Violence against civilians": "#E69F00",
    "Protests": "#56B4E9",
    "Riots": "#009E73",
    "Strategic developments": "#0072B2",
}
UNKNOWN_COLOR = "#777777"


def interaction_label(code: str) -> str:
    """Translate an ACLED interaction code (``"12"``) into its label, or return text as is.

    Parameters
    ----------
    code
        Numeric code from an old export, or the label from a new one.

    Returns
    -------
    str
        ``"State forces-Rebel group"`` for ``"12"``; labels pass through unchanged.
    """
    code = code.strip()
    if code.isdigit() and len(code) == 2 and all(c in ACLED_INTER for c in code):
        if code[1] == "0":  # a second digit 0 means the first actor acted alone
            return f"{ACLED_INTER[code[0]]} only"
        return f"{ACLED_INTER[code[0]]}-{ACLED_INTER[code[1]]}"
    if code.isdigit() and code in ACLED_INTER:
        return ACLED_INTER[code]
    return code
