"""Demo data for ``make run``: challenges in different phases across two gemeenten, and API keys to try them.

Everything goes through the public ``ChallengeService`` (submit, assign, fire), so the demo has real history,
terms, letters and outbox messages, exactly as if people had done it. Every step is allowed on any day from
2026-01-01 on: gouda runs on 2024.1 until 2026-07-01 and on 2026.1 after, with the same events for these paths.
Seeding is idempotent: a database that already holds a challenge gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select

from r2c.clock import today
from r2c.definitions.schema import Definition
from r2c.engine.case import Actor
from r2c.service import ChallengeService, Initiatiefnemer

DataFn = Callable[[Definition, date], Mapping[str, Any]]
"""Event data that depends on the challenge's definition (its criteria) or on today's date."""

STAFF: dict[str, dict[str, str]] = {
    "gouda": {"behandelaar": "b.jansen@gouda.example", "teamleider": "t.smit@gouda.example", "college": "college"},
    "vught": {"behandelaar": "m.vandijk@vught.example", "teamleider": "r.bakker@vught.example", "college": "college"},
}
"""Fictitious staff per demo gemeente: the actor ids the demo acts as, per role."""


DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = tuple(
    (gemeente, rol, email, f"demo-{gemeente}-{rol}-2026")
    for gemeente, emails in {
        "gouda": {"behandelaar": "b.jansen@gouda.example", "teamleider": "t.smit@gouda.example",
                  "college": "w.devries@gouda.example", "lezer": "l.visser@gouda.example"},
        "vught": {"behandelaar": "m.vandijk@vught.example", "teamleider": "r.bakker@vught.example",
                  "college": "a.hendriks@vught.example", "lezer": "s.mulder@vught.example"},
    }.items() for rol, email in emails.items())
"""Demo logins for the werkomgeving (gemeente, rol, e-mail, password): fixed passwords, only in demo data. The
behandelaars and teamleiders act under the same ids as in the demo challenges (their e-mail)."""


class AccountMaker(Protocol):
    """What ``seed_accounts`` needs (``r2c.service.accounts.Accounts`` fits)."""

    def create(self, *, gemeente: str, rollen: list[str], email: str, naam: str | None = None,
               password: str | None = None, id: str | None = None) -> Any:
        """A new account."""
        ...

    def list(self, *, gemeente: str | None = None) -> list[Any]:
        """The accounts."""
        ...


def seed_accounts(accounts: AccountMaker) -> list[str]:
    """Make the demo logins that do not exist yet; the Dutch lines that list every one with its password."""
    existing = {a.email for a in accounts.list()}
    for gemeente, rol, email, password in DEMO_ACCOUNTS:
        if email not in existing:
            naam = email.split("@")[0].replace(".", " ").title()
            accounts.create(gemeente=gemeente, rollen=[rol], email=email, naam=naam, password=password, id=email)
    lines = ["Inloggen in de werkomgeving (/inloggen), alleen voor de demo:"]
    lines += [f"  {g:<6} {r:<12} {e:<26} {p}" for g, r, e, p in DEMO_ACCOUNTS]
    return lines


class KeyIssuer(Protocol):
    """What ``seed`` needs to hand out API keys (``r2c.service.access.KeyStore`` fits)."""

    def create(self, *, gemeente: str, rollen: list[str], naam: str) -> Any:
        """A new key; the result's ``secret`` is the plaintext key, shown once."""
        ...


@dataclass(frozen=True)
class Step:
    """One thing that happens to a demo challenge.

    Attributes:
        who: the role that does it ('behandelaar', 'teamleider', 'college' or 'initiatiefnemer').
        event: the event fired.
        data: the event's data, or a function of the definition and today giving it.
        reason: the reason (motivering) recorded with it.
    """

    who: str
    event: str
    data: Mapping[str, Any] | DataFn | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A demo challenge: who submits what, who handles it, and the steps that bring it to its state.

    Attributes:
        gemeente, titel: where and what.
        initiatiefnemer: the (fictitious) submitter.
        omschrijving: the plan in a few sentences.
        ontbreekt: vereisten left out of the submission (so an aanvulling can be asked).
        behandelaar: the behandelaar the teamleider assigns (None: not yet assigned).
        steps: what happens after submission, in order.
    """

    gemeente: str
    titel: str
    initiatiefnemer: Initiatiefnemer
    omschrijving: str
    ontbreekt: tuple[str, ...] = ()
    behandelaar: str | None = None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class DemoChallenge:
    """A challenge the demo created.

    Attributes:
        id, titel, gemeente: which challenge.
        state, state_label: where it stands after seeding.
        behandelaar: the assigned behandelaar, if any.
        status_path: the initiatiefnemer's status page (``/status/<token>``), when the service issued a link.
    """

    id: str
    titel: str
    gemeente: str
    state: str
    state_label: str
    behandelaar: str | None
    status_path: str | None


@dataclass(frozen=True)
class DemoKey:
    """An API key the demo created; ``secret`` is shown this once.

    Attributes:
        gemeente: the gemeente it works for; rollen: its roles; naam: its holder (the actor id in the history).
        secret: the plaintext key for ``Authorization: Bearer``.
    """

    gemeente: str
    rollen: tuple[str, ...]
    naam: str
    secret: str


@dataclass(frozen=True)
class DemoReport:
    """What ``seed`` did.

    Attributes:
        challenges: the challenges created (empty when the database already held some).
        keys: the API keys created.
        existing: how many challenges the database held before; seeding only happens when it is 0.
        keys_requested: whether a key issuer was passed (False: no keys were made).
    """

    challenges: tuple[DemoChallenge, ...] = ()
    keys: tuple[DemoKey, ...] = ()
    existing: int = 0
    keys_requested: bool = False

    @property
    def seeded(self) -> bool:
        """Whether this run added the demo data."""
        return bool(self.challenges)

    @property
    def status_paths(self) -> tuple[str, ...]:
        """The status pages of the demo initiatiefnemers."""
        return tuple(c.status_path for c in self.challenges if c.status_path)

    def lines(self, *, base_url: str = "") -> list[str]:
        """Dutch lines to print; paths are prefixed with ``base_url`` (e.g. http://127.0.0.1:8000)."""
        if not self.seeded:
            return [(f"De database bevat al {self.existing} uitdaging(en): geen demogegevens toegevoegd "
                     "(de demosleutels en statuslinks zijn bij de eerste keer getoond).")]
        gemeenten = sorted({c.gemeente for c in self.challenges})
        lines = [f"Demogegevens: {len(self.challenges)} uitdagingen bij {' en '.join(gemeenten)}."]
        for c in self.challenges:
            wie = f", behandelaar {c.behandelaar}" if c.behandelaar else ", nog niet toegewezen"
            lines.append(f"  {c.gemeente:<6} {c.state:<40} {c.titel}{wie}")
        if self.keys:
            lines.append("API-sleutels (worden niet opnieuw getoond):")
            lines += [f"  {k.gemeente:<6} {','.join(k.rollen):<22} {k.naam:<28} {k.secret}" for k in self.keys]
            lines.append(f'  Gebruik: curl -H "Authorization: Bearer <sleutel>" {base_url}/api/v1/challenges')
        elif not self.keys_requested:
            lines.append("Geen API-sleutels aangemaakt (geen sleutelbeheer meegegeven).")
        if self.status_paths:
            lines.append("Statuspagina's van de initiatiefnemers:")
            lines += [f"  {c.titel}: {base_url}{c.status_path}" for c in self.challenges if c.status_path]
        else:
            lines.append("Geen statuslinks: deze versie van de service geeft er geen uit.")
        return lines


def seed(service: ChallengeService, *, keys: KeyIssuer | None = None) -> DemoReport:
    """Add the demo challenges (and, with ``keys``, demo API keys) unless the database holds a challenge already."""
    existing = _count_challenges(service)
    if existing:
        return DemoReport(existing=existing, keys_requested=keys is not None)
    created = tuple(_play(service, scenario) for scenario in SCENARIOS)
    issued = tuple(_issue_keys(keys)) if keys is not None else ()
    return DemoReport(challenges=created, keys=issued, keys_requested=keys is not None)


# -- how ----------------------------------------------------------------------------------------------------

def _count_challenges(service: ChallengeService) -> int:
    """Every challenge in the database, of any gemeente (the service's own searches are per gemeente)."""
    from r2c.store.challenges import CHALLENGE

    with service.reading() as session:
        return session.execute(select(func.count()).select_from(CHALLENGE)).scalar_one()


def _play(service: ChallengeService, scenario: Scenario) -> DemoChallenge:
    """Submit the scenario's challenge and take it through its steps."""
    day = today(service.clock)
    definition = service.catalog.in_force(scenario.gemeente, day).definition
    vereisten = [v for v in definition.vereisten if v not in scenario.ontbreekt]
    fired = service.submit(gemeente=scenario.gemeente, titel=scenario.titel, initiatiefnemer=scenario.initiatiefnemer,
                           data={"omschrijving": scenario.omschrijving, "vereisten": vereisten})
    token = getattr(fired, "status_token", None)
    challenge = fired.challenge
    staff = STAFF[scenario.gemeente]
    if scenario.behandelaar:
        challenge = service.assign(challenge.id, behandelaar=scenario.behandelaar,
                                   actor=Actor(staff["teamleider"], "teamleider", scenario.gemeente))
    for step in scenario.steps:
        if step.who == "initiatiefnemer":
            actor = Actor(challenge.initiatiefnemer, "initiatiefnemer", scenario.gemeente)
        elif step.who == "behandelaar" and scenario.behandelaar:
            actor = Actor(scenario.behandelaar, "behandelaar", scenario.gemeente)
        else:
            actor = Actor(staff[step.who], step.who, scenario.gemeente)
        running = service.catalog.get(challenge.workflow, challenge.workflow_version).definition
        data = step.data(running, day) if callable(step.data) else step.data
        challenge = service.fire(challenge.id, step.event, actor=actor, data=data, reason=step.reason).challenge
    return DemoChallenge(challenge.id, challenge.titel, challenge.gemeente, challenge.state, challenge.state_label,
                         challenge.behandelaar, f"/status/{token}" if token else None)


def _issue_keys(keys: KeyIssuer) -> list[DemoKey]:
    """A behandelaar+teamleider key per demo gemeente, one college key and one lezer key (gouda)."""
    wanted = [(g, ["behandelaar", "teamleider"], staff["behandelaar"]) for g, staff in STAFF.items()]
    wanted.append(("gouda", ["college"], "college@gouda.example"))
    wanted.append(("gouda", ["lezer"], "demo-lezer@gouda.example"))
    issued = []
    for gemeente, rollen, naam in wanted:
        key = keys.create(gemeente=gemeente, rollen=rollen, naam=naam)
        issued.append(DemoKey(gemeente, tuple(rollen), naam, key.secret))
    return issued


def _beoordelingen(*, afwijkend: Mapping[str, tuple[str, str]] | None = None, aantal: int | None = None) -> DataFn:
    """Assessments of the definition's criteria: 'voldoet' with a motivering, except ``afwijkend``; the first
    ``aantal`` criteria only when given (a beoordeling still in progress)."""
    def data(definition: Definition, day: date) -> Mapping[str, Any]:
        items = list(definition.criteria.items())[:aantal]
        result = {}
        for key, criterium in items:
            label = criterium.label[0].lower() + criterium.label[1:]
            result[key] = {"oordeel": "voldoet", "motivering": f"Uit het plan en het gesprek blijkt: {label}."}
            if afwijkend and key in afwijkend:
                oordeel, motivering = afwijkend[key]
                result[key] = {"oordeel": oordeel, "motivering": motivering}
        return {"beoordelingen": result}
    return data


def _overeenkomst(budget: str, weken: int) -> DataFn:
    """Data of 'overeenkomst_sluiten': the budget and a start ``weken`` weeks from today."""
    return lambda definition, day: {"budget": budget, "startdatum": (day + timedelta(weeks=weken)).isoformat()}


def _toekennen(beoordelingen: DataFn) -> tuple[Step, ...]:
    """From 'ontvangen' to 'voorgelegd': taken in behandeling, every criterion assessed, put to the college."""
    return (Step("behandelaar", "in_behandeling_nemen"), Step("behandelaar", "beoordelen", beoordelingen),
            Step("teamleider", "voorleggen", {"weigering_op_andere_feiten": False}))


SCENARIOS: Sequence[Scenario] = (
    Scenario(
        "gouda", "Buurttuin Korte Akkeren",
        Initiatiefnemer("Fatima el Amrani", "fatima.elamrani@example.nl", "06-12345678",
                        "Bewonersgroep Groen Korte Akkeren", "Kastanjelaan 12, Gouda"),
        "Wij willen het braakliggende plantsoen aan de Kastanjelaan omvormen tot een buurttuin en die zelf "
        "onderhouden, met de buurtkinderen en de basisschool.",
    ),
    Scenario(
        "gouda", "Speeltuinonderhoud Oosterwei",
        Initiatiefnemer("Kees Verhoeven", "kees.verhoeven@example.nl", "06-23456789",
                        "Speeltuinvereniging Oosterwei"),
        "De speeltuinvereniging neemt het dagelijkse onderhoud en de veiligheidsinspecties van de speeltuin "
        "over.",
        ontbreekt=("begroting", "draagvlak"), behandelaar="b.jansen@gouda.example",
        steps=(Step("behandelaar", "aanvulling_vragen",
                    reason="De begroting en een overzicht van het draagvlak in de buurt ontbreken."),),
    ),
    Scenario(
        "gouda", "Beheer buurthuis De Wijkplaats",
        Initiatiefnemer("Anouk de Boer", "anouk.deboer@example.nl", "06-34567890", "Stichting De Wijkplaats",
                        "Bernadottelaan 4, Gouda"),
        "Stichting De Wijkplaats neemt het beheer van het buurthuis over: openstelling, verhuur van de zalen "
        "en het programma, met vrijwilligers uit de wijk.",
        behandelaar="s.dekker@gouda.example",
        steps=(Step("behandelaar", "in_behandeling_nemen"),
               Step("behandelaar", "kennismaking_plannen"),
               Step("behandelaar", "kennismaking_gehouden",
                    {"verslag": "Kennismaking met het bestuur van de stichting en de wijkteamleider; de "
                                "stichting stuurt de huurovereenkomsten van de vaste gebruikers na."}),
               Step("behandelaar", "beoordelen", _beoordelingen(aantal=4))),
    ),
    Scenario(
        "gouda", "Groenonderhoud Goverwelle",
        Initiatiefnemer("Joost Hendriks", "joost.hendriks@example.nl", "06-45678901",
                        "Buurtcoöperatie Goverwelle"),
        "De buurtcoöperatie maait de bermen, snoeit de heesters en houdt de vijverranden in Goverwelle bij, "
        "voor het budget dat de gemeente er nu aan besteedt.",
        behandelaar="b.jansen@gouda.example",
        steps=(*_toekennen(_beoordelingen()),
               Step("college", "toekennen", reason="Het plan voldoet aan alle criteria."),
               Step("college", "overeenkomst_sluiten", _overeenkomst("18500.00", 2)),
               Step("initiatiefnemer", "voortgang_melden",
                    {"voortgang": "De eerste maaironde is gedaan; twaalf vrijwilligers doen mee."})),
    ),
    Scenario(
        "vught", "Onderhoud plantsoenen Taalstraat",
        Initiatiefnemer("Marloes van den Heuvel", "marloes.vandenheuvel@example.nl", "06-56789012",
                        "Bewonersvereniging Taalstraat-Noord"),
        "De bewonersvereniging onderhoudt de plantsoenen langs de Taalstraat en vervangt de eenjarige "
        "beplanting door vaste planten.",
        behandelaar="m.vandijk@vught.example",
        steps=_toekennen(_beoordelingen()),
    ),
    Scenario(
        "vught", "Beheer dorpshuis Cromvoirt",
        Initiatiefnemer("Henk Smulders", "henk.smulders@example.nl", "06-67890123", "Stichting Dorpshuis Cromvoirt"),
        "De stichting wil het dorpshuis in eigendom en beheer overnemen, met een jaarlijkse bijdrage van de "
        "gemeente.",
        behandelaar="m.vandijk@vught.example",
        steps=(Step("behandelaar", "in_behandeling_nemen"),
               Step("behandelaar", "beoordelen", _beoordelingen(afwijkend={
                   "kosten": ("voldoet_niet", "De gevraagde bijdrage is hoger dan wat het beheer nu kost."),
                   "haalbaarheid": ("voldoet_niet", "De begroting steunt op verhuur die nog niet is toegezegd."),
               })),
               Step("behandelaar", "zienswijze_vragen",
                    reason="Wij zijn van plan af te wijzen en vragen eerst uw reactie."),
               Step("initiatiefnemer", "zienswijze_ontvangen",
                    {"zienswijze": "Wij kunnen de verhuur nu nog niet toezeggen, maar verwachten die binnen een "
                                   "jaar rond te hebben."}),
               Step("teamleider", "voorleggen", {"weigering_op_andere_feiten": False}),
               Step("college", "afwijzen",
                    reason="De kosten zijn hoger dan nu en de uitvoering is niet aantoonbaar haalbaar.")),
    ),
    Scenario(
        "vught", "Zwerfafval opruimen Helvoirt",
        Initiatiefnemer("Sanne Bakermans", "sanne.bakermans@example.nl", "06-78901234"),
        "Een groep bewoners ruimt elke week het zwerfafval op langs de Helvoirtse wegen en het sportpark.",
        behandelaar="m.vandijk@vught.example",
        steps=(Step("behandelaar", "in_behandeling_nemen"),
               Step("initiatiefnemer", "intrekken",
                    reason="Wij doen dit liever als vrijwilligers zonder overname van de taak.")),
    ),
    Scenario(
        "vught", "Kinderboerderij Vught-Noord",
        Initiatiefnemer("Ruud Verstappen", "ruud.verstappen@example.nl", "06-89012345",
                        "Vereniging Vrienden van de Kinderboerderij"),
        "De vereniging neemt de verzorging van de dieren en de openstelling van de kinderboerderij over.",
        behandelaar="m.vandijk@vught.example",
        steps=(Step("behandelaar", "in_behandeling_nemen"),
               Step("behandelaar", "advies_vragen",
                    reason="Advies gevraagd aan de dierenarts over het welzijn van de dieren.")),
    ),
)
"""The demo: gouda and vught, one challenge per phase of the procedure."""

