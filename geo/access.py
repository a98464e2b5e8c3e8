"""Who may do what with a dataset: users, roles, visibility and the permission rules, as data.

Nothing here reads a file or a database: the store asks :func:`allowed` before every read or
write, and the Data page asks it before drawing a control. With sign-in off the one analyst
at the machine is :data:`LOCAL` (today's behaviour: every dataset is theirs to see and change).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

#: User roles from lowest to highest (not to be confused with an actor's role in an event,
#: :data:`geo.query.ROLES`); the identity token's role claim decides which one a user has.
USER_ROLES: dict[str, str] = {
    "viewer": "reads the datasets shared with them",
    "analyst": "also uploads datasets and shares them",
    "admin": "sees every dataset, changes or deletes any, reads the audit log",
}
#: Who sees a dataset, set by its owner (or an admin) on the Data page.
VISIBILITIES: dict[str, str] = {
    "private": "only its owner",
    "team": "its owner and members of the named teams (groups in the identity token)",
    "signed_in": "everyone signed in",
    "link": "anyone with its link (not listed to others)",
}
#: What a user may ask of a dataset (uploading is a role's right, not a dataset's).
ACTIONS: dict[str, str] = {
    "list": "see it in the Data page's list",
    "open": "open it on any page, by link or id",
    "export": "download its events or map",
    "change_visibility": "change who sees it",
    "delete": "delete it",
}
#: The answer for an id that does not exist and for one the user may not see: the same words,
#: so a link reveals nothing about a dataset its viewer may not open.
NOT_AVAILABLE = "dataset {id}: not available to you"


class NotAvailable(KeyError):  # noqa: N818 - it is an answer ("not available to you"), not a failure
    """A dataset that does not exist, or that this user may not see or change (one answer for both)."""

    def __init__(self, dataset_id: object) -> None:
        super().__init__(NOT_AVAILABLE.format(id=str(dataset_id)[:40]))


@dataclass(frozen=True)
class User:
    """A signed-in person (``sub`` is the provider's stable subject id) or the anonymous visitor (``sub=""``)."""

    sub: str
    name: str = ""
    email: str = ""
    groups: frozenset[str] = field(default_factory=frozenset)
    role: str = "viewer"

    @property
    def anonymous(self) -> bool:
        return not self.sub

    @property
    def label(self) -> str:
        """How the audit log and the Data page name this user."""
        return self.email or self.name or self.sub or "anonymous"


T = TypeVar("T", bound=Any)  # a frozen dataclass with ``visibility`` and ``teams``

ANONYMOUS = User(sub="")
#: Sign-in off: the single analyst at this machine owns and sees everything, as before sign-in existed.
LOCAL = User(sub="local", name="this machine", role="admin")
#: The app process loading a dataset into its shared cache, after the session's user was checked.
SERVER = User(sub="server", name="the app process", role="admin")


@dataclass(frozen=True)
class Grant:
    """Who a dataset belongs to and who sees it (the part of its metadata access depends on)."""

    owner: str
    visibility: str = "private"
    teams: tuple[str, ...] = ()
    #: Whether the dataset's id is a secret (random): only then is "anyone with the link" a grant.
    secret_id: bool = True


def may_see(user: User, grant: Grant) -> bool:
    """Whether ``user`` may open a dataset with this grant (the anonymous visitor sees nothing)."""
    if user.anonymous:
        return False
    if user.role == "admin" or user.sub == grant.owner:
        return True
    if grant.visibility == "team":
        return bool(user.groups & set(grant.teams))
    # A link is a credential only when its id cannot be computed (ids before random ones were hashes).
    return grant.visibility == "signed_in" or (grant.visibility == "link" and grant.secret_id)


def allowed(user: User, action: str, grant: Grant) -> bool:
    """Whether ``user`` may do ``action`` (a key of :data:`ACTIONS`) to a dataset with ``grant``."""
    if action not in ACTIONS:
        msg = f"action: expected one of {sorted(ACTIONS)}, got {action!r}"
        raise ValueError(msg)
    if action in ("change_visibility", "delete"):
        return not user.anonymous and (user.role == "admin" or (user.sub == grant.owner and user.role != "viewer"))
    if action == "list" and grant.visibility == "link":
        # "anyone with the link": opening it needs the link, so it is not listed to others.
        return not user.anonymous and (user.role == "admin" or user.sub == grant.owner)
    return may_see(user, grant)


def may_upload(user: User) -> bool:
    """Analysts and admins upload; a viewer reads."""
    return not user.anonymous and user.role in ("analyst", "admin")


def check_grant(visibility: str, teams: Iterable[str]) -> Grant:
    """A visibility and its teams as given on the Data page, checked (owner filled in by the store)."""
    if visibility not in VISIBILITIES:
        msg = f"visibility: expected one of {sorted(VISIBILITIES)}, got {str(visibility)[:40]!r}"
        raise ValueError(msg)
    teams = tuple(sorted({str(t).strip()[:100] for t in teams if str(t).strip()}))
    if visibility == "team" and not teams:
        msg = "teams: expected at least one team for visibility 'team', got none"
        raise ValueError(msg)
    return Grant(owner="", visibility=visibility, teams=teams if visibility == "team" else ())


def regrant(item: T, visibility: str, teams: Iterable[str]) -> tuple[T, str]:
    """A dataset's or an article's metadata with a checked new visibility and teams, and its audit detail ("from → to")."""
    grant = check_grant(visibility, teams)
    changed = dataclasses.replace(item, visibility=grant.visibility, teams=grant.teams)
    return changed, f"{item.visibility} → {grant.visibility}" + (f" ({', '.join(grant.teams)})" if grant.teams else "")


def user_from_claims(claims: Mapping[str, object], *, role_claim: str, admins: str, analysts: str) -> User:
    """The user an identity token describes: role and teams from its ``role_claim`` (e.g. ``groups``).

    ``admins`` and ``analysts`` are comma-separated group names; a user in neither is a viewer.
    The claim may be a list of names or one name.
    """
    raw = claims.get(role_claim, ())
    groups = frozenset(str(g)[:100] for g in ([raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else ()))
    role = "admin" if groups & _names(admins) else "analyst" if groups & _names(analysts) else "viewer"
    text = {k: str(claims.get(k) or "")[:200] for k in ("name", "email")}
    return User(sub=subject(claims), name=text["name"], email=text["email"], groups=groups, role=role)


#: ``sub`` values the app uses for itself: a provider's user with one of them is nobody.
RESERVED_SUBS = frozenset({LOCAL.sub, SERVER.sub})


def subject(claims: Mapping[str, object]) -> str:
    """The stable id of a signed-in user: the token's ``sub``, whole (OIDC allows 255 characters), or ""
    (nobody) when it is missing, longer, or one of :data:`RESERVED_SUBS`. Every check of a user's
    identity — ownership, sign-out, downloads, uploads — goes through this one reading."""
    sub = str(claims.get("sub") or "")
    return "" if len(sub) > 255 or sub in RESERVED_SUBS else sub


def _names(comma_separated: str) -> frozenset[str]:
    return frozenset(n.strip() for n in comma_separated.split(",") if n.strip())


def permission_table() -> str:
    """The rules as a Markdown table (README "Team server"), rows = who, columns = actions, per visibility."""
    who = {"owner": User("owner", role="analyst"), "team member": User("member", groups=frozenset({"desk"})),
           "other signed-in user": User("other"), "admin": User("admin", role="admin"), "anonymous": ANONYMOUS}  # fmt: skip
    rows = ["| visibility | who | " + " | ".join(ACTIONS) + " |", "|---|---|" + "---|" * len(ACTIONS)]
    for visibility in VISIBILITIES:
        grant = Grant(owner="owner", visibility=visibility, teams=("desk",) if visibility == "team" else ())
        for label, user in who.items():
            cells = ["yes" if allowed(user, a, grant) else "–" for a in ACTIONS]
            rows.append(f"| {visibility} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


# ---------------------------------------------------------------------- a change of sharing, before it is saved

#: What sharing can give or take: the actions :func:`allowed` grants to people other than the
#: owner and admins (who keep every right whatever the visibility).
SHARED_ACTIONS: tuple[str, ...] = ("list", "open", "export")
#: Everyone signed in who is in none of the teams a change names (a team member is judged per team).
OTHERS = "other signed-in users"


@dataclass(frozen=True)
class Access:
    """What one group of people gains or loses: ``who`` (e.g. "members of team desk") and the actions."""

    who: str
    actions: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.who} ({', '.join(self.actions)})"


@dataclass(frozen=True)
class ShareChange:
    """A dataset's sharing before and after a Save, and who gains or loses access by it.

    Built by :func:`share_change` only; both sides are checked and normalised (teams sorted,
    and dropped for a visibility other than ``team``), so "no change" means the same grant.
    """

    old_visibility: str
    old_teams: tuple[str, ...]
    new_visibility: str
    new_teams: tuple[str, ...]
    gains: tuple[Access, ...]
    losses: tuple[Access, ...]

    @property
    def changed(self) -> bool:
        """Whether saving would write anything."""
        return (self.old_visibility, self.old_teams) != (self.new_visibility, self.new_teams)

    @property
    def widens(self) -> bool:
        """Whether anyone may do something they may not do now (the Data page asks to confirm)."""
        return bool(self.gains)

    @property
    def teams_added(self) -> tuple[str, ...]:
        return tuple(t for t in self.new_teams if t not in self.old_teams)

    @property
    def teams_removed(self) -> tuple[str, ...]:
        return tuple(t for t in self.old_teams if t not in self.new_teams)

    @property
    def before(self) -> str:
        """The old sharing in words, e.g. ``team (desk-a, desk-b)``."""
        return _sharing(self.old_visibility, self.old_teams)

    @property
    def after(self) -> str:
        """The new sharing in words."""
        return _sharing(self.new_visibility, self.new_teams)

    def summary(self) -> str:
        """From → to, teams added and removed, who gains and who loses (one line, plain text)."""
        if not self.changed:
            return f"nothing to change: it is already {self.before}"
        parts = [f"{self.before} → {self.after}"]
        parts += [f"teams added: {', '.join(self.teams_added)}"] if self.teams_added else []
        parts += [f"teams removed: {', '.join(self.teams_removed)}"] if self.teams_removed else []
        parts += [f"gains access: {'; '.join(map(str, self.gains))}"] if self.gains else []
        parts += [f"loses access: {'; '.join(map(str, self.losses))}"] if self.losses else []
        return "; ".join(parts)


def _sharing(visibility: str, teams: tuple[str, ...]) -> str:
    return visibility + (f" ({', '.join(teams)})" if teams else "")


def share_change(*, old_visibility: str, old_teams: Iterable[str], new_visibility: str,
                 new_teams: Iterable[str]) -> ShareChange:  # fmt: skip
    """Compare a dataset's sharing with the one a Save would write: who gains and who loses access.

    "Who" is every group whose rights can differ between the two: the members of each team
    either side names (one user per team, in that team only) and :data:`OTHERS`. Their rights
    come from :func:`allowed` over :data:`SHARED_ACTIONS`, so the answer follows the permission
    table: private → anything, team → signed_in or link, a team added, link → signed_in (now
    listed to everyone) all widen; the reverse of each narrows. A change can do both (one team
    swapped for another): it widens if anyone gains anything.

    Parameters
    ----------
    old_visibility, old_teams
        The sharing stored now (a key of :data:`VISIBILITIES` and its teams).
    new_visibility, new_teams
        The sharing the Data page's widgets ask for.

    Returns
    -------
    ShareChange
        Both sides normalised by :func:`check_grant`, with ``gains`` and ``losses``.

    Raises
    ------
    ValueError
        When either side is not a valid sharing (an unknown visibility, ``team`` with no team).
    """
    old = check_grant(old_visibility, old_teams)
    new = check_grant(new_visibility, new_teams)
    # The owner and admins are left out: every visibility gives them every action.
    who = {f"members of team {t}": User(sub=f"member:{t}", groups=frozenset({t})) for t in sorted({*old.teams, *new.teams})}
    who[OTHERS] = User(sub="other")  # in none of the named teams
    gains: list[Access] = []
    losses: list[Access] = []
    for label, user in who.items():
        before = {a for a in SHARED_ACTIONS if allowed(user, a, old)}
        after = {a for a in SHARED_ACTIONS if allowed(user, a, new)}
        if after - before:
            gains.append(Access(label, tuple(a for a in SHARED_ACTIONS if a in after - before)))
        if before - after:
            losses.append(Access(label, tuple(a for a in SHARED_ACTIONS if a in before - after)))
    return ShareChange(old.visibility, old.teams, new.visibility, new.teams, tuple(gains), tuple(losses))


def confirm_prompt(name: str, change: ShareChange) -> str:
    """What the Data page asks before a Save that widens who sees dataset ``name``."""
    return f"This widens who sees {name}: {change.summary()}. Nothing is saved until you confirm."


def saved_notice(name: str, change: ShareChange) -> str:
    """What the Data page says after a Save wrote ``change`` to dataset ``name``."""
    return f"{name}: {change.summary()}. It is now visible to {VISIBILITIES[change.new_visibility]}."
