"""Who may do what: the one access policy that the service, the API and the pages ask.

The roles of a gemeente are its definition's ``rollen`` plus the fixed read-only roles (``READ_ONLY_ROLES``).
Which role may fire which event is the definition's (each transition's ``rollen``; the engine checks it); this
module holds the rules beside the workflow: reading, assigning, uploading, status links, the history, erasure,
and what an initiatiefnemer sees. Every refusal is ``AccessDenied`` with a Dutch sentence that says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from r2c.definitions.catalog import Catalog
from r2c.definitions.schema import Definition
from r2c.engine.case import Actor
from r2c.errors import AccessDenied

INITIATIEFNEMER = "initiatiefnemer"
"""The challenger's role: acts through the status link (or a host's own login), sees only their own challenge."""

READ_ONLY_ROLES = frozenset({"lezer", "beheerder"})
"""Roles that exist in every gemeente beside the definition's own: they read, and beheerder erases (AVG)."""
REPORT_ROLES = frozenset({"teamleider", "lezer", "beheerder"})
"""Roles that see the year report of their gemeente (r2c.reports): counts, no cases."""


@dataclass(frozen=True)
class Policy:
    """The access rules (stateless; one instance serves every gemeente).

    Attributes:
        read_only: the roles that read but change nothing (beheerder also erases).
    """

    read_only: frozenset[str] = READ_ONLY_ROLES

    # -- roles ---------------------------------------------------------------------------------------------

    def roles(self, definition: Definition) -> list[str]:
        """Every role an actor may have in a gemeente with this definition, sorted."""
        return sorted({*definition.rollen, *self.read_only})

    def key_roles(self, catalog: Catalog) -> dict[str, list[str]]:
        """Per gemeente, the roles an API key (or a user account) may carry: those of every version of its
        definition and the read-only roles, not the initiatiefnemer's (who uses the status link)."""
        found = {}
        for gemeente in catalog.ids(soort="gemeente"):
            roles = {*self.read_only}
            for loaded in catalog.versions(gemeente):
                roles |= set(loaded.definition.rollen)
            found[gemeente] = sorted(roles - {INITIATIEFNEMER})
        return found

    def check_actor(self, definition: Definition, actor: Actor, gemeente: str) -> None:
        """The actor works for ``gemeente``, has a valid id and a role that exists there."""
        if actor.gemeente != gemeente:
            raise AccessDenied(f"actor werkt voor gemeente '{actor.gemeente}', niet voor '{gemeente}'")
        if not isinstance(actor.id, str) or not actor.id.strip() or len(actor.id) > 200 or "\x00" in actor.id:
            raise AccessDenied("actor zonder geldige id (1 tot 200 tekens)")
        if actor.rol not in definition.rollen and actor.rol not in self.read_only:
            raise AccessDenied(f"rol '{actor.rol}' bestaat niet bij {gemeente} (wel: "
                               f"{', '.join(self.roles(definition))})")

    # -- who sees what -------------------------------------------------------------------------------------

    @staticmethod
    def is_initiatiefnemer(actor: Actor) -> bool:
        """The actor is the challenger: they see their own challenge only, and only what is meant for them."""
        return actor.rol == INITIATIEFNEMER

    def sees_challenge(self, actor: Actor, initiatiefnemer: str | None) -> bool:
        """Whether the actor may see a challenge of their gemeente whose initiatiefnemer has this party id."""
        return not self.is_initiatiefnemer(actor) or initiatiefnemer == actor.id

    def sees_staff_names(self, actor: Actor) -> bool:
        """Whether the actor may see who at the gemeente did something (history, conflicts, the behandelaar)."""
        return not self.is_initiatiefnemer(actor)

    def check_timeline(self, actor: Actor) -> None:
        """The history (with staff names, reasons and data) is for the gemeente's staff only."""
        if self.is_initiatiefnemer(actor):
            raise AccessDenied("de geschiedenis van een uitdaging is alleen voor medewerkers van de gemeente; "
                               "de initiatiefnemer ziet de stand van zaken op de statuspagina")

    def sees_contact(self, actor: Actor) -> bool:
        """Whether the actor sees the parties' contact data: staff who act on challenges (behandelaar,
        teamleider, college, ...); not a lezer or beheerder (AVG art. 5 lid 1 c: they read the case, they do not
        contact the initiatiefnemer), not the initiatiefnemer through this."""
        return self.may_change(actor) and not self.is_initiatiefnemer(actor)

    def check_contact(self, actor: Actor) -> None:
        """The parties' contact data: see ``sees_contact``."""
        if not self.sees_contact(actor):
            raise AccessDenied(f"de contactgegevens zijn niet zichtbaar in de rol {actor.rol}")

    # -- who changes what ----------------------------------------------------------------------------------

    def may_change(self, actor: Actor) -> bool:
        """Whether the actor's role may change anything at all (not a lezer or beheerder)."""
        return actor.rol not in self.read_only

    def check_submit(self, actor: Actor) -> None:
        """Submitting: the initiatiefnemer themself, or staff or a system on their behalf; not a read-only role."""
        if not self.may_change(actor):
            raise AccessDenied(f"een {actor.rol} dient geen uitdaging in")

    def check_upload(self, actor: Actor) -> None:
        """Adding a document: anyone who may change things (the initiatiefnemer too, for their own challenge)."""
        if not self.may_change(actor):
            raise AccessDenied(f"de rol {actor.rol} mag alleen lezen, geen documenten toevoegen")

    @staticmethod
    def assigns_others(actor: Actor) -> bool:
        """Whether the actor assigns challenges to anyone (a teamleider; the werkvoorraad's bulk assignment)."""
        return actor.rol == "teamleider"

    @staticmethod
    def handles(rollen: tuple[str, ...] | list[str]) -> bool:
        """Whether a person with these roles may be made a challenge's behandelaar (a behandelaar or teamleider)."""
        return "behandelaar" in rollen or "teamleider" in rollen

    def check_assign(self, actor: Actor, behandelaar: str) -> None:
        """A teamleider assigns anyone; a behandelaar only takes a challenge on themself."""
        himself = actor.rol == "behandelaar" and behandelaar == actor.id
        if not self.assigns_others(actor) and not himself:
            raise AccessDenied("alleen een teamleider wijst een behandelaar toe; een behandelaar alleen zichzelf")

    def check_status_links(self, actor: Actor) -> None:
        """Giving out or revoking status links: staff who act on challenges."""
        if not self.may_change(actor) or self.is_initiatiefnemer(actor):
            raise AccessDenied(f"een {actor.rol} kan geen statuslinks uitgeven of intrekken")

    @staticmethod
    def check_reports(actor: Actor) -> None:
        """The year report: a teamleider, lezer or beheerder of the gemeente."""
        if actor.rol not in REPORT_ROLES:
            raise AccessDenied("alleen een teamleider, lezer of beheerder ziet het jaarrapport")

    @staticmethod
    def check_erase(actor: Actor) -> None:
        """Erasing personal data (AVG): the beheerder only."""
        if actor.rol != "beheerder":
            raise AccessDenied("alleen een beheerder wist persoonsgegevens")


POLICY = Policy()
"""The policy r2c uses; the service's ``policy`` attribute, which a host may replace."""
