"""Local accounts, as a beheerder and an ambtenaar meet them, on both databases: the password policy, a lockout
after five wrong passwords that lifts after fifteen minutes, the login audit, and failures that look alike for a
wrong password, an unknown and a blocked account."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from r2c.clock import SystemClock
from r2c.errors import InvalidInput
from r2c.service.accounts import FAILED, Accounts, LoginFailed, password_problem

GOOD = "paars-fietsrek-onder-de-brug"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def accounts(service) -> Accounts:
    return Accounts(service.units.sessions, SystemClock(), roles=service.policy.key_roles(service.catalog))


@given(st.text(max_size=11))
def test_a_password_under_twelve_characters_is_refused(password) -> None:
    assert password_problem(password, email="b.jansen@gouda.example") == "Kies een wachtwoord van minstens 12 tekens."


def test_the_email_and_common_passwords_are_refused() -> None:
    assert "e-mailadres" in password_problem("b.jansen@gouda.example", email="b.jansen@gouda.example")
    assert "e-mailadres" in password_problem("B.Jansen-2026-x", email="b.jansen@gouda.example")
    assert "te bekend" in password_problem("Wachtwoord123", email="b.jansen@gouda.example")
    assert password_problem(GOOD, email="b.jansen@gouda.example") is None


def test_unknown_gemeente_or_role_names_the_known_ones(accounts) -> None:
    with pytest.raises(InvalidInput) as unknown:
        accounts.create(gemeente="atlantis", rollen=["behandelaar"], email="a@b.example")
    assert "bekend: " in str(unknown.value) and "gouda" in str(unknown.value)
    with pytest.raises(InvalidInput) as role:
        accounts.create(gemeente="gouda", rollen=["koning"], email="a@b.example")
    assert "onbekende rol 'koning'" in str(role.value) and "behandelaar" in str(role.value)


def test_a_one_time_password_must_be_changed_and_works_once_set(accounts) -> None:
    account, issued = accounts.create(gemeente="gouda", rollen=["behandelaar"], email="B.Jansen@Gouda.example")
    assert issued and account.must_change and account.email == "b.jansen@gouda.example"
    assert accounts.verify("b.jansen@gouda.example", issued).must_change
    accounts.set_password("b.jansen@gouda.example", GOOD, must_change=False)
    assert not accounts.verify("B.JANSEN@gouda.example", GOOD).must_change
    with pytest.raises(LoginFailed):
        accounts.verify("b.jansen@gouda.example", issued)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(accounts) -> None:
    accounts.create(gemeente="gouda", rollen=["behandelaar"], email="b@gouda.example", password=GOOD)
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(4):
            with pytest.raises(LoginFailed) as wrong:
                accounts.verify("b@gouda.example", "verkeerd-wachtwoord", address="10.0.0.1")
            assert str(wrong.value) == FAILED
        with pytest.raises(LoginFailed) as locked:
            accounts.verify("b@gouda.example", "verkeerd-wachtwoord", address="10.0.0.1")
        assert "15 minuten vergrendeld" in str(locked.value)
        traveller.shift(timedelta(minutes=14))
        with pytest.raises(LoginFailed) as still:  # the right password does not open a locked account
            accounts.verify("b@gouda.example", GOOD)
        assert "1 minuten vergrendeld" in str(still.value)
        traveller.shift(timedelta(minutes=1, seconds=1))
        assert accounts.verify("b@gouda.example", GOOD).email == "b@gouda.example"
    kinds = [e.kind for e in accounts.events(email="b@gouda.example")]
    assert kinds == ["mislukt"] * 5 + ["vergrendeld", "mislukt", "inloggen"]
    first = accounts.events(email="b@gouda.example")[0]
    assert first.address == "10.0.0.1" and first.at == START and first.account_id is not None


def test_an_unknown_address_is_locked_like_an_account_would_be(accounts) -> None:
    accounts.create(gemeente="gouda", rollen=["behandelaar"], email="b@gouda.example", password=GOOD)
    with time_machine.travel(START, tick=False) as traveller:
        answers = {}
        for email in ("b@gouda.example", "niemand@gouda.example"):
            said = []
            for minutes in (0, 1, 1, 1, 1, 5, 9, 1.5):
                traveller.shift(timedelta(minutes=minutes))
                with pytest.raises(LoginFailed) as failed:
                    accounts.verify(email, "verkeerd-wachtwoord")
                said.append(str(failed.value))
            answers[email] = said
            traveller.shift(timedelta(hours=2))
        assert answers["b@gouda.example"] == answers["niemand@gouda.example"]
        assert answers["b@gouda.example"][4].count("15 minuten vergrendeld") == 1
        assert "1 minuten vergrendeld" in answers["b@gouda.example"][6]
        assert answers["b@gouda.example"][7] == FAILED  # 15.5 minutes after the lock (at minute 4): a new round


def test_wrong_unknown_and_blocked_look_the_same(accounts) -> None:
    accounts.create(gemeente="gouda", rollen=["behandelaar"], email="b@gouda.example", password=GOOD)
    accounts.create(gemeente="gouda", rollen=["lezer"], email="weg@gouda.example", password=GOOD)
    accounts.block("weg@gouda.example")
    messages, durations = [], []
    for email, password in [("b@gouda.example", "verkeerd-wachtwoord"), ("niemand@gouda.example", GOOD),
                            ("weg@gouda.example", GOOD)]:
        begin = time.perf_counter()
        with pytest.raises(LoginFailed) as failed:
            accounts.verify(email, password)
        durations.append(time.perf_counter() - begin)
        messages.append((str(failed.value), failed.value.locked_until))
    assert messages == [(FAILED, None)] * 3
    assert max(durations) < 4 * min(durations), durations  # every path verifies one argon2 hash
    tried = accounts.events(email="niemand@gouda.example")
    assert [(e.kind, e.account_id) for e in tried] == [("mislukt", None)]


def test_the_audit_never_holds_a_password(accounts, service) -> None:
    accounts.create(gemeente="gouda", rollen=["behandelaar"], email="b@gouda.example", password=GOOD)
    accounts.verify("b@gouda.example", GOOD)
    with pytest.raises(LoginFailed):
        accounts.verify("b@gouda.example", "geheim-verkeerd-123")
    rows = [tuple(map(str, e)) for e in accounts.events()]
    assert rows and not any(GOOD in v or "geheim-verkeerd" in v for row in rows for v in row)


def test_sessions_expire_when_idle_and_absolutely(accounts) -> None:
    from r2c.service.accounts import LoginSession

    who = LoginSession("id-1", "B. Jansen", "b@gouda.example", "gouda", ("behandelaar", "teamleider"),
                       "behandelaar", "")
    with time_machine.travel(START, tick=False) as traveller:
        session_id, opened = accounts.open_session(who)
        assert len(opened.csrf) > 20 and accounts.session(session_id).rol == "behandelaar"
        traveller.shift(timedelta(minutes=29))
        assert accounts.session(session_id) is not None  # and it is used again: idle time restarts
        traveller.shift(timedelta(minutes=29))
        assert accounts.switch_role(session_id, "teamleider").rol == "teamleider"
        traveller.shift(timedelta(minutes=31))
        assert accounts.session(session_id) is None
        assert accounts.session(session_id) is None  # deleted, not only refused

        busy, _ = accounts.open_session(who)  # used every 29 minutes: never idle, but 10 hours is the end
        alive = 0
        while accounts.session(busy) is not None:
            alive += 1
            traveller.shift(timedelta(minutes=29))
        assert alive == 21  # 0, 29, ..., 580 minutes after the login; at 609 minutes it has expired


def test_a_page_view_soon_after_the_last_is_a_read_so_idle_time_counts_from_the_last_write(accounts) -> None:
    from r2c.service.accounts import TOUCH_EVERY, LoginSession

    who = LoginSession("id-2", "B. Jansen", "b@gouda.example", "gouda", ("behandelaar",), "behandelaar", "")
    with time_machine.travel(START, tick=False) as traveller:
        quick, _ = accounts.open_session(who)
        traveller.shift(TOUCH_EVERY - timedelta(seconds=10))
        assert accounts.session(quick) is not None  # seen, not written: busy users' clicks do not queue writes
        traveller.shift(timedelta(minutes=30, seconds=-10))
        assert accounts.session(quick) is None  # 30 minutes and 10 seconds after the last write
        later, _ = accounts.open_session(who)
        traveller.shift(TOUCH_EVERY)
        assert accounts.session(later) is not None  # written now
        traveller.shift(timedelta(minutes=29, seconds=50))
        assert accounts.session(later) is not None


def test_a_login_clears_sessions_left_behind(accounts, service) -> None:
    from sqlalchemy import func, select

    from r2c.service.accounts import LoginSession
    from r2c.store.accounts import SESSION

    who = LoginSession("id-1", "B", "b@gouda.example", "gouda", ("lezer",), "lezer", "")
    with time_machine.travel(START, tick=False) as traveller:
        accounts.open_session(who)
        accounts.open_pending({"state": "s"})
        traveller.shift(timedelta(minutes=31))
        accounts.open_session(who)
    with service.units.read() as connection:
        assert connection.execute(select(func.count()).select_from(SESSION)).scalar_one() == 1


def test_logout_deletes_the_session_and_is_audited(accounts) -> None:
    from r2c.service.accounts import LoginSession

    session_id, _ = accounts.open_session(LoginSession("id-1", "B", "b@gouda.example", "gouda", ("lezer",), "lezer", ""))
    accounts.close_session(session_id, address="127.0.0.1")
    assert accounts.session(session_id) is None
    assert [(e.kind, e.account_id) for e in accounts.events()] == [("uitloggen", "id-1")]
