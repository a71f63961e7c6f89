"""The zgw channel: each challenge a Zaak in its gemeente's zaaksysteem, kept current step by step.

Switched on with ``R2C_KANALEN`` including ``zgw``; the gemeenten and their APIs come from ``R2C_ZGW_CONFIG``
(r2c.zgw.config). The outbox feeds it like every channel: one delivery per step of a challenge, after commit,
retried with backoff by r2c.scheduler.jobs. Per step it reads the challenge through the store's read functions,
looks up what the zaaksysteem already has (by the kenmerk, by identificaties made of the kenmerk and the step's
version) and sends only what is missing, so a step sent twice is not done twice. The bodies are r2c.zgw.zaak's.

An API that is down, or answers 5xx or 429, is a temporary DeliveryError: tried again later. A refusal (4xx) is
permanent, with the API's reasons in the delivery's ``last_error`` (``r2c zgw status``; ``r2c zgw opnieuw`` puts
it back after a fix). A challenge never waits for the zaaksysteem; a challenge's later steps wait for its earlier
ones, so the zaak sees them in order.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from r2c.clock import Clock, SystemClock, local_date
from r2c.errors import ConfigError, R2CError
from r2c.notify.channels import DeliveryError, Message
from r2c.notify.render import has_template, render_letter_pdf
from r2c.notify.routing import Router
from r2c.store import challenges, queue
from r2c.store.documents import DocumentStore
from r2c.store.unit import UnitOfWork
from r2c.zgw import zaak as mapping
from r2c.zgw.client import ZgwClient, ZgwError
from r2c.zgw.config import VARIABLE, ZgwGemeente, load_zgw_config
from r2c.zgw.zaaktype import DOCUMENTEN, identificatie as zaaktype_identificatie

LOG = logging.getLogger("r2c.zgw")
NAME = "zgw"


class ZgwChannel:
    """Sends each step of a challenge to its gemeente's ZGW APIs.

    Attributes:
        config: the ZGW configuration per gemeente; a gemeente that is not in it is not linked (its steps pass).
    """

    name = NAME

    def __init__(self, settings: Any, *, units: UnitOfWork | None = None, catalog: Any = None,
                 clock: Clock | None = None, transport: Any = None):
        self.config: dict[str, ZgwGemeente] = load_zgw_config(getattr(settings, "zgw_config", None))
        if not self.config:
            raise ConfigError(f"R2C_KANALEN: het kanaal zgw staat aan, maar {VARIABLE} noemt geen gemeente; zet "
                              f"{VARIABLE} op een TOML-bestand met [gemeente.<naam>] (docs/zgw.md)")
        self.settings = settings
        self.clock = clock or SystemClock()
        self._units = units
        self._catalog = catalog
        self._transport = transport
        self._clients: dict[str, ZgwClient] = {}
        self._zaaktypen: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.documents = DocumentStore(settings.documenten)

    # -- set-up, lazily: the planner builds its channels before it needs them ------------------------------

    @property
    def units(self) -> UnitOfWork:
        if self._units is None:
            from r2c.store import Database

            database = Database.connect(self.settings.database_url)
            self._units = UnitOfWork(database.sessions, database.read_sessions)
        return self._units

    @property
    def catalog(self) -> Any:
        if self._catalog is None:
            from r2c.definitions import load_catalog

            self._catalog = load_catalog()
        return self._catalog

    def client(self, gemeente: str) -> ZgwClient:
        if gemeente not in self._clients:
            self._clients[gemeente] = ZgwClient(self.config[gemeente], clock=self.clock, transport=self._transport)
        return self._clients[gemeente]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    # -- sending ---------------------------------------------------------------------------------------------

    def send(self, message: Message) -> None:
        """Bring the challenge's zaak up to this step; DeliveryError when the zaaksysteem did not take it."""
        if not message.subject.startswith("uitdaging.") or message.gemeente not in self.config:
            return  # reminders and digests are r2c's own; a gemeente without a zaaksysteem link is left out
        try:
            Step(self, message).run()
        except ZgwError as error:
            raise DeliveryError(str(error), temporary=error.temporary) from None
        except DeliveryError:
            raise
        except R2CError as error:  # the database or a broken definition: fixable, so try again later
            raise DeliveryError(f"zaaksysteem: {error}", temporary=True) from None

    def zaaktype(self, gemeente: str, workflow: str, versie: str, definition: Any) -> dict[str, Any]:
        """The published zaaktype of a workflow with its statustypen, resultaattypen, roltypen, besluittypen and
        informatieobjecttypen (looked up once per process)."""
        key = (gemeente, workflow, versie)
        if key in self._zaaktypen:
            return self._zaaktypen[key]
        cfg, client = self.config[gemeente], self.client(gemeente)
        identificatie = zaaktype_identificatie(definition)  # as r2c zgw zaaktype publishes it
        # (the Catalogi document types the ``catalogus`` and ``zaaktype`` filters as integers where Open Zaak takes
        # URLs: r2c filters by identificatie, which both agree on, and picks the rest out itself)
        found = [z for z in client.get_all(f"{cfg.catalogi}/zaaktypen",
                                           {"identificatie": identificatie, "status": "definitief"})
                 if not z.get("concept") and z.get("catalogus") == cfg.catalogus]
        if not found:
            raise DeliveryError(f"zaaksysteem: geen gepubliceerd zaaktype met identificatie '{identificatie}' in "
                                f"catalogus {cfg.catalogus}; publiceer het en zet de stap daarna "
                                "terug in de wachtrij", temporary=False)
        # the version the export made of this workflow version (its versiedatum is the geldig_vanaf), else the newest
        same = [z for z in found if z.get("versiedatum") == definition.geldig_vanaf.isoformat()]
        chosen = same[0] if same else max(found, key=lambda z: str(z.get("versiedatum") or ""))
        url = chosen["url"]
        by_ident = {"zaaktypeIdentificatie": identificatie, "status": "definitief"}

        def of_zaaktype(resource: str) -> list[dict[str, Any]]:
            items = client.get_all(f"{cfg.catalogi}/{resource}", by_ident)
            return [item for item in items if item.get("zaaktype") == url]

        types = {"zaaktype": chosen,
                 "statustypen": sorted(of_zaaktype("statustypen"), key=lambda s: s.get("volgnummer") or 0),
                 "resultaattypen": of_zaaktype("resultaattypen"),
                 "roltypen": of_zaaktype("roltypen"),
                 "besluittypen": client.get_all(f"{cfg.catalogi}/besluittypen", {"zaaktypen": url}),
                 "informatieobjecttypen": client.get_all(f"{cfg.catalogi}/informatieobjecttypen",
                                                         {"zaaktype": url})}
        self._zaaktypen[key] = types
        return types


class Step:
    """One outbox message of one challenge, sent to the zaaksysteem (read first, then only what is missing)."""

    def __init__(self, channel: ZgwChannel, message: Message):
        self.channel = channel
        self.message = message
        self.data: dict[str, Any] = message.event.get("data") or {}
        self.gemeente = message.gemeente
        self.cfg = channel.config[self.gemeente]
        self.api = channel.client(self.gemeente)

    def run(self) -> None:
        challenge_id = self.data.get("uitdaging") or self.message.event.get("subject")
        if not challenge_id:
            return
        if not self._read(challenge_id):
            return  # the challenge is gone (erased): nothing to keep current
        types = self.channel.zaaktype(self.gemeente, self.challenge.workflow, self.challenge.workflow_version,
                                      self.definition)
        zaak = self.ensure_zaak(types)
        soort = self.data.get("soort")
        if soort == "transitie":
            self.transition(types, zaak)
        elif soort == "toewijzing" and self.history:
            self.behandelaar(types, zaak, self.history.get("behandelaar"))
        elif soort == "document" and self.document is not None:
            self.link_document(types, zaak["url"], **self.document)

    # -- what r2c has ---------------------------------------------------------------------------------------

    def _read(self, challenge_id: str) -> bool:
        versie = self.data.get("versie")
        with self.channel.units.read() as connection:
            self.challenge = challenges.summary(connection, challenge_id)
            if self.challenge is None:
                return False
            waiting = queue.earlier_unsent(connection, channel=NAME, challenge_id=challenge_id,
                                           outbox_key=str(self.message.event.get("id")), delivery_key=self.message.key)
            if waiting:
                raise DeliveryError(f"zaaksysteem: {self.challenge.kenmerk} stap {versie}: wacht op {waiting} eerdere "
                                    "stap(pen) van deze uitdaging", waiting=True)
            rows = challenges.history(connection, challenge_id)
            self.started = rows[0].at if rows else self.channel.clock.now()
            self.party = challenges.initiator_personal(connection, challenge_id)
            self.terms = challenges.terms(connection, challenge_id)
            self.history = challenges.history_payload(connection, challenge_id, versie) or {}
            self.definition = self.channel.catalog.get(self.challenge.workflow,
                                                       self.challenge.workflow_version).definition
            self.letters = self._letters(connection, challenge_id, versie)
            self.document = self._document(connection, challenge_id)
        return True

    def _letters(self, connection: Any, challenge_id: str, versie: int | None) -> list[tuple[str, str, bytes]]:
        """(name, titel, PDF) of each letter this step produced, as the initiatiefnemer got it (the same tagged PDF
        as the mail's attachment: what the archive keeps is what was sent)."""
        out = []
        router = Router(self.channel.settings, self.channel.catalog)
        huisstijl = router.huisstijl(self.gemeente)
        for name in self.data.get("brieven") or []:
            if not has_template(huisstijl, f"brief/{name}.html"):
                continue
            context = router.letter_context(connection, challenge_id=challenge_id, history_seq=versie, letter=name)
            if context is None:
                continue
            spec = self.definition.brieven.get(name)
            out.append((name, spec.titel if spec else name,
                        render_letter_pdf(huisstijl, name, context)))
        return out

    def _document(self, connection: Any, challenge_id: str) -> dict[str, Any] | None:
        if self.data.get("soort") != "document" or not self.history.get("document"):
            return None
        row = next((d for d in challenges.documents(connection, challenge_id) if d.id == self.history["document"]),
                   None)
        if row is None:
            return None
        return {"name": row.name, "media_type": row.media_type, "content": self.channel.documents.get(row.sha256),
                "added": row.added_at}

    # -- the zaak ---------------------------------------------------------------------------------------------

    def ensure_zaak(self, types: dict[str, Any]) -> dict[str, Any]:
        """The challenge's zaak, found by its kenmerk, or registered now (with its initiator)."""
        found = self.api.get_all(f"{self.cfg.zaken}/zaken",
                                 {"identificatie": self.challenge.kenmerk, "bronorganisatie": self.cfg.rsin})
        if found:
            if not found[0].get("rollen"):  # registered, but the answer was lost before its initiator was added
                self.initiator(types, found[0])
            return found[0]
        beslis = next((t for t in self.terms if t.name == mapping.BESLISTERMIJN and t.einddatum), None)
        start = local_date(self.started)
        zaak = self.api.post(f"{self.cfg.zaken}/zaken", mapping.zaak_body(
            kenmerk=self.challenge.kenmerk, challenge_id=self.challenge.id, titel=self.challenge.titel,
            rsin=self.cfg.rsin, zaaktype=types["zaaktype"]["url"], startdatum=start, registratiedatum=start,
            uiterlijke_einddatum=beslis.einddatum.isoformat() if beslis else None))
        LOG.info("zaak %s geregistreerd", self.challenge.kenmerk)
        self.initiator(types, zaak)
        return zaak

    def _roltype(self, types: dict[str, Any], generiek: str) -> str:
        for item in types["roltypen"]:
            if item.get("omschrijvingGeneriek") == generiek:
                return item["url"]
        raise DeliveryError(f"zaaksysteem: het zaaktype {types['zaaktype'].get('identificatie')} heeft geen roltype "
                            f"'{generiek}'", temporary=False)

    def rollen(self, zaak: dict[str, Any], generiek: str) -> list[dict[str, Any]]:
        """The zaak's rollen of one kind (read through the zaak: the Zaken document types the ``zaak`` filter of
        the lists as an integer where Open Zaak takes a URL, so r2c does not filter on it)."""
        found = [self.api.get(url) for url in zaak.get("rollen") or []]
        return [r for r in found if r and r.get("omschrijvingGeneriek") == generiek]

    def initiator(self, types: dict[str, Any], zaak: dict[str, Any]) -> None:
        if self.party is None:
            return  # erased: no person to name
        if not self.rollen(zaak, "initiator"):
            self.api.post(f"{self.cfg.zaken}/rollen", mapping.initiator_body(
                zaak=zaak["url"], roltype=self._roltype(types, "initiator"), party=self.party))

    def behandelaar(self, types: dict[str, Any], zaak: dict[str, Any], behandelaar: str | None) -> None:
        """The Rol behandelaar is the challenge's behandelaar of this step; an earlier one is removed."""
        if not behandelaar:
            return
        present = self.rollen(zaak, "behandelaar")
        ident = behandelaar[:24]
        if not any((r.get("betrokkeneIdentificatie") or {}).get("identificatie") == ident for r in present):
            self.api.post(f"{self.cfg.zaken}/rollen", mapping.behandelaar_body(
                zaak=zaak["url"], roltype=self._roltype(types, "behandelaar"), behandelaar=behandelaar))
        for rol in present:
            if (rol.get("betrokkeneIdentificatie") or {}).get("identificatie") != ident:
                self.api.request("DELETE", rol["url"])

    def transition(self, types: dict[str, Any], zaak: dict[str, Any]) -> None:
        """A step of the workflow: the term dates, the letters (and a besluit), the status, at closing the
        resultaat first and then the eindstatus."""
        url = zaak["url"]
        summaries = self.data.get("termijnen") or []
        patch = mapping.term_patch(summaries, zaak=zaak, reden=f"{self.data.get('event')} in r2c")
        patch = {k: v for k, v in patch.items() if zaak.get(k) != v}
        if patch:
            self.api.patch(url, patch)
        moment = datetime.fromisoformat(self.data["moment"])
        for name, titel, pdf in self.letters:
            document = self.link_document(
                types, url, name=f"{name}.pdf", media_type="application/pdf", content=pdf, added=moment, titel=titel,
                kind=name, identificatie=f"{self.challenge.kenmerk}-{self.data['versie']}-{name}")
            self.besluit(types, url, name, titel, moment, summaries, document)
        naar, van = self.data.get("naar") or "", self.data.get("van") or ""
        workflow = self.definition
        fase, staat = naar.split(".", 1)
        eind = workflow.fasen[fase].staten[staat].eind
        statustypen = types["statustypen"]
        if eind:
            self.close(types, zaak, moment)
            return
        if van and van.split(".", 1)[0] == fase and zaak.get("status"):
            return  # within a phase: no new status (the submission, within 'indiening', sets the first one)
        chosen = mapping.pick(statustypen, fase, workflow.fasen[fase].label)
        if chosen is None or (statustypen and chosen is statustypen[-1]):
            LOG.info("zaak %s: geen statustype voor fase %s; geen status gezet", self.challenge.kenmerk, fase)
            return
        self.status(zaak, chosen["url"], moment, workflow.fasen[fase].label)

    def status(self, zaak: dict[str, Any], statustype: str, moment: datetime, toelichting: str) -> None:
        """A Status, unless the zaak's current one is this step's (steps arrive in order: see ``_read``)."""
        present = self.api.get(zaak["status"]) if zaak.get("status") else None
        if present and present.get("statustype") == statustype and \
                _same_moment(present.get("datumStatusGezet"), moment):
            return
        self.api.post(f"{self.cfg.zaken}/statussen", mapping.status_body(
            zaak=zaak["url"], statustype=statustype, moment=moment, toelichting=toelichting))

    def close(self, types: dict[str, Any], zaak: dict[str, Any], moment: datetime) -> None:
        """Resultaat, then the eindstatus (the statustype with the highest volgnummer): Open Zaak's order."""
        resultaat = self.data.get("resultaat")
        fase, staat = str(self.data.get("naar")).split(".", 1)
        chosen = mapping.pick(types["resultaattypen"], resultaat, self.definition.fasen[fase].staten[staat].label)
        if chosen is None:
            raise DeliveryError(f"zaaksysteem: het zaaktype {types['zaaktype'].get('identificatie')} heeft geen "
                                f"resultaattype '{resultaat}'", temporary=False)
        if not zaak.get("resultaat"):
            self.api.post(f"{self.cfg.zaken}/resultaten", mapping.resultaat_body(
                zaak=zaak["url"], resultaattype=chosen["url"], toelichting=str(resultaat)))
        if not types["statustypen"]:
            raise DeliveryError(f"zaaksysteem: het zaaktype {types['zaaktype'].get('identificatie')} heeft geen "
                                "statustypen", temporary=False)
        self.status(zaak, types["statustypen"][-1]["url"], moment, "afgesloten")
        LOG.info("zaak %s afgesloten (%s)", self.challenge.kenmerk, resultaat)

    def link_document(self, types: dict[str, Any], zaak: str, *, name: str, media_type: str, content: bytes,
                      added: datetime, titel: str | None = None, identificatie: str | None = None,
                      kind: str = "document") -> str:
        """An EnkelvoudigInformatieObject (found by its identificatie, else created) and its ZaakInformatieObject;
        the document's URL."""
        ident = identificatie or f"{self.challenge.kenmerk}-{self.data.get('versie')}-doc"
        iots = types["informatieobjecttypen"]
        iot = mapping.pick(iots, kind, titel) or mapping.pick(iots, DOCUMENTEN[mapping.DOCUMENT_SOORT][0]) or \
            (iots[0] if iots else None)
        if iot is None:
            raise DeliveryError(f"zaaksysteem: het zaaktype {types['zaaktype'].get('identificatie')} heeft geen "
                                "informatieobjecttypen", temporary=False)
        found = self.api.get_all(f"{self.cfg.documenten}/enkelvoudiginformatieobjecten",
                                 {"identificatie": ident[:40], "bronorganisatie": self.cfg.rsin})
        eio = found[0] if found else self.api.post(
            f"{self.cfg.documenten}/enkelvoudiginformatieobjecten", mapping.document_body(
                identificatie=ident, rsin=self.cfg.rsin, informatieobjecttype=iot["url"], titel=titel or name,
                bestandsnaam=name, formaat=media_type, inhoud=content, creatiedatum=local_date(added)))
        if found:  # a document made before may have its link already (a new one cannot)
            links = self.api.get_all(f"{self.cfg.zaken}/zaakinformatieobjecten", {"informatieobject": eio["url"]})
            if any(link.get("zaak") == zaak for link in links):
                return eio["url"]
        self.api.post(f"{self.cfg.zaken}/zaakinformatieobjecten", mapping.zaakinformatieobject_body(
            zaak=zaak, informatieobject=eio["url"], titel=titel or name))
        return eio["url"]

    def besluit(self, types: dict[str, Any], zaak: str, letter: str, titel: str, moment: datetime,
                summaries: list[dict[str, Any]], document: str) -> None:
        """A letter the zaaktype has a besluittype for is a besluit: registered once, with the bezwaartermijn's end
        as ``uiterlijkeReactiedatum``, and linked to the letter (a BesluitInformatieObject)."""
        besluittype = mapping.pick(types["besluittypen"], letter, titel)
        if besluittype is None:
            return
        ident = f"{self.challenge.kenmerk}-{self.data.get('versie')}"
        found = self.api.get_all(f"{self.cfg.besluiten}/besluiten",
                                 {"identificatie": ident, "verantwoordelijkeOrganisatie": self.cfg.rsin})
        besluit = found[0] if found else self.api.post(f"{self.cfg.besluiten}/besluiten", mapping.besluit_body(
            identificatie=ident, rsin=self.cfg.rsin, besluittype=besluittype["url"], zaak=zaak,
            datum=local_date(moment), toelichting=titel,
            uiterlijke_reactiedatum=mapping.end_of(summaries, mapping.BEZWAARTERMIJN)))
        if found and any(link.get("besluit") == besluit["url"] for link in self.api.get_all(
                f"{self.cfg.besluiten}/besluitinformatieobjecten", {"informatieobject": document})):
            return
        self.api.post(f"{self.cfg.besluiten}/besluitinformatieobjecten",
                      {"informatieobject": document, "besluit": besluit["url"]})


def _same_moment(value: Any, moment: datetime) -> bool:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) == moment
    except ValueError:
        return False

