"""A stand-in for the Zaken, Documenten and Besluiten APIs (and the Catalogi lookups the zgw channel makes), on
loopback in a thread. Not Open Zaak: it keeps state in memory and enforces the rules of Open Zaak that the channel
must respect (docs/zgw.md, "De stand-in (Zaken, Documenten, Besluiten)"):

- every request is validated against the official OpenAPI document of its API (tests/zgw/specs.py); an invalid
  one is answered 400 and kept in ``violations``;
- the JWT: HS256 with the configured secret, ``iss`` and ``client_id`` the configured client, ``iat`` no older
  than an hour (and not in the future);
- ``Content-Crs`` on every POST, PUT and PATCH to the Zaken API;
- a new zaak on a concept zaaktype is refused; a zaak's ``identificatie`` is unique per bronorganisatie;
- an eindstatus needs a resultaat first, and then every linked document ``indicatieGebruiksrecht`` set.

``fail(kind, times)`` makes it answer 500 or 429, or drop the connection (``down``), for the next ``times``
calls, or (``lost``) do the next ``times`` changes and drop the connection before answering; ``calls`` counts
every call by method and resource, ``created`` every resource it stored.

    with ZakenStandin(secret="...", client_id="r2c") as standin:
        standin.base  # http://127.0.0.1:<port>
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from joserfc import jwt
from joserfc.jwk import OctKey

from tests.zgw.specs import SpecViolation, check_request

RESOURCES = {
    "zaken": ("zaken", "zaken"), "rollen": ("zaken", "rollen"), "statussen": ("zaken", "statussen"),
    "resultaten": ("zaken", "resultaten"), "zaakinformatieobjecten": ("zaken", "zaakinformatieobjecten"),
    "enkelvoudiginformatieobjecten": ("documenten", "enkelvoudiginformatieobjecten"),
    "besluiten": ("besluiten", "besluiten"), "besluitinformatieobjecten": ("besluiten", "besluitinformatieobjecten"),
    "zaaktypen": ("catalogi", "zaaktypen"), "statustypen": ("catalogi", "statustypen"),
    "resultaattypen": ("catalogi", "resultaattypen"), "roltypen": ("catalogi", "roltypen"),
    "besluittypen": ("catalogi", "besluittypen"), "informatieobjecttypen": ("catalogi", "informatieobjecttypen"),
}
FILTERS = {  # query parameter -> field it matches (the ones the channel uses)
    "identificatie": "identificatie", "bronorganisatie": "bronorganisatie", "zaak": "zaak",
    "omschrijvingGeneriek": "omschrijvingGeneriek", "informatieobject": "informatieobject",
    "verantwoordelijkeOrganisatie": "verantwoordelijkeOrganisatie", "zaaktype": "zaaktype", "catalogus": "catalogus",
}
TOKEN_MAX_AGE = 3600


class ZakenStandin:
    """The stand-in server; use as a context manager (starts and stops its thread)."""

    def __init__(self, *, secret: str, client_id: str, zaaktype_identificatie: str = "r2c-gouda",
                 validate: bool = True):
        self.secret = secret
        self.client_id = client_id
        self.validate = validate
        self.lock = threading.Lock()
        self.store: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in RESOURCES}
        self.calls: Counter[tuple[str, str]] = Counter()
        self.created: Counter[str] = Counter()
        self.violations: list[str] = []
        self.refusals: list[str] = []
        self.requests: list[tuple[str, str, Any]] = []
        self._failing: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.catalogus = f"{self.base}/catalogi/api/v1/catalogussen/{uuid.uuid4()}"
        self.seed(zaaktype_identificatie)

    # -- set-up ------------------------------------------------------------------------------------------

    def seed(self, identificatie: str) -> None:
        """A published zaaktype ``identificatie`` (``r2c-<workflow>``, as ``r2c zgw zaaktype`` names it; and one
        concept zaaktype) with the types r2c's model
        workflow needs: a statustype per phase along the main path and an eindstatus, resultaattypen per closing
        result, initiator and behandelaar roltypen, besluittypen per besluit letter, informatieobjecttypen."""
        zaaktype = self._put("zaaktypen", {"identificatie": identificatie, "catalogus": self.catalogus,
                                           "concept": False, "versiedatum": "2024-01-01",
                                           "beginGeldigheid": "2024-01-01"})
        self.concept_zaaktype = self._put("zaaktypen", {"identificatie": identificatie + "-concept",
                                                        "catalogus": self.catalogus, "concept": True})["url"]
        self.zaaktype = zaaktype["url"]
        self.published = {self.zaaktype}
        for number, fase in enumerate(["indiening", "ontvankelijkheid", "toetsing", "besluit", "bezwaar", "overname",
                                       "uitvoering", "evaluatie", "afgesloten"], start=1):
            self._put("statustypen", {"zaaktype": self.zaaktype, "omschrijving": fase, "volgnummer": number,
                                      "isEindstatus": fase == "afgesloten"})
        for resultaat in ("uitgevoerd", "afgewezen", "ingetrokken", "buiten_behandeling"):
            self._put("resultaattypen", {"zaaktype": self.zaaktype, "omschrijving": resultaat})
        for generiek in ("initiator", "behandelaar", "beslisser"):
            self._put("roltypen", {"zaaktype": self.zaaktype, "omschrijving": generiek,
                                   "omschrijvingGeneriek": generiek})
        for besluit in ("besluit_toekenning", "besluit_afwijzing", "buiten_behandeling"):
            self._put("besluittypen", {"zaaktypen": [self.zaaktype], "omschrijving": besluit,
                                       "catalogus": self.catalogus})
        for kind in ("ontvangstbevestiging", "aanvullingsverzoek", "verdagingsbericht", "besluit_toekenning",
                     "besluit_afwijzing", "Bijlage bij een uitdaging"):
            self._put("informatieobjecttypen", {"zaaktype": self.zaaktype, "omschrijving": kind,
                                                "catalogus": self.catalogus})

    def seed_export(self, exported: Any) -> None:
        """Replace the seeded zaaktype by the one ``r2c zgw zaaktype`` makes (an r2c.zgw.zaaktype.Zaaktype), as
        ``--publiceer`` would publish it: the channel then meets the export's own names."""
        for resource in ("zaaktypen", "statustypen", "resultaattypen", "roltypen", "besluittypen",
                         "informatieobjecttypen"):
            self.store[resource].clear()
        zaaktype = self._put("zaaktypen", {**exported.zaaktype, "catalogus": self.catalogus, "concept": False})
        self.zaaktype = zaaktype["url"]
        self.published = {self.zaaktype}
        last = len(exported.statustypen)
        for _, body in exported.statustypen:
            self._put("statustypen", {**body, "zaaktype": self.zaaktype, "isEindstatus": body["volgnummer"] == last})
        for _, body in exported.resultaattypen:
            self._put("resultaattypen", {**body, "zaaktype": self.zaaktype})
        for body in exported.roltypen:
            self._put("roltypen", {**body, "zaaktype": self.zaaktype})
        for _, body in exported.besluittypen:
            self._put("besluittypen", {**body, "zaaktypen": [self.zaaktype], "catalogus": self.catalogus})
        for _, body in exported.informatieobjecttypen:
            self._put("informatieobjecttypen", {**body, "zaaktype": self.zaaktype, "catalogus": self.catalogus})

    def _put(self, resource: str, values: dict[str, Any]) -> dict[str, Any]:
        api, path = RESOURCES[resource]
        ident = str(uuid.uuid4())
        item = {**values, "url": f"{self.base}/{api}/api/v1/{path}/{ident}", "uuid": ident}
        self.store[resource][ident] = item
        return item

    def publish_zaaktype(self, identificatie: str, versiedatum: str) -> str:
        """Another published zaaktype (without types of its own); its URL."""
        url = self._put("zaaktypen", {"identificatie": identificatie, "catalogus": self.catalogus, "concept": False,
                                      "versiedatum": versiedatum, "beginGeldigheid": versiedatum})["url"]
        self.published.add(url)
        return url

    def fail(self, kind: str, times: int) -> None:
        """Answer the next ``times`` calls with ``kind``: '500', '429' or 'down' (the connection dropped); 'lost':
        carry out the next ``times`` POST/PATCH/DELETE calls, then drop the connection (the answer is lost)."""
        with self.lock:
            self._failing = [kind] * times

    def items(self, resource: str, **match: Any) -> list[dict[str, Any]]:
        """The stored items of ``resource`` whose fields equal ``match``, in creation order."""
        return [i for i in self.store[resource].values() if all(i.get(k) == v for k, v in match.items())]

    def __enter__(self) -> ZakenStandin:
        threading.Thread(target=self.server.serve_forever, name="zaken-standin", daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- handling one call -----------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any] | None:
        """(status, JSON body) for one call; None: drop the connection."""
        with self.lock:
            lost = bool(self._failing) and self._failing[0] == "lost" and method != "GET"
            if lost:
                self._failing.pop(0)
        answer = self._handle(method, target, headers, raw)
        return None if lost else answer

    def _handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any] | None:
        parts = urlsplit(target)
        match = re.fullmatch(r"/(zaken|documenten|besluiten|catalogi)/api/v1/([a-z_]+)(?:/([0-9a-f-]+))?",
                             parts.path)
        resource = match.group(2) if match else "?"
        with self.lock:
            self.calls[(method, resource)] += 1
            if self._failing and self._failing[0] != "lost":
                kind = self._failing.pop(0)
                if kind == "down":
                    return None
                return int(kind), {"title": "stand-in: gesimuleerde storing", "status": int(kind)}
        if match is None or resource not in RESOURCES or RESOURCES[resource][0] != match.group(1):
            return 404, {"title": "Niet gevonden", "detail": parts.path}
        api, ident = match.group(1), match.group(3)
        problem = self._token(headers.get("authorization", ""))
        if problem:
            return self._refuse(403, "Authorization", problem)
        if api == "zaken" and method in ("POST", "PUT", "PATCH") and not headers.get("content-crs"):
            return self._refuse(412, "Content-Crs", "Content-Crs header ontbreekt")  # (Open Zaak: 412, before the body)
        body = json.loads(raw) if raw else None
        query = dict(parse_qsl(parts.query))
        if self.validate:
            try:
                check_request(api, method, parts.path, body, _spec_headers(headers), query)
            except SpecViolation as error:
                self.violations.append(str(error))
                return 400, {"title": "Ongeldig verzoek", "invalidParams": [
                    {"name": "body", "code": "invalid", "reason": str(error)[:500]}]}
        with self.lock:
            self.requests.append((method, resource, body))
            if method == "GET" and ident is None:
                return 200, self._list(resource, query)
            item = self.store[resource].get(ident or "")
            if ident is not None and item is None:
                return 404, {"title": "Niet gevonden"}
            if method == "GET":
                return 200, item
            if method == "DELETE":
                del self.store[resource][ident]
                for zaak in self.store["zaken"].values():
                    if item["url"] in zaak["rollen"]:
                        zaak["rollen"].remove(item["url"])
                return 204, None
            if method == "PATCH":
                item.update(body or {})
                return 200, item
            if method == "POST" and ident is None:
                refused = self._rules(resource, body)
                if refused:
                    return self._refuse(400, *refused)
                self.created[resource] += 1
                item = self._put(resource, body)
                self._link(resource, item)
                return 201, item
        return 405, {"title": "Methode niet toegestaan"}

    def _link(self, resource: str, item: dict[str, Any]) -> None:
        """What Open Zaak derives: a zaak's lists of rollen and documents, its status and resultaat; a rol's
        omschrijvingGeneriek from its roltype."""
        if resource == "zaken":
            item.update(rollen=[], zaakinformatieobjecten=[], status=None, resultaat=None, einddatum=None)
            item.setdefault("opschorting", {"indicatie": False, "eerdereOpschorting": False, "reden": ""})
            item.setdefault("verlenging", None)
            return
        zaak = next((z for z in self.store["zaken"].values() if z["url"] == item.get("zaak")), None)
        if zaak is None:
            return
        if resource == "rollen":
            roltype = next(r for r in self.store["roltypen"].values() if r["url"] == item["roltype"])
            item["omschrijvingGeneriek"] = roltype["omschrijvingGeneriek"]
            zaak["rollen"].append(item["url"])
        elif resource == "zaakinformatieobjecten":
            zaak["zaakinformatieobjecten"].append(item["url"])
        elif resource == "statussen":
            zaak["status"] = item["url"]
        elif resource == "resultaten":
            zaak["resultaat"] = item["url"]

    def _list(self, resource: str, query: dict[str, str]) -> dict[str, Any]:
        found = []
        for item in self.store[resource].values():
            ok = True
            for name, value in query.items():
                field = FILTERS.get(name)
                if field == "zaaktype" and resource == "besluittypen":
                    field = None
                if name == "zaaktypeIdentificatie":
                    ok &= any(z["url"] == item.get("zaaktype") and z.get("identificatie") == value
                              for z in self.store["zaaktypen"].values())
                elif name == "zaaktypen":
                    ok &= value in (item.get("zaaktypen") or [])
                elif name == "status" and resource == "zaaktypen":
                    ok &= (value != "definitief") or not item.get("concept")
                elif field:
                    stored = item.get(field)
                    ok &= stored == value or (field == "zaak" and stored == value)
            if ok:
                found.append(item)
        return {"count": len(found), "next": None, "previous": None, "results": found}

    def _rules(self, resource: str, body: dict[str, Any]) -> tuple[str, str] | None:
        """(field, reason) when Open Zaak would refuse creating this, else None."""
        if resource == "zaken":
            if body.get("zaaktype") not in self.published:
                return "zaaktype", "Het ZaakType is nog niet gepubliceerd (concept) en kan niet gebruikt worden."
            if self.items("zaken", identificatie=body.get("identificatie"), bronorganisatie=body["bronorganisatie"]):
                return "identificatie", "Deze identificatie bestaat al voor deze bronorganisatie."
        if resource in ("rollen", "statussen", "resultaten", "zaakinformatieobjecten") and \
                not any(z["url"] == body.get("zaak") for z in self.store["zaken"].values()):
            return "zaak", "De zaak bestaat niet."
        if resource == "besluitinformatieobjecten" and \
                not any(b["url"] == body.get("besluit") for b in self.store["besluiten"].values()):
            return "besluit", "Het besluit bestaat niet."
        if resource == "statussen":
            statustype = next((s for s in self.store["statustypen"].values() if s["url"] == body["statustype"]), None)
            if statustype is None:
                return "statustype", "Het statustype bestaat niet."
            zaak = next(z for z in self.store["zaken"].values() if z["url"] == body["zaak"])
            if zaak.get("einddatum"):
                return "zaak", "De zaak is afgesloten; een status zetten vraagt de scope zaken.heropenen."
            if statustype.get("isEindstatus"):
                if not self.items("resultaten", zaak=body["zaak"]):
                    return "resultaat", "De zaak heeft nog geen resultaat; zet eerst een resultaat."
                for link in self.items("zaakinformatieobjecten", zaak=body["zaak"]):
                    eio = next(e for e in self.store["enkelvoudiginformatieobjecten"].values()
                               if e["url"] == link["informatieobject"])
                    if eio.get("indicatieGebruiksrecht") is None:
                        return "indicatieGebruiksrecht", ("Alle informatieobjecten van de zaak moeten "
                                                          "indicatieGebruiksrecht gezet hebben.")
                zaak["einddatum"] = body["datumStatusGezet"][:10]
        return None

    def _refuse(self, status: int, name: str, reason: str) -> tuple[int, Any]:
        self.refusals.append(f"{name}: {reason}")
        return status, {"title": "Verzoek geweigerd", "status": status,
                        "invalidParams": [{"name": name, "code": "invalid", "reason": reason}]}

    def _token(self, header: str) -> str | None:
        """Why the Authorization header is not accepted, or None."""
        if not header.startswith("Bearer "):
            return "geen Bearer-token"
        try:
            token = jwt.decode(header[7:], OctKey.import_key(self.secret), algorithms=["HS256"])
        except Exception as error:  # noqa: BLE001 - any bad token is a refusal
            return f"token ongeldig: {type(error).__name__}"
        claims = token.claims
        if claims.get("iss") != self.client_id or claims.get("client_id") != self.client_id:
            return "iss/client_id is niet de bekende client"
        iat = claims.get("iat")
        now = time.time()
        if not isinstance(iat, int) or iat < now - TOKEN_MAX_AGE or iat > now + 60:
            return "iat ontbreekt of is ouder dan een uur"
        return None


def _spec_headers(headers: dict[str, str]) -> dict[str, str]:
    names = {"authorization": "Authorization", "content-crs": "Content-Crs", "accept-crs": "Accept-Crs",
             "content-type": "Content-Type"}
    return {names[k]: v for k, v in headers.items() if k in names}


def _handler(standin: ZakenStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # headers and body in one write (else loopback waits on a delayed ACK, 40 ms a call)

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = standin.handle(self.command, self.path, headers, raw)
            if answer is None:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            status, body = answer
            data = b"" if body is None else json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if status < 400 else "application/problem+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
