"""Who may do what with a dataset: users, roles, visibility and the permission rules, as data.

Nothing here reads a file or a database: the store asks :func:`allowed` before every read or
write, and the Data page asks it before drawing a control. With sign-in off the one analyst
at the machine is :data:`LOCAL` (today's behaviour: every dataset is theirs to see and change).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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


def user_from_claims(claims: Mapping[str, object], *, role_claim: str, admins: str, analysts: str) -> User:
    """The user an identity token describes: role and teams from its ``role_claim`` (e.g. ``groups``).

    ``admins`` and ``analysts`` are comma-separated group names; a user in neither is a viewer.
    The claim may be a list of names or one name.
    """
    raw = claims.get(role_claim, ())
    groups = frozenset(str(g)[:100] for g in ([raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else ()))
    role = "admin" if groups & _names(admins) else "analyst" if groups & _names(analysts) else "viewer"
    text = {k: str(claims.get(k) or "")[:200] for k in ("sub", "name", "email")}
    return User(sub=text["sub"], name=text["name"], email=text["email"], groups=groups, role=role)


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
