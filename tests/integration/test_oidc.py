"""OpenID Connect against a real provider process on loopback (oidc-provider-mock), without a browser: the flow
with PKCE, state and nonce ends in a session; a callback that was not started here, or is replayed, is refused;
the login is audited."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.clock import SystemClock
from r2c.service import ChallengeService
from r2c.settings import Settings

CLAIMS = {"email": "b.jansen@gouda.example", "name": "B. Jansen", "gemeente": "gouda", "groepen": "teamleider x"}


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    with run_server_in_thread(port=0, require_nonce=True, user_claims=[User(sub="bj-1", claims=CLAIMS)]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def app(sqlite_url, catalog, provider):
    from r2c.store import Database

    database = Database.connect(sqlite_url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, SystemClock())
    yield create_app(service, settings=Settings(oidc_issuer=provider, oidc_client_id="r2c", oidc_client_secret="s",
                                                oidc_claim_rollen="groepen"))
    database.engine.dispose()


def _to_provider(client: TestClient, volgende: str = "/werkvoorraad") -> tuple[str, dict]:
    start = client.get(f"/inloggen/oidc?volgende={volgende}", follow_redirects=False)
    assert start.status_code == 303
    asked = parse_qs(urlsplit(start.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"] and asked["state"]
    return start.headers["location"], asked


def _consent(authorize_url: str) -> str:
    """The person picks their account at the provider; the provider answers with the callback URL."""
    answer = httpx.post(authorize_url, data={"sub": "bj-1"}, follow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    callback = urlsplit(answer.headers["location"])
    return f"{callback.path}?{callback.query}"


def test_the_code_flow_ends_in_a_session_with_the_claimed_roles(app) -> None:
    client = TestClient(app)
    authorize, _ = _to_provider(client, "/werkvoorraad")
    back = client.get(_consent(authorize), follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/werkvoorraad"
    page = client.get("/werkvoorraad").text
    assert "B. Jansen, gouda" in page and "als teamleider" in page  # 'x' is no role r2c knows: left out
    events = app.state.login.accounts.events()
    assert [(e.kind, e.account_id, e.email) for e in events] == [("inloggen", "bj-1", "b.jansen@gouda.example")]


def test_a_callback_not_started_here_or_replayed_is_refused(app) -> None:
    started = TestClient(app)
    authorize, _ = _to_provider(started)
    callback = _consent(authorize)
    stranger = TestClient(app)  # has no pending login: a forged or stolen callback
    refused = stranger.get(callback)
    assert refused.status_code == 403 and "niet hier begonnen" in refused.text
    assert started.get(callback, follow_redirects=False).status_code == 303
    again = started.get(callback)
    assert again.status_code == 403  # the pending login is used once
    wrong_state = TestClient(app)
    authorize, _ = _to_provider(wrong_state)
    forged = _consent(authorize).replace("state=", "state=x")
    assert wrong_state.get(forged).status_code == 403
    assert wrong_state.get("/werkvoorraad", follow_redirects=False).status_code == 303
