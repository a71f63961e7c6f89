"""Trying a procedure out in memory (``r2c workflows proef``): events and passing days on one case, no database.

A walk is a list of steps: ``event[@rol][:veld=waarde,...]`` fires an event, ``+Nd`` lets N days pass. Each
step is answered the way the real service and planner would: the engine fires the event
(r2c.engine.workflow), the term plan turns its TermChanged events into term rows (``plan_term_changes``, the
service's own, on plain dicts), and a passing day handles every term's reminders, escalation and lapse as the
planner's sweep does (``due_moments``, ``next_due``, ``recipient`` of r2c.termijnen.planning; a lapsed term fires
its ``bij_verstrijken`` event as role ``systeem``). The module lives in the service layer because the term plan
does; it opens no database and reads no wall clock: every step runs on a FixedClock set to its own day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from types import MappingProxyType
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from r2c.clock import FixedClock
from r2c.definitions.catalog import Catalog
from r2c.definitions.graph import Edge
from r2c.definitions.indiening import FLAG_FACT, party_facts, submitting_events
from r2c.definitions.loader import Loaded
from r2c.definitions.schema import Definition, Gegeven
from r2c.definitions.voorwaarden import OORDELEN, getal_tekst
from r2c.engine.case import Actor, Case, CaseClosed, LetterRequested, Outcome, TermChanged
from r2c.engine.workflow import Workflow
from r2c.errors import EngineError, R2CError, TermijnError
from r2c.service.terms import plan_term_changes
from r2c.service.views import term_view
from r2c.termijnen import Termijn, due_moments, next_due, recipient
from r2c.termijnen.acties import OPEN

STAP_VORM = "event[@rol][:veld=waarde,...] of +Nd (N dagen later), bv. indienen, aanvulling_vragen@behandelaar, " \
            "voorleggen:weigering_op_andere_feiten=ja, +14d"
"""What a step looks like, for the message about a malformed one."""

ONVOLLEDIG = "vereisten_onvolledig"
"""The voorwaarde of a step that needs an incomplete request (aanvulling_vragen): the step before it gets no
vereisten by default."""

AFWIJZING = "criterium_voldoet_niet"
"""The voorwaarde of a step that needs a criterion that does not meet (afwijzen): the assessment before it gives
the first criterion voldoet_niet by default."""

SYSTEEM = "r2c:planner"
"""The actor id of events the planner fires (as r2c.scheduler.jobs does)."""

_EVENT = re.compile(r"^([a-z][a-z0-9_]*)(?:@([a-z][a-z0-9_]*))?(?::(.*))?$")
_DAGEN = re.compile(r"^\+(\d+)d$")
_VELD = re.compile(r"^([a-z][a-z0-9_]*)=(.*)$")
_JA = {"ja": True, "true": True, "waar": True, "nee": False, "false": False, "onwaar": False}


class ProefError(R2CError):
    """A walk that cannot be read: a malformed step, an unknown gemeente, event, role or field, a bad value."""


@dataclass(frozen=True)
class Stap:
    """One step of a walk, as typed.

    Attributes:
        tekst: the step as given.
        event: the event to fire; None for passing days.
        rol: the role given with ``@``; None for the default.
        velden: (name, raw value) pairs given after ``:``.
        dagen: how many days pass (``+Nd``); 0 for an event.
    """

    tekst: str
    event: str | None = None
    rol: str | None = None
    velden: tuple[tuple[str, str], ...] = ()
    dagen: int = 0


def parse_stap(tekst: str) -> Stap:
    """The step ``tekst`` (``event[@rol][:veld=waarde,...]`` or ``+Nd``); ProefError when it is none."""
    if (days := _DAGEN.match(tekst)) is not None:
        if int(days.group(1)) < 1:
            raise ProefError(f"stap '{tekst}': laat minstens 1 dag verstrijken (+1d)")
        return Stap(tekst, dagen=int(days.group(1)))
    found = _EVENT.match(tekst)
    if found is None:
        raise ProefError(f"stap '{tekst}' begrijp ik niet; een stap is {STAP_VORM}")
    velden = []
    for part in (found.group(3) or "").split(",") if found.group(3) is not None else ():
        veld = _VELD.match(part.strip())
        if veld is None:
            raise ProefError(f"stap '{tekst}': '{part}' is geen veld=waarde; een stap is {STAP_VORM}")
        velden.append((veld.group(1), veld.group(2)))
    return Stap(tekst, found.group(1), found.group(2), tuple(velden))


def begin(catalog: Catalog, gemeente: str, *, versie: str | None, op: date | None,
          vandaag: date) -> tuple[Loaded, date]:
    """The definition a walk runs on and the day of its first step.

    Without ``op`` the walk starts ``vandaag`` (the clock's date), or on the version's ``geldig_vanaf`` when that is
    later (a version not yet in force); without ``versie`` it uses the version in force on that day.
    """
    known = catalog.ids(soort="gemeente")
    if gemeente not in known:
        raise ProefError(f"onbekende gemeente '{gemeente}'; bekend: {', '.join(known)}")
    if versie is not None:
        loaded = catalog.get(gemeente, versie)
        return loaded, op or max(vandaag, loaded.definition.geldig_vanaf)
    day = op or vandaag
    return catalog.in_force(gemeente, day), day


def _noon(day: date) -> FixedClock:
    return FixedClock(datetime.combine(day, time(12), tzinfo=timezone.utc))


class Proef:
    """One case walked through a definition in memory, with its terms as the service would store them.

    Attributes:
        workflow: the compiled definition version.
        case: the case as it is now.
        day: the day of the step being taken (the last day that passed).
        terms: term run id -> its row (id, name, processed_until and the columns of r2c.store.writes.MUTABLE).
        afwijzing_volgt: a later step of the walk needs a criterion that does not meet (set by ``walk``), so the
            default beoordelingen give the first criterion ``voldoet_niet``.
    """

    def __init__(self, workflow: Workflow, day: date):
        self.workflow = workflow
        self.case: Case = workflow.start()
        self.day = day
        self.terms: dict[int, dict[str, Any]] = {}
        self.afwijzing_volgt = False

    @property
    def definition(self) -> Definition:
        """The definition of the walk."""
        return self.workflow.definition

    def check(self, stappen: list[Stap]) -> None:
        """ProefError for a step naming an event or role the definition does not know."""
        events, rollen = self.workflow.events(), list(self.definition.rollen)
        for stap in stappen:
            if stap.event is not None and stap.event not in events:
                raise ProefError(f"stap '{stap.tekst}': onbekend event '{stap.event}'; bestaande events: "
                                 f"{', '.join(events)}")
            if stap.rol is not None and stap.rol not in rollen:
                raise ProefError(f"stap '{stap.tekst}': onbekende rol '{stap.rol}'; rollen: {', '.join(rollen)}")

    def walk(self, stappen: list[Stap]) -> list[dict[str, Any]]:
        """Every step's result, up to and including the first refused one (which has ``geweigerd``)."""
        self.check(stappen)
        results = []
        for index, stap in enumerate(stappen):
            later = next((s.event for s in stappen[index + 1:] if s.event is not None), None)
            self.afwijzing_volgt = self._refusal_ahead(stappen[index + 1:])
            result = self.pass_days(stap) if stap.event is None else self.fire_step(stap, later)
            results.append(result)
            if "geweigerd" in result:
                break
        return results

    # -- steps -----------------------------------------------------------------------------------------------

    def fire_step(self, stap: Stap, later: str | None = None) -> dict[str, Any]:
        """Fire the step's event on the day of the walk; ``later`` is the next event of the walk, if any."""
        event = stap.event
        assert event is not None
        edges = [e for e in self.workflow.loaded.graph.edges if e.event == event]
        here = [e for e in edges if e.source == self.case.state]
        rol = stap.rol or (here or edges)[0].spec.rollen[0]
        candidates = [e for e in here if rol in e.spec.rollen]
        incomplete = self._needs_incomplete(later)
        submitting = self.case.state == self.definition.initieel and event in submitting_events(self.definition)
        partij, stap = self._party(stap) if submitting else (None, stap)
        data, reason = self._data(stap, candidates, incomplete=incomplete)
        result: dict[str, Any] = {"stap": stap.tekst, "dag": self.day.isoformat(), "event": event, "rol": rol,
                                  "rol_standaard": stap.rol is None, "gegevens": data, "reden": reason}
        given = {name for name, _ in stap.velden}
        if incomplete and any(g.type == "vereisten" and name not in given
                              for e in candidates for name, g in e.spec.gegevens.items()):
            result["let_op"] = (f"geen vereisten meegegeven: de volgende stap, {later}, vraagt om een onvolledige "
                                "aanvraag")
        if submitting and self.definition.toelating.partijen:  # as the service's submit: refused or recorded
            result["partij"] = partij
            facts, refused = party_facts(self.definition, partij)
            if refused:
                return {**result, "geweigerd": f"partij: {refused['partij']}", **self.now()}
            self.case = replace(self.case, facts=MappingProxyType({**self.case.facts, **facts}))
            if FLAG_FACT in facts:
                result["let_op"] = f"gemarkeerd voor de behandelaar: {facts[FLAG_FACT]}"
        try:
            outcome = self._fire(event, Actor(f"proef:{rol}", rol, self.definition.id), data, reason)
        except (EngineError, TermijnError) as error:  # TermijnError: a verdaging after the term lapsed (Awb 4:14)
            return {**result, "geweigerd": str(error), **self.now()}
        return {**result, "brieven": self._letters(outcome), **self.now()}

    def _party(self, stap: Stap) -> tuple[str | None, Stap]:
        """The kind of party of a submitting step (``partij=...``; default the first admitted kind the definition
        lists), and the step without it."""
        given = dict(stap.velden).get("partij")
        kinds = self.definition.toelating.partijen
        default = next((key for key, kind in kinds.items() if kind.toegelaten), None)
        rest = tuple((name, value) for name, value in stap.velden if name != "partij")
        return (given if given is not None else default), replace(stap, velden=rest)

    def pass_days(self, stap: Stap) -> dict[str, Any]:
        """Let the step's days pass, each one swept as the planner would."""
        first = self.day + timedelta(days=1)
        gebeurd: list[dict[str, Any]] = []
        brieven: list[dict[str, Any]] = []
        for offset in range(stap.dagen):
            self.day = first + timedelta(days=offset)
            self._sweep(gebeurd, brieven)
        return {"stap": stap.tekst, "dagen": stap.dagen, "van": first.isoformat(), "tot_en_met": self.day.isoformat(),
                "gebeurd": gebeurd, "brieven": brieven, **self.now()}

    def now(self) -> dict[str, Any]:
        """The state, the open terms and the events each role may fire, as they are now."""
        d = self.definition
        fase, staat = self.case.state.split(".", 1)
        terms = [{"naam": t["name"], "label": d.termijnen[t["name"]].label if t["name"] in d.termijnen else t["name"],
                  "status": t["status"], "einddatum": t["einddatum"].isoformat() if t["einddatum"] else None,
                  "opgeschort_vanaf": t["suspended_from"].isoformat() if t["suspended_from"] else None,
                  **self._owed(t)}
                 for t in self._open()]
        allowed = {rol: events for rol in d.rollen if (events := self.workflow.allowed_events(self.case, rol))}
        return {"staat": {"code": self.case.state, "fase": d.fasen[fase].label,
                          "label": d.fasen[fase].staten[staat].label, "resultaat": self.case.resultaat},
                "termijnen": terms, "mag_nu": allowed}

    # -- the engine and the term plan --------------------------------------------------------------------------

    def _fire(self, event: str, actor: Actor, data: dict[str, Any], reason: str | None) -> Outcome:
        outcome = self.workflow.fire(self.case, event, actor=actor, clock=_noon(self.day), data=data, reason=reason)
        changed = outcome.events[0]
        plan = plan_term_changes(running=self._open(), challenge_id="proef", gemeente=self.definition.id,
                                 definition=self.definition, changes=list(outcome.of(TermChanged)), on=self.day,
                                 artikel=changed.artikel, event=changed.event, closing=bool(outcome.of(CaseClosed)))
        for term_id, columns in plan.updates.items():
            self.terms[term_id].update(columns)
        for row in plan.inserts:
            term_id = len(self.terms) + 1
            self.terms[term_id] = {"suspended_from": None, "suspension_basis": None, "stopped_on": None,
                                   "processed_until": None, **row, "id": term_id}
        self.case = outcome.case
        return outcome

    def _owed(self, term: dict[str, Any]) -> dict[str, Any]:
        """For the term after an ingebrekestelling: the dwangsom owed up to today (Awb 4:17), as the API shows it."""
        if term["name"] not in self.definition.termijnen or self.definition.termijnen[term["name"]].dwangsom is None:
            return {}
        owed = term_view(SimpleNamespace(**term), self.definition, today=self.day).dwangsom
        assert owed is not None
        return {"dwangsom": {"tot_en_met": owed.tot_en_met.isoformat(), "verbeurd": owed.verbeurd,
                             "maximum": owed.maximum, "uitleg": list(owed.uitleg)}}

    def _open(self) -> list[dict[str, Any]]:
        return [dict(t) for t in self.terms.values() if t["status"] in OPEN]

    def _sweep(self, gebeurd: list[dict[str, Any]], brieven: list[dict[str, Any]]) -> None:
        """One day of the planner's sweep (r2c.scheduler.jobs.sweep_terms): each running term with something due,
        in the order it claims them, until none is left."""
        day = self.day
        while True:
            due = [t for t in self.terms.values()
                   if t["status"] == "lopend" and t["next_due"] is not None and t["next_due"] <= day]
            if not due:
                return
            term = min(due, key=lambda t: (t["next_due"], t["id"]))
            spec = self.definition.termijnen.get(term["name"])
            label = spec.label if spec else term["name"]
            moments = due_moments(Termijn.uit_dict(term["termijn"]), term["einddatum"], term["processed_until"], day)
            term.update(processed_until=day, next_due=next_due(term["termijn"], "lopend", term["einddatum"], day))
            for moment in moments:
                item = {"dag": moment.on.isoformat(), "soort": moment.kind, "termijn": term["name"], "label": label,
                        "einddatum": term["einddatum"].isoformat(), "moment": moment.label}
                if moment.kind != "verlopen":
                    item["aan"] = recipient(moment.kind, spec.herinneren if spec else None)
                gebeurd.append(item)
            if any(m.kind == "verlopen" for m in moments) and spec is not None and spec.bij_verstrijken:
                fired = {"dag": day.isoformat(), "soort": "event", "event": spec.bij_verstrijken, "rol": "systeem"}
                try:
                    outcome = self._fire(spec.bij_verstrijken, Actor(SYSTEEM, "systeem", self.definition.id), {},
                                         f"{spec.label} verstreken op {term['einddatum'].isoformat()}")
                except R2CError as error:  # the case moved on: the planner fires nothing either
                    fired["geweigerd"] = str(error)
                else:
                    fired["staat"] = outcome.case.state
                    brieven += self._letters(outcome)
                gebeurd.append(fired)

    def _letters(self, outcome: Outcome) -> list[dict[str, Any]]:
        brieven = self.definition.brieven
        return [{"dag": self.day.isoformat(), "brief": letter.template,
                 "titel": brieven[letter.template].titel if letter.template in brieven else letter.template,
                 "aan": letter.aan} for letter in outcome.of(LetterRequested)]

    # -- data ----------------------------------------------------------------------------------------------------

    def _refusal_ahead(self, stappen: list[Stap]) -> bool:
        """Whether a later step, before the next assessment, needs a criterion that does not meet (afwijzen)."""
        edges = self.workflow.loaded.graph.edges
        for stap in stappen:
            spec = [e.spec for e in edges if e.event == stap.event]
            if any(g.type == "beoordelingen" for s in spec for g in s.gegevens.values()):
                return False
            if any(AFWIJZING in s.voorwaarden for s in spec):
                return True
        return False

    def _needs_incomplete(self, event: str | None) -> bool:
        return event is not None and any(ONVOLLEDIG in e.spec.voorwaarden
                                         for e in self.workflow.loaded.graph.edges if e.event == event)

    def _data(self, stap: Stap, candidates: list[Edge], *, incomplete: bool) -> tuple[dict[str, Any], str]:
        """The event data and reason: what meets every voorwaarde, with the step's own ``veld=waarde`` on top."""
        fields: dict[str, Gegeven] = {}
        for edge in candidates:
            fields.update(edge.spec.gegevens)
        required = set.intersection(*({k for k, g in e.spec.gegevens.items() if g.verplicht} for e in candidates)) \
            if candidates else set()
        d = self.definition
        label = candidates[0].spec.label if candidates else stap.event
        data: dict[str, Any] = {}
        for name, spec in fields.items():
            if spec.type == "vereisten":
                if not incomplete or name in required:
                    data[name] = [] if incomplete else list(d.vereisten)
            elif spec.type == "beoordelingen":
                data[name] = {k: {"oordeel": "voldoet", "motivering": f"Proef: {c.label}."}
                              for k, c in d.criteria.items()}
                if self.afwijzing_volgt and d.criteria:  # the first criterion fails, so the afwijzing may follow
                    first = next(iter(d.criteria))
                    data[name][first] = {"oordeel": "voldoet_niet", "motivering": f"Proef: {d.criteria[first].label}."}
            elif name in required:
                data[name] = self._plausible(spec, name)
        for vereiste in d.vereisten.values():  # a count or amount within the bounds of its vereiste
            if vereiste.gegeven in fields and vereiste.gegeven not in data and not incomplete:
                bound = next((b for b in (vereiste.minimum, vereiste.maximum) if b is not None), 1)
                kind = fields[vereiste.gegeven].type
                data[vereiste.gegeven] = getal_tekst(bound) if kind == "bedrag" else \
                    (int(bound) if float(bound).is_integer() else bound)
        reason = f"Proef: {label}."
        for name, raw in stap.velden:
            if name == "reden" and name not in fields:
                reason = raw
            elif not candidates:
                data[name] = raw  # the engine refuses the step for its state or role first
            elif name not in fields:
                raise ProefError(f"stap '{stap.tekst}': onbekend gegeven '{name}' bij '{stap.event}'; gegevens van "
                                 f"deze stap: {', '.join(fields) or 'geen'} (en reden=...)")
            else:
                data[name] = self._value(stap, name, fields[name], raw, data.get(name))
        return data, reason

    def _plausible(self, spec: Gegeven, name: str) -> Any:
        return {"ja_nee": False, "getal": 1, "bedrag": "10000.00", "datum": self.day.isoformat(),
                "lijst": ["proef"]}.get(spec.type, f"Proef: {spec.label or name}.")

    def _value(self, stap: Stap, name: str, spec: Gegeven, raw: str, default: Any) -> Any:
        """``raw`` read as the field's type (``;`` separates the items of a list)."""
        def bad(what: str) -> ProefError:
            return ProefError(f"stap '{stap.tekst}': {name}='{raw}' {what}")

        kind = spec.type
        if kind == "ja_nee":
            if raw.lower() not in _JA:
                raise bad("is geen ja of nee")
            return _JA[raw.lower()]
        if kind == "getal":
            try:
                return int(raw)
            except ValueError:
                try:
                    return float(raw)
                except ValueError:
                    raise bad("is geen getal") from None
        if kind == "bedrag":
            try:
                Decimal(raw)
            except InvalidOperation:
                raise bad("is geen bedrag (bv. 12500.00)") from None
            return raw
        if kind == "datum":
            try:
                return date.fromisoformat(raw).isoformat()
            except ValueError:
                raise bad("is geen datum (JJJJ-MM-DD)") from None
        if kind in ("lijst", "vereisten"):
            return [item for item in raw.split(";") if item]
        if kind == "beoordelingen":
            oordelen = dict(default or {})
            for item in filter(None, raw.split(";")):
                key, _, oordeel = item.partition(":")
                if oordeel not in OORDELEN:
                    raise bad(f"geeft bij '{key}' geen oordeel; schrijf criterium:oordeel met oordeel een van "
                              f"{', '.join(OORDELEN)}")
                oordelen[key] = {"oordeel": oordeel, "motivering": f"Proef: {oordeel}."}
            return oordelen
        return raw
