"""The ZGW client: a fresh token per call with the claims Open Zaak checks; a refusal carries the API's reasons and
says whether a retry may help (against a real HTTP server on loopback)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from r2c.clock import FixedClock
from r2c.zgw.client import ZgwClient, ZgwError
from r2c.zgw.config import ZgwGemeente

SECRET = "een-geheim-van-minstens-tweeendertig-tekens"


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        _Handler.seen.append(dict(self.headers))
        status, body = {"/kapot": (503, {"title": "even niet"}),
                        "/fout": (400, {"invalidParams": [{"name": "zaaktype", "reason": "Is een concept."}]})
                        }.get(self.path, (201, {"url": "http://x/zaken/1"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        body = {"/lijst?page=1": {"results": [{"n": 1}], "next": f"{base}/lijst?page=2"},
                "/lijst?page=2": {"results": [{"n": 2}], "next": None},
                "/rondje": {"results": [{"n": 1}], "next": f"{base}/rondje?page=2"},
                "/rondje?page=2": {"results": [{"n": 2}], "next": f"{base}/rondje"},
                "/plat": [{"n": 1}]}[self.path]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _client(url: str) -> ZgwClient:
    gemeente = ZgwGemeente(zaken=url, catalogi=url, documenten=url, besluiten=url, catalogus=url, rsin="002220647",
                           client_id="r2c-gouda", secret=SECRET)
    return ZgwClient(gemeente, clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))


def test_each_call_carries_a_token_open_zaak_accepts_and_the_crs_headers(server) -> None:
    assert _client(server).post(f"{server}/zaken", {"a": 1}) == {"url": "http://x/zaken/1"}
    headers = _Handler.seen[-1]
    claims = jwt.decode(headers["Authorization"].removeprefix("Bearer "), OctKey.import_key(SECRET)).claims
    assert claims["iss"] == claims["client_id"] == "r2c-gouda"
    assert claims["iat"] == int(datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp())
    assert claims["user_id"] and headers["Content-Crs"] == "EPSG:4326"


def test_a_refusal_names_the_field_and_is_final_while_a_503_may_be_retried(server) -> None:
    with pytest.raises(ZgwError) as refused:
        _client(server).post(f"{server}/fout", {})
    assert refused.value.status == 400 and not refused.value.temporary
    assert "zaaktype: Is een concept." in str(refused.value)
    with pytest.raises(ZgwError) as down:
        _client(server).post(f"{server}/kapot", {})
    assert down.value.status == 503 and down.value.temporary


def test_an_unreachable_api_is_temporary() -> None:
    with pytest.raises(ZgwError) as caught:
        _client("http://127.0.0.1:9").post("http://127.0.0.1:9/zaken", {})
    assert caught.value.status is None and caught.value.temporary and "niet bereikbaar" in str(caught.value)


def test_a_list_is_read_page_by_page_and_a_next_that_goes_round_is_refused(server) -> None:
    client = _client(server)
    assert client.get_all(f"{server}/lijst", {"page": "1"}) == [{"n": 1}, {"n": 2}]
    assert client.get_all(f"{server}/plat") == [{"n": 1}]
    with pytest.raises(ZgwError, match="al gelezen") as caught:
        client.get_all(f"{server}/rondje")
    assert not caught.value.temporary
