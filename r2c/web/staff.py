"""Who is logged in to the werkomgeving: the contract between the login (r2c.web.login: local accounts, OpenID
Connect, server-side sessions) and the pages that use it (werkvoorraad, challenge page, reports).

A page router takes a FastAPI dependency that yields a ``Staff`` (``Depends(staff)``); the login module gives it
(``require_staff``): no session or an expired one sends the browser to the login and, after it, back to the page
asked for. A page then acts with ``staff.actor()``, so the service's policy decides what this person may do.
"""

from __future__ import annotations

from dataclasses import dataclass

from r2c.engine.case import Actor


@dataclass(frozen=True)
class Staff:
    """A logged-in ambtenaar of one gemeente.

    Attributes:
        id: stable id of the person (a local account's id, or the OIDC subject): the actor id in the history and
            the behandelaar id an assignment stores.
        naam: the name to show ('B. Jansen').
        email: the e-mail address (the login name of a local account).
        gemeente: the only gemeente whose pages this person reaches (another gemeente's page is a 404).
        rollen: every role this person has (behandelaar, teamleider, college, lezer, beheerder, or a
            definition's own role).
        rol: the role they act in now (one of ``rollen``; a person with several may switch).
        csrf: the session's CSRF token, for the forms of its pages.
    """

    id: str
    naam: str
    email: str
    gemeente: str
    rollen: tuple[str, ...]
    rol: str
    csrf: str = ""

    def actor(self) -> Actor:
        """The service's actor for this person in the role they act in now."""
        return Actor(self.id, self.rol, self.gemeente)

    def may(self, *rollen: str) -> bool:
        """Whether one of ``rollen`` is among this person's roles."""
        return any(r in self.rollen for r in rollen)
