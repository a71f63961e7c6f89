"""Who hears of what: an outbox row becomes deliveries, one per channel and recipient, each with its context.

Rules (Dutch texts in r2c/notify/templates):

- every outbox row goes to the log channel and, as a CloudEvent, to every webhook (``webhook_urls``);
- a letter for the initiatiefnemer (``brieven`` of a transition, ``aan: initiatiefnemer``) is e-mailed to them
  (template ``mail/<letter>`` or else ``mail/brief``), the letter itself attached;
- a reminder (``termijn.herinnering``) goes to whoever must act (the term's ``herinneren``: the initiatiefnemer,
  or the behandelaar: their address, else the gemeente's team address);
- an escalation (``termijn.escalatie``) goes to the teamleider; the weekly digest (``overzicht.week``, about a
  gemeente) to the teamleider and the team address.

The context is a snapshot taken now (names, titles, dates), so a later change or erasure does not alter a
message already queued, and delivery needs no more lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection

from r2c.definitions.catalog import Catalog
from r2c.notify.huisstijl import Huisstijl, load_huisstijl
from r2c.notify.render import has_template
from r2c.settings import Settings
from r2c.store import challenges, queue
from r2c.store.queue import SECRET, STATUS_LINK_TOPIC


@dataclass(frozen=True)
class Delivery:
    """One message to send: over ``channel`` to ``recipient``, from ``template`` with ``context``."""

    channel: str
    recipient: str
    template: str | None
    context: dict[str, Any]


class Router:
    """Turns outbox rows into deliveries by the rules above.

    Attributes:
        settings: channels, webhook URLs, default sender.
        catalog: the definitions (letter recipients and titles, term labels, state labels).
    """

    def __init__(self, settings: Settings, catalog: Catalog):
        self.settings = settings
        self.catalog = catalog

    def huisstijl(self, gemeente: str) -> Huisstijl:
        """The gemeente's huisstijl (name from its newest definition when it sets none)."""
        naam = self.catalog.get(gemeente).definition.naam if gemeente in self.catalog.ids() else gemeente
        return load_huisstijl(self.settings.huisstijl, gemeente, default_naam=naam,
                              default_afzender=self.settings.afzender)

    def way_back(self, gemeente: str, kenmerk: str) -> dict[str, str]:
        """How a letter leads back to the status page without a token in it (a letter may be forwarded): the short
        address of 'stuur mij mijn link' for the gemeente, and the same with the kenmerk filled in for the QR code."""
        url = f"{self.settings.publieke_url.rstrip('/')}/mijn-link/{gemeente}"
        return {"url": url, "qr": f"{url}?{urlencode({'kenmerk': kenmerk})}"}

    def route(self, connection: Connection, outbox: Any) -> list[Delivery]:
        """The deliveries for one outbox row (``topic``, ``payload``, ``gemeente``, ``challenge_id``, ...)."""
        channels = set(self.settings.kanalen)
        if outbox.topic == STATUS_LINK_TOPIC:  # holds a usable link: by e-mail to the initiatiefnemer only
            return self._emails(connection, outbox) if "email" in channels else []
        out: list[Delivery] = []
        if "log" in channels:
            out.append(Delivery("log", "log", None, {"onderwerp": outbox.topic, "bericht": outbox.payload}))
        if "webhook" in channels:
            event = self.cloudevent(outbox)
            out += [Delivery("webhook", url, None, {"event": event}) for url in self.settings.webhook_urls]
        if "email" in channels:
            out += self._emails(connection, outbox)
        for name in sorted(channels - {"log", "webhook", "email"}):  # a host's own (entry point r2c.channels)
            out.append(Delivery(name, name, None, {"onderwerp": outbox.topic, "bericht": outbox.payload,
                                                   "event": self.cloudevent(outbox)}))
        return out

    def cloudevent(self, outbox: Any) -> dict[str, Any]:
        """The outbox row as a CloudEvent after the NL GOV profile (no personal data: ids and states only)."""
        data = outbox.payload
        if outbox.topic == "overzicht.week":  # titles are free text the initiatiefnemer typed: ids and dates only
            data = {**data, "termijnen": [{k: v for k, v in t.items() if k != "titel"} for t in data["termijnen"]]}
        event = {"specversion": "1.0", "type": f"nl.r2c.{outbox.topic}", "source": self.settings.bron,
                 "id": outbox.idempotency_key, "time": outbox.created_at.isoformat(),
                 "datacontenttype": "application/json", "nlbrpgemeente": outbox.gemeente, "data": data}
        if outbox.challenge_id is not None:  # a digest is about a gemeente: no subject rather than a null one
            event["subject"] = outbox.challenge_id
        return event

    def _emails(self, connection: Connection, outbox: Any) -> list[Delivery]:
        if outbox.topic == "overzicht.week":  # about a gemeente, not one challenge
            huisstijl = self.huisstijl(outbox.gemeente)
            return [Delivery("email", address, "weekoverzicht", {"ontvanger": {"naam": naam}, **outbox.payload})
                    for address, naam in ((huisstijl.teamleider, "teamleider"), (huisstijl.team, "team"))
                    if address]
        challenge = challenges.summary(connection, outbox.challenge_id)
        if challenge is None:
            return []
        definition = self.catalog.get(challenge.workflow, challenge.workflow_version).definition
        huisstijl = self.huisstijl(outbox.gemeente)
        base = {**_about(challenge, definition), "terugweg": self.way_back(outbox.gemeente, challenge.kenmerk)}
        payload = outbox.payload
        initiator = challenges.initiator_contact(connection, outbox.challenge_id)

        def to_initiator(template: str, **context: Any) -> list[Delivery]:
            if initiator is None or not initiator.email:
                return []  # erased, or no address given: the letter goes by post (outside r2c)
            return [Delivery("email", initiator.email, template,
                             {**base, "ontvanger": {"naam": initiator.naam, "rol": "initiatiefnemer"}, **context})]

        def to_staff(address: str | None, rol: str, template: str, **context: Any) -> list[Delivery]:
            return [Delivery("email", address, template,
                             {**base, "ontvanger": {"naam": rol, "rol": rol}, **context})] if address else []

        out: list[Delivery] = []
        if outbox.topic == "uitdaging.transitie" and payload.get("brieven"):
            extra = _letter_extra(connection, challenge, definition, payload.get("versie"))
            for letter in payload.get("brieven") or []:
                spec = definition.brieven.get(letter)
                if spec is None or spec.aan != "initiatiefnemer":
                    continue
                template = letter if has_template(huisstijl, f"mail/{letter}.txt") else "brief"
                out += to_initiator(template, brief={"naam": letter, "titel": spec.titel},
                                    termijnen=payload.get("termijnen") or [], **extra)
        elif outbox.topic == "termijn.herinnering":
            termijn = payload["termijn"]
            if payload.get("aan") == "initiatiefnemer":
                out += to_initiator("herinnering", termijn=termijn)
            else:
                behandelaar = challenge.behandelaar if challenge.behandelaar and "@" in challenge.behandelaar \
                    else huisstijl.team
                out += to_staff(behandelaar, "behandelaar", "herinnering", termijn=termijn)
        elif outbox.topic == STATUS_LINK_TOPIC and payload.get(SECRET):
            link = f"{self.settings.publieke_url.rstrip('/')}/status/{payload[SECRET]}"
            out += to_initiator("statuslink", **{SECRET: link, "opnieuw": bool(payload.get("opnieuw"))})
        elif outbox.topic == "termijn.escalatie":
            out += to_staff(huisstijl.teamleider, "teamleider", "escalatie", termijn=payload["termijn"])
        return out

    def letter_context(self, connection: Connection, *, challenge_id: str, history_seq: int,
                       letter: str) -> dict[str, Any] | None:
        """The context of a letter a transition produced, as its e-mail got it (for preview and download).

        The recipient is the initiatiefnemer (or, once erased, a neutral salutation); None when the challenge or
        its transition is gone.
        """
        challenge = challenges.summary(connection, challenge_id)
        message = queue.message(connection, f"{challenge_id}:{history_seq}")
        if challenge is None or message is None:
            return None
        definition = self.catalog.get(challenge.workflow, challenge.workflow_version).definition
        spec = definition.brieven.get(letter)
        initiator = challenges.initiator_contact(connection, challenge_id)
        naam = initiator.naam if initiator is not None and initiator.naam else "initiatiefnemer"
        back = {"terugweg": self.way_back(challenge.gemeente, challenge.kenmerk)} if initiator and initiator.email else {}
        return {**_about(challenge, definition), **back, "ontvanger": {"naam": naam, "rol": "initiatiefnemer"},
                "brief": {"naam": letter, "titel": spec.titel if spec else letter},
                "termijnen": message.payload.get("termijnen") or [],
                "vandaag": message.created_at.date().isoformat(),
                **_letter_extra(connection, challenge, definition, history_seq)}


def _about(challenge: Any, definition: Any) -> dict[str, Any]:
    """What every message says about its challenge: id, kenmerk (what people quote), title, state and phase."""
    fase, staat = challenge.state.split(".", 1)
    return {"uitdaging": {"id": challenge.id, "kenmerk": challenge.kenmerk, "titel": challenge.titel,
                          "staat": definition.fasen[fase].staten[staat].label, "fase": definition.fasen[fase].label}}


def _letter_extra(connection: Connection, challenge: Any, definition: Any, seq: int | None) -> dict[str, Any]:
    """The reason of the step (a besluit's motivering, Awb 3:46) and what is still missing: for the letter only,
    never in the outbox payload or a webhook (free text may name people)."""
    recorded = challenges.history_payload(connection, challenge.id, seq)
    present = set((challenge.facts or {}).get("vereisten") or [])
    return {"reden": (recorded or {}).get("reden"),
            "ontbreekt": [v.label for k, v in definition.vereisten.items() if k not in present]}
