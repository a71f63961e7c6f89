"""A stand-in for a ZGW Catalogi API (1.3.1) on loopback, for tests: not Open Zaak, but a small stdlib HTTP server in
a thread on a free port that keeps state in memory and enforces the rules of Open Zaak that r2c's zaaktype
publishing depends on:

- every request carries a JWT (HS256 with the client's secret, ``iss`` and ``client_id`` the client, ``iat`` at
  most an hour old and not in the future) and is valid by the official OpenAPI document (``check_request``);
- statustypen, roltypen, resultaattypen, eigenschappen and zaaktype-informatieobjecttypen only on a concept
  zaaktype; a zaaktype's ``besluittypen`` and the objects' ``zaaktype``/``informatieobjecttype`` must exist;
- a resultaattype's ``selectielijstklasse`` must be one the stand-in knows (``selectielijst``: as the
  Selectielijst API would), else 400 with ``invalidParams``;
- publishing a zaaktype needs at least 2 statustypen, 1 roltype, 1 resultaattype and its besluittypen and
  informatieobjecttypen published; publishing a besluittype needs its informatieobjecttypen published;
- ``isEindstatus`` is derived: the statustype with the highest volgnummer of its zaaktype.

It does not check: the geldigheid overlap of versions, the Selectielijst procestype, catalogus ownership of
objects, pagination beyond one page, PUT/PATCH/DELETE (it answers 405). docs/zgw.md says the same.

    with CatalogiStandIn(client_id="r2c", secret="s") as api:
        api.catalogus        # the catalogus URL to configure
        api.created          # Counter of objects created per resource
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from tests.zgw.specs import SpecViolation, check_request

ROOT = "/catalogi/api/v1"
CONCEPTUAL = {"zaaktypen", "besluittypen", "informatieobjecttypen"}
PARTS = {"statustypen", "roltypen", "resultaattypen", "eigenschappen", "zaaktype-informatieobjecttypen"}
MAX_AGE = 3600


class Refused(Exception):
    """A request the stand-in refuses: HTTP status and the problem body (as Open Zaak's ``ValidatieFout``)."""

    def __init__(self, status: int, title: str, params: Iterable[tuple[str, str]] = ()):
        self.status = status
        self.body = {"type": "about:blank", "code": "invalid" if status == 400 else "error", "title": title,
                     "status": status, "detail": title,
                     "invalidParams": [{"name": n, "code": "invalid", "reason": r} for n, r in params]}
        super().__init__(title)


class CatalogiStandIn:
    """The Catalogi stand-in; ``with`` starts and stops it.

    Attributes:
        url: the API root (``http://127.0.0.1:<port>/catalogi/api/v1``).
        catalogus: the URL of its one catalogus.
        objects: resource -> uuid -> the stored object.
        created: how many objects were created, per resource.
        requests: (method, path) of every request received.
        selectielijst: the selectielijstklasse URLs it accepts.
    """

    def __init__(self, *, client_id: str, secret: str, selectielijst: Iterable[str] = (),
                 now: Callable[[], float] = time.time):
        self.client_id = client_id
        self.secret = secret
        self.selectielijst = set(selectielijst)
        self.now = now
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.created: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []
        self.refusals: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}{ROOT}"
        self.catalogus = f"{self.url}/catalogussen/{uuid.uuid4()}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> CatalogiStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # -- the handler -------------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    status, payload = 400, Refused(400, "geen JSON").body
                else:
                    status, payload = standin.handle(self.command, split.path, dict(parse_qsl(split.query)),
                                                     body, dict(self.headers.items()))
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/problem+json" if status >= 400 else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        return Handler

    def handle(self, method: str, path: str, query: dict[str, str], body: Any,
               headers: dict[str, str]) -> tuple[int, Any]:
        """One request: (status, JSON answer)."""
        with self._lock:
            self.requests.append((method, path))
            try:
                self._check_token(headers.get("Authorization", ""))
                if method in ("PUT", "PATCH", "DELETE"):
                    raise Refused(405, f"{method} kan deze stand-in niet")
                try:
                    check_request("catalogi", method, path, body, {"Authorization": headers.get("Authorization", ""),
                                                                   "Content-Type": "application/json"}, query)
                except SpecViolation as error:
                    raise Refused(400, "ongeldig verzoek volgens de Catalogi-API", [("body", str(error))]) from None
                return self._route(method, path, query, body)
            except Refused as refused:
                self.refusals.append(refused.body)
                return refused.status, refused.body

    def _check_token(self, header: str) -> None:
        if not header.startswith("Bearer "):
            raise Refused(403, "geen JWT (Authorization: Bearer ...)")
        try:
            token = jwt.decode(header.removeprefix("Bearer "), OctKey.import_key(self.secret), algorithms=["HS256"])
        except (JoseError, ValueError) as error:
            raise Refused(403, f"JWT ongeldig: {error}") from None
        claims = token.claims
        if claims.get("iss") != self.client_id or claims.get("client_id") != self.client_id:
            raise Refused(403, "JWT: iss en client_id moeten de client noemen")
        iat = claims.get("iat")
        now = self.now()
        if not isinstance(iat, int) or iat > now + 60 or now - iat > MAX_AGE:
            raise Refused(403, "JWT: iat ontbreekt of is ouder dan een uur")

    # -- the resources -----------------------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = path.removeprefix(ROOT).strip("/").split("/")
        resource = parts[0]
        if method == "GET" and len(parts) == 1:
            return 200, self._list(resource, query)
        if method == "GET" and len(parts) == 2:
            found = self.objects.get(resource, {}).get(parts[1])
            if found is None:
                raise Refused(404, "niet gevonden")
            return 200, self.shown(resource, found)
        if method == "POST" and len(parts) == 1:
            return 201, self._create(resource, body)
        if method == "POST" and len(parts) == 3 and parts[2] == "publish":
            return 200, self._publish(resource, parts[1])
        raise Refused(404, f"{method} {path} kent deze stand-in niet")

    def _list(self, resource: str, query: dict[str, str]) -> dict[str, Any]:
        status = query.get("status", "definitief")
        found = []
        for item in self.objects.get(resource, {}).values():
            if status == "concept" and not item.get("concept") or status == "definitief" and item.get("concept"):
                continue
            if any(item.get(key) != value for key, value in query.items() if key in ("identificatie", "omschrijving")):
                continue
            found.append(self.shown(resource, item))
        return {"count": len(found), "next": None, "previous": None, "results": found}

    def shown(self, resource: str, item: dict[str, Any]) -> dict[str, Any]:
        """``item`` as the API shows it: with ``isEindstatus`` derived, a zaaktype with its parts."""
        shown = dict(item)
        if resource == "statustypen":
            siblings = [s["volgnummer"] for s in self.objects["statustypen"].values() if s["zaaktype"] == item["zaaktype"]]
            shown["isEindstatus"] = item["volgnummer"] == max(siblings)
        if resource == "zaaktypen":
            for part in ("statustypen", "roltypen", "resultaattypen", "eigenschappen"):
                shown[part] = [o["url"] for o in self.objects.get(part, {}).values() if o["zaaktype"] == item["url"]]
            shown["informatieobjecttypen"] = [o["informatieobjecttype"] for o in
                                              self.objects.get("zaaktype-informatieobjecttypen", {}).values()
                                              if o["zaaktype"] == item["url"]]
        return shown

    def _get(self, url: Any, resource: str, name: str) -> dict[str, Any]:
        prefix = f"{self.url}/{resource}/"
        found = self.objects.get(resource, {}).get(url.removeprefix(prefix)) if isinstance(url, str) and \
            url.startswith(prefix) else None
        if found is None:
            raise Refused(400, f"{name} bestaat niet", [(name, f"onbekende URL {url}")])
        return found

    def _create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        if resource not in CONCEPTUAL | PARTS:
            raise Refused(404, f"{resource} kent deze stand-in niet")
        if resource in PARTS:
            zaaktype = self._get(body["zaaktype"], "zaaktypen", "zaaktype")
            if not zaaktype["concept"]:
                raise Refused(400, "het zaaktype is al gepubliceerd", [("zaaktype", "niet meer te wijzigen")])
        if resource == "zaaktype-informatieobjecttypen":
            self._get(body["informatieobjecttype"], "informatieobjecttypen", "informatieobjecttype")
        if resource == "zaaktypen":
            for url in body.get("besluittypen", []):
                self._get(url, "besluittypen", "besluittypen")
        if resource == "besluittypen":
            for url in body.get("informatieobjecttypen", []):
                self._get(url, "informatieobjecttypen", "informatieobjecttypen")
        if resource in CONCEPTUAL and body.get("catalogus") != self.catalogus:
            raise Refused(400, "onbekende catalogus", [("catalogus", f"onbekende URL {body.get('catalogus')}")])
        if resource == "resultaattypen" and body["selectielijstklasse"] not in self.selectielijst:
            raise Refused(400, "ongeldige selectielijstklasse", [
                ("selectielijstklasse", f"{body['selectielijstklasse']} is geen resultaat van de Selectielijst-API")])
        ident = str(uuid.uuid4())
        item = {**body, "url": f"{self.url}/{resource}/{ident}"}
        if resource in CONCEPTUAL:
            item["concept"] = True
        self.objects.setdefault(resource, {})[ident] = item
        self.created[resource] += 1
        return self.shown(resource, item)

    def _publish(self, resource: str, ident: str) -> dict[str, Any]:
        item = self.objects.get(resource, {}).get(ident)
        if item is None or resource not in CONCEPTUAL:
            raise Refused(404, "niet gevonden")
        problems: list[tuple[str, str]] = []
        if resource == "besluittypen":
            problems += [("informatieobjecttypen", f"{url} is nog een concept") for url in item["informatieobjecttypen"]
                         if self._get(url, "informatieobjecttypen", "informatieobjecttypen")["concept"]]
        if resource == "zaaktypen":
            counts = {part: sum(1 for o in self.objects.get(part, {}).values() if o["zaaktype"] == item["url"])
                      for part in ("statustypen", "roltypen", "resultaattypen")}
            for part, least in (("statustypen", 2), ("roltypen", 1), ("resultaattypen", 1)):
                if counts[part] < least:
                    problems.append((part, f"minstens {least} nodig om te publiceren, nu {counts[part]}"))
            problems += [("besluittypen", f"{url} is nog een concept") for url in item["besluittypen"]
                         if self._get(url, "besluittypen", "besluittypen")["concept"]]
            linked = [o["informatieobjecttype"] for o in self.objects.get("zaaktype-informatieobjecttypen", {}).values()
                      if o["zaaktype"] == item["url"]]
            problems += [("informatieobjecttypen", f"{url} is nog een concept") for url in linked
                         if self._get(url, "informatieobjecttypen", "informatieobjecttype")["concept"]]
        if problems:
            raise Refused(400, "publiceren kan nog niet", problems)
        item["concept"] = False
        return self.shown(resource, item)
