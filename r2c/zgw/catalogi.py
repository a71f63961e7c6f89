"""Create and publish a workflow version's zaaktype in a gemeente's Catalogi API, idempotently.

A second run finds the zaaktype by ``identificatie`` and ``versiedatum`` within the catalogus and creates nothing
(the lists are filtered on ``catalogus`` here: the official document types that query parameter as an integer);
informatieobjecttypen and besluittypen are reused by omschrijving (they belong to the catalogus and serve every
version). A concept of the same version, left by a run that broke off halfway, is finished: its parts are
matched by their natural key (``KEYS``) and only the missing ones are created. Order: informatieobjecttypen,
besluittypen, the zaaktype, its statustypen, roltypen, resultaattypen, eigenschappen and links, then publish
informatieobjecttypen, besluittypen and the zaaktype (Open Zaak publishes a zaaktype only when those are published).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from r2c.errors import R2CError
from r2c.zgw.client import ZgwClient, ZgwError
from r2c.zgw.zaaktype import Zaaktype

RESOURCES = {"statustypen": "statustypen", "roltypen": "roltypen", "resultaattypen": "resultaattypen",
             "eigenschappen": "eigenschappen", "koppelingen": "zaaktype-informatieobjecttypen"}
KEYS = {"statustypen": ("volgnummer",), "roltypen": ("omschrijvingGeneriek", "omschrijving"),
        "resultaattypen": ("omschrijving",), "eigenschappen": ("naam",),
        "zaaktype-informatieobjecttypen": ("informatieobjecttype",)}
"""What makes a part of a zaaktype the same part, when a run finishes a concept that an earlier run left."""


def _parts(client: ZgwClient, zaaktype_url: str) -> dict[str, set[tuple[Any, ...]]]:
    """The keys of the parts a concept zaaktype has, read from the zaaktype (its lists of part URLs; the
    official document types the lists' ``zaaktype`` filter as an integer, so they cannot be filtered on it)."""
    zaaktype = client.get(zaaktype_url)
    have = {resource: {tuple(client.get(url).get(k) for k in KEYS[resource]) for url in zaaktype.get(resource) or []}
            for resource in ("statustypen", "roltypen", "resultaattypen", "eigenschappen")}
    have["zaaktype-informatieobjecttypen"] = {(url,) for url in zaaktype.get("informatieobjecttypen") or []}
    return have


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
        afgemaakt: True when this version stood as a concept (an earlier run broke off) and this run finished it,
            creating only the parts it lacked.
    """

    zaaktype: str
    bestond: bool
    afgemaakt: bool = False
    aangemaakt: dict[str, int] = field(default_factory=dict)
    hergebruikt: list[str] = field(default_factory=list)


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
    existing = [z for z in client.get_all(f"{root}/zaaktypen",
                                          {"identificatie": body["identificatie"], "status": "alles"})
                if z.get("catalogus") == catalogus and z.get("versiedatum") == body["versiedatum"]]
    found = existing[0] if existing else None
    if found is not None and not found.get("concept"):
        return Published(found["url"], True)

    urls = {"{catalogus}": catalogus}
    done = Published("", False, afgemaakt=found is not None)
    concept: list[str] = []

    def create(resource: str, item: dict[str, Any]) -> dict[str, Any]:
        made = client.post(f"{root}/{resource}", _fill(item, urls))
        done.aangemaakt[resource] = done.aangemaakt.get(resource, 0) + 1
        return made

    for resource, items, prefix in (("informatieobjecttypen", zaaktype.informatieobjecttypen, "informatieobjecttype"),
                                    ("besluittypen", zaaktype.besluittypen, "besluittype")):
        for key, item in items:
            same = [o for o in client.get_all(f"{root}/{resource}",
                                              {"omschrijving": item["omschrijving"], "status": "alles"})
                    if o.get("catalogus") == catalogus and o.get("omschrijving") == item["omschrijving"]]
            made = same[0] if same else None
            if made is not None:
                done.hergebruikt.append(f"{resource}: {item['omschrijving']}")
            else:
                made = create(resource, item)
            urls[f"{{{prefix}:{key}}}"] = made["url"]
            if made.get("concept", True):
                concept.append(made["url"])

    made = found if found is not None else create("zaaktypen", body)  # a concept left by a broken run: finish it
    urls["{zaaktype}"] = done.zaaktype = made["url"]
    have = _parts(client, made["url"]) if found is not None else {}
    for attribute, resource in RESOURCES.items():
        for item in getattr(zaaktype, attribute):
            item = _fill(item[1] if isinstance(item, tuple) else item, urls)
            if tuple(item.get(k) for k in KEYS[resource]) not in have.get(resource, ()):
                create(resource, item)
    for url in [*concept, made["url"]]:
        client.post(f"{url}/publish", None)
    return done
