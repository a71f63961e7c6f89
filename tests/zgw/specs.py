"""The official ZGW OpenAPI documents (``../shared/zgw``), loaded with openapi-core to validate every request r2c
sends to a ZGW API (and every body ``r2c zgw zaaktype`` prints) against the schema a zaaksysteem expects.

The Zaken and Documenten documents each hold one remote ``$ref`` (to the Catalogi API on the web); it is replaced by
a plain object here, as the specs' README says, so loading needs no network.

    check_request("zaken", "POST", "/zaken/api/v1/zaken", body, headers)   # raises SpecViolation with the reasons
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SPECS = Path(os.environ.get("R2C_ZGW_SPECS", Path(__file__).resolve().parents[2].parent / "shared" / "zgw"))
APIS = {"zaken": "zaken-openapi.yaml", "catalogi": "catalogi-openapi.yaml", "besluiten": "besluiten-openapi.yaml",
        "documenten": "documenten-openapi.yaml", "notificaties": "notificaties-openapi.yaml"}
HOST = "http://localhost"


class SpecViolation(AssertionError):
    """A request that the official OpenAPI document of its API refuses; the message lists every reason."""


def _local(node: Any) -> Any:
    """``node`` with every remote ``$ref`` replaced by a plain object (the one reference to the Catalogi API)."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("http"):
            return {"type": "object"}
        return {key: _local(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_local(value) for value in node]
    return node


@lru_cache(maxsize=None)
def spec(api: str) -> Any:
    """The openapi-core ``OpenAPI`` of ``api`` (zaken, catalogi, besluiten, documenten, notificaties)."""
    from openapi_core import OpenAPI

    path = SPECS / APIS[api]
    if not path.is_file():
        raise FileNotFoundError(f"{path}: de ZGW-specificaties ontbreken (verwacht in ../shared/zgw, of zet "
                                "R2C_ZGW_SPECS)")
    document = _local(yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    return OpenAPI.from_dict(document)


@dataclass
class _Request:
    """A request in the shape openapi-core's ``unmarshal_request`` reads (its ``Request`` protocol)."""

    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)
    path_params: dict[str, str] = field(default_factory=dict)

    host_url = HOST

    @property
    def full_url_pattern(self) -> str:
        return HOST + self.path

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "application/json")

    @property
    def parameters(self) -> Any:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        return RequestParameters(query=ImmutableMultiDict(self.query), header=Headers(self.headers),
                                 cookie=ImmutableMultiDict(), path=self.path_params)


@lru_cache(maxsize=None)
def _templates(api: str) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """The paths of ``api`` with parameters (``/zaaktypen/{uuid}/publish``) as patterns and their parameter names."""
    document = spec(api).spec
    servers = [server["url"].rstrip("/") for server in document / "servers"] or [""]
    found = []
    for template in (document / "paths").keys():
        names = tuple(re.findall(r"{([^}]+)}", template))
        if names:
            body = re.sub(r"{[^}]+}", "([^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
            found += [(re.compile(f"^{re.escape(server)}{body}$"), names) for server in servers]
    return tuple(found)


def path_parameters(api: str, path: str) -> dict[str, str]:
    """The path parameters of ``path`` by the first path of ``api`` it matches (``{"uuid": ...}``); none: {}."""
    for pattern, names in _templates(api):
        match = pattern.match(path)
        if match:
            return dict(zip(names, match.groups()))
    return {}


def check_request(api: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                  query: dict[str, str] | None = None) -> None:
    """Raise :class:`SpecViolation` when ``method path`` with ``body`` (a JSON-able value) and ``headers`` is not a
    valid request of ``api`` by its official OpenAPI document; ``path`` is the full path, e.g. ``/zaken/api/v1/zaken``.
    """
    from openapi_core.validation.request.exceptions import RequestValidationError

    headers = {"Content-Type": "application/json", **(headers or {})}
    raw = None if body is None else json.dumps(body).encode("utf-8")
    request = _Request(method.lower(), path, raw, headers, query or {}, path_parameters(api, path))
    try:
        spec(api).validate_request(request)
    except RequestValidationError as error:
        reasons = [str(error)] + [str(getattr(e, "message", e)) for e in _causes(error)]
        raise SpecViolation(f"{method} {path} is geen geldig verzoek volgens de {api}-API: " + "; ".join(reasons)
                            ) from error


def _causes(error: BaseException) -> list[Any]:
    """The schema errors under an openapi-core validation error (its ``schema_errors``, however deep)."""
    found: list[Any] = []
    cause: BaseException | None = error
    while cause is not None:
        found += list(getattr(cause, "schema_errors", ()) or ())
        cause = cause.__cause__
    return found
