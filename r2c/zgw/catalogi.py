"""Create and publish a workflow version's zaaktype in a gemeente's Catalogi API, idempotently.

A second run finds the zaaktype by ``identificatie`` and ``versiedatum`` within the catalogus and creates nothing
(the lists are filtered on ``catalogus`` here: the official document types that query parameter as an integer);
informatieobjecttypen and besluittypen are reused by omschrijving (they belong to the catalogus and serve every
version). Order: informatieobjecttypen, besluittypen, the zaaktype, its statustypen, roltypen, resultaattypen,
eigenschappen and links, then publish informatieobjecttypen, besluittypen and the zaaktype (Open Zaak publishes a
zaaktype only when those are published).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from r2c.errors import R2CError
from r2c.zgw.client import ZgwClient, ZgwError
from r2c.zgw.zaaktype import Zaaktype

RESOURCES = {"statustypen": "statustypen", "roltypen": "roltypen", "resultaattypen": "resultaattypen",
             "eigenschappen": "eigenschappen", "koppelingen": "zaaktype-informatieobjecttypen"}


class PublishError(R2CError):
    """Publishing stopped: the message says at which object and why (the API's reasons)."""


@dataclass
class Published:
    """What one ``publish`` did.

    Attributes:
        zaaktype: the zaaktype's URL.
        bestond: True when this version was already published (nothing created).
        aangemaakt: per resource, how many objects were created.
        hergebruikt: informatieobjecttypen and besluittypen that already existed (by omschrijving).
    """

    zaaktype: str
    bestond: bool
    aangemaakt: dict[str, int] = field(default_factory=dict)
    hergebruikt: list[str] = field(default_factory=list)


def _all(client: ZgwClient, url: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """Every result of a paginated list."""
    found: list[dict[str, Any]] = []
    page: Any = client.get(url, params)
    while True:
        found += page.get("results") or []
        if not page.get("next"):
            return found
        page = client.get(page["next"])


def _fill(value: Any, urls: dict[str, str]) -> Any:
    """``value`` with every placeholder string replaced by its URL."""
    if isinstance(value, str):
        return urls.get(value, value)
    if isinstance(value, dict):
        return {k: _fill(v, urls) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, urls) for v in value]
    return value


def publish(zaaktype: Zaaktype, *, client: ZgwClient) -> Published:
    """Create ``zaaktype`` with everything it refers to in the client's gemeente's catalogus and publish it; a
    version already there is left alone. Raises PublishError (with the object and the API's reasons)."""
    gemeente = client.gemeente
    root = gemeente.catalogi.rstrip("/")
    body = zaaktype.zaaktype
    what = f"zaaktype {body['identificatie']} (versie van {body['versiedatum']})"
    try:
        return _publish(zaaktype, client, root, what)
    except ZgwError as error:
        raise PublishError(f"{what} niet gepubliceerd in {root}: {error}") from None


def _publish(zaaktype: Zaaktype, client: ZgwClient, root: str, what: str) -> Published:
    catalogus = client.gemeente.catalogus
    body = zaaktype.zaaktype
    existing = [z for z in _all(client, f"{root}/zaaktypen", {"identificatie": body["identificatie"], "status": "alles"})
                if z.get("catalogus") == catalogus and z.get("versiedatum") == body["versiedatum"]]
    if existing:
        found = existing[0]
        if found.get("concept"):
            raise PublishError(f"{what} staat al als concept in de catalogus ({found['url']}), waarschijnlijk van een "
                               "afgebroken poging; verwijder dat concept of publiceer het in het zaaksysteem, en "
                               "probeer het daarna opnieuw")
        return Published(found["url"], True)

    urls = {"{catalogus}": catalogus}
    done = Published("", False)
    concept: list[str] = []

    def create(resource: str, item: dict[str, Any]) -> dict[str, Any]:
        made = client.post(f"{root}/{resource}", _fill(item, urls))
        done.aangemaakt[resource] = done.aangemaakt.get(resource, 0) + 1
        return made

    for resource, items, prefix in (("informatieobjecttypen", zaaktype.informatieobjecttypen, "informatieobjecttype"),
                                    ("besluittypen", zaaktype.besluittypen, "besluittype")):
        for key, item in items:
            same = [o for o in _all(client, f"{root}/{resource}", {"omschrijving": item["omschrijving"], "status": "alles"})
                    if o.get("catalogus") == catalogus and o.get("omschrijving") == item["omschrijving"]]
            made = same[0] if same else None
            if made is not None:
                done.hergebruikt.append(f"{resource}: {item['omschrijving']}")
            else:
                made = create(resource, item)
            urls[f"{{{prefix}:{key}}}"] = made["url"]
            if made.get("concept", True):
                concept.append(made["url"])

    made = create("zaaktypen", body)
    urls["{zaaktype}"] = done.zaaktype = made["url"]
    for attribute, resource in RESOURCES.items():
        items = getattr(zaaktype, attribute)
        for item in items:
            create(resource, item[1] if isinstance(item, tuple) else item)
    for url in [*concept, made["url"]]:
        client.post(f"{url}/publish", None)
    return done
