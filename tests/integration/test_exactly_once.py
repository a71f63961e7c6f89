"""Exactly once with several workers on PostgreSQL, and what a crash does to it.

Hundreds of challenges are submitted and the clock is moved to the day of their beslistermijn's first reminder
('10 werkdagen voor', to the team). One initiatiefnemer in ten gives an e-mail address and gets the
ontvangstbevestiging by e-mail with the letter as PDF (the others by post, outside r2c): rendering a PDF takes
about half a second, so the letters are a tenth of the mail, enough to have them in every run. Worker processes
then run the scheduler's jobs in a loop (sweep_terms, distribute, deliver over the e-mail channel to this test's
aiosmtpd server) on the same schema until a round finds nothing to do. The children get the time on their command
line (a FixedClock): nothing waits for the wall clock.

- Two workers at once: every message arrives exactly once (counted by Message-ID and in total), none is lost.
- One of two workers is SIGKILLed in the middle, by a hook in the child, at a point outside the window between
  the SMTP server's acceptance and the commit (inside a sweep's transaction; or at the start of a send, before
  any byte of it went out); a new worker takes over: still every message exactly once.
- Killed inside that window (right after ``send`` returned, before the commit): that one message arrives twice,
  with the same Message-ID, so a receiver can discard the copy; nothing is lost. This is the documented limit of
  exactly-once (r2c.scheduler.jobs.deliver).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from time import monotonic
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from r2c.clock import FixedClock
from r2c.notify.email import message_id
from r2c.notify.routing import Router
from r2c.scheduler.jobs import deliver, distribute, sweep_terms
from r2c.service import ChallengeService, Initiatiefnemer
from r2c.settings import Settings
from r2c.store import Database
from r2c.store.tables import DeliveryRow, OutboxRow, TermRow
from tests.conftest import MODEL_DIR, ROOT, WORKFLOW_DIR
from tests.integration.conftest import require_postgresql
from tests.integration.test_email import TEAM, MailServer

DELIVERY, OUTBOX, TERM = DeliveryRow.__table__, OutboxRow.__table__, TermRow.__table__
SUBMITTED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
WATCHDOG_S = 600  # a child still running after this is killed and the test fails: a hang, not a slow machine

pytestmark = pytest.mark.slow

WORKER = r"""
import json, os, signal, sys
from datetime import datetime
from sqlalchemy import event, text
from r2c.clock import FixedClock
from r2c.definitions import load_catalog
from r2c.notify.email import EmailChannel
from r2c.notify.routing import Router
from r2c.scheduler.jobs import deliver, distribute, sweep_terms
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database

url, now, port, huisstijl, model_dir, workflow_dir, kill = sys.argv[1:]
kind, _, at = kill.partition(":")
at = int(at or 0)
clock = FixedClock(datetime.fromisoformat(now))
catalog = load_catalog([model_dir, workflow_dir], base_paths=[])
db = Database.connect(url)
service = ChallengeService(db.sessions, catalog, clock, read_session_factory=db.read_sessions)
settings = Settings(kanalen=["email"], smtp_host="127.0.0.1", smtp_port=int(port), huisstijl=huisstijl)
router = Router(settings, catalog)

def say(**what):
    print(json.dumps(what), flush=True)

def die(**what):
    say(killed=kind, **what)
    os.kill(os.getpid(), signal.SIGKILL)

swept = [0]

@event.listens_for(db.engine, "after_cursor_execute")
def after(conn, cursor, statement, parameters, context, executemany):
    if "INSERT INTO outbox" in " ".join(statement.split()):  # only a sweep writes the outbox here
        swept[0] += 1
        say(swept=swept[0])
        if kind == "sweep" and swept[0] == at:
            die(swept=swept[0])  # inside the sweep's transaction: its outbox row written, not committed

class Hooked:
    name = "email"

    def __init__(self, channel):
        self.channel, self.sent = channel, 0

    def send(self, message):
        if kind == "before-send" and self.sent == at:
            die(key=message.key, sent=self.sent)  # the row is claimed, nothing of the message sent
        self.channel.send(message)
        self.sent += 1
        say(sent=self.sent, key=message.key)
        if kind == "after-send" and self.sent == at:
            die(key=message.key, sent=self.sent)  # the server has it; the row is not yet marked

channels = {"email": Hooked(EmailChannel(settings, timeout=30, clock=clock))}
with db.engine.connect() as connection:
    connection.execute(text("SELECT 1"))
say(ready=True)
if sys.stdin.readline().strip() != "go":
    sys.exit(3)
rounds = totals = 0
while True:
    done = (sweep_terms(service, clock, limit=10).done + distribute(service, clock, router, batch=25).done
            + deliver(service, clock, channels, router, limit=20).done)
    rounds, totals = rounds + 1, totals + done
    if done == 0:
        break
channels["email"].channel.close()
say(finished=True, rounds=rounds, handled=totals, sent=channels["email"].sent)
"""


@dataclass
class Worker:
    """A worker process: started, waiting for 'go' on its stdin; its JSON lines on stdout."""

    name: str
    process: subprocess.Popen
    lines: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""

    def read_until(self, **what: Any) -> dict[str, Any]:
        """Read lines until one has every key of ``what`` with a value at least that; fails if the child ends."""
        while True:
            raw = self.process.stdout.readline()
            assert raw, f"{self.name} ended before {what}: {self.lines[-3:]} {self.process.stderr.read()}"
            line = json.loads(raw)
            self.lines.append(line)
            if all(k in line and line[k] >= v for k, v in what.items()):
                return line

    def go(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def finish(self) -> int:
        """Wait for the child to end (its watchdog kills a hang); its return code."""
        out, self.stderr = self.process.communicate()
        self.lines += [json.loads(raw) for raw in out.splitlines() if raw.strip()]
        return self.process.returncode

    @property
    def sent_keys(self) -> list[str]:
        return [line["key"] for line in self.lines if "sent" in line and "key" in line and "killed" not in line]


def start_worker(name: str, url: str, now: datetime, server: MailServer, huisstijl: Path, kill: str = "") -> Worker:
    named = f"{url}&application_name=r2c-test-{name}"
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, named, now.isoformat(), str(server.port), str(huisstijl), str(MODEL_DIR),
         str(WORKFLOW_DIR), kill], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    watchdog = threading.Timer(WATCHDOG_S, process.kill)
    watchdog.daemon = True
    watchdog.start()
    worker = Worker(name, process)
    worker.read_until(ready=True)
    return worker


# -- set-up: submitted challenges whose first reminder is due ---------------------------------------------------

@dataclass
class Scene:
    """A PostgreSQL schema with ``count`` challenges submitted, the SMTP server, and the day the reminders are due.

    Attributes:
        letters: how many initiatiefnemers gave an e-mail address (every tenth): their ontvangstbevestiging is
            e-mailed, so there are ``count + letters`` e-mails in all.
    """

    database: Database
    service: ChallengeService
    url: str
    server: MailServer
    huisstijl: Path
    count: int
    reminder_day: date

    @property
    def letters(self) -> int:
        return len(range(0, self.count, 10))

    @property
    def emails(self) -> int:
        return self.count + self.letters

    @property
    def now(self) -> datetime:
        return datetime.combine(self.reminder_day, time(7), tzinfo=timezone.utc)


@pytest.fixture
def scene_factory(postgres_url, catalog, tmp_path) -> Iterator:
    require_postgresql()
    made: list[Scene] = []
    server = MailServer()
    server.start()
    root = tmp_path / "huisstijl"
    (root / "gouda").mkdir(parents=True)
    (root / "gouda" / "gemeente.yaml").write_text(
        f"naam: Gemeente Gouda\nafzender: uitdaagrecht@gouda.nl\nteam: {TEAM}\n", encoding="utf-8")

    def make(count: int) -> Scene:
        database = Database.connect(postgres_url)
        database.upgrade()
        service = ChallengeService(database.sessions, catalog, FixedClock(SUBMITTED_AT),
                                   read_session_factory=database.read_sessions)
        for i in range(count):
            email = f"i{i:04d}@example.nl" if i % 10 == 0 else None
            service.submit(gemeente="gouda", titel=f"Uitdaging {i:04d}", data={"omschrijving": "Het park."},
                           initiatiefnemer=Initiatiefnemer(f"Initiatiefnemer {i}", email, adres=f"Parkweg {i}, Gouda"))
        with database.read_sessions() as session:
            first = session.execute(select(func.min(TERM.c.next_due))).scalar_one()
        scene = Scene(database, service, postgres_url, server, root, count, first)
        made.append(scene)
        return scene

    yield make
    server.stop()
    for scene in made:
        scene.database.engine.dispose()


def email_keys(database: Database) -> list[str]:
    with database.read_sessions() as session:
        return session.execute(select(DELIVERY.c.idempotency_key).where(DELIVERY.c.channel == "email")).scalars().all()


def assert_all_done(scene: Scene) -> None:
    """Nothing left: every term swept for the day, every outbox row distributed, every delivery sent."""
    with scene.database.read_sessions() as session:
        outbox = dict(session.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)).all())
        delivery = dict(session.execute(select(DELIVERY.c.status, func.count()).group_by(DELIVERY.c.status)).all())
        reminders = session.execute(select(func.count()).select_from(OUTBOX)
                                    .where(OUTBOX.c.topic == "termijn.herinnering")).scalar_one()
    assert outbox == {"verdeeld": 2 * scene.count}, outbox
    if delivery != {"verzonden": scene.emails}:
        with scene.database.read_sessions() as session:
            left = session.execute(select(DELIVERY.c.idempotency_key, DELIVERY.c.status, DELIVERY.c.attempts,
                                          DELIVERY.c.last_error).where(DELIVERY.c.status != "verzonden")).all()
        pytest.fail(f"deliveries {delivery}, not sent: {[tuple(r) for r in left[:5]]}")
    assert reminders == scene.count
    clock = FixedClock(scene.now)
    router = Router(Settings(kanalen=["email"], huisstijl=scene.huisstijl), scene.service.catalog)
    assert sweep_terms(scene.service, clock).done == 0
    assert distribute(scene.service, clock, router).done == 0
    assert deliver(scene.service, clock, {}, router).done == 0


def assert_every_message_once(scene: Scene, *, twice: set[str] = frozenset()) -> Counter:
    """Every e-mail delivery arrived exactly once by Message-ID (those in ``twice``: twice), and nothing else."""
    keys = email_keys(scene.database)
    assert len(keys) == scene.emails
    expected = Counter({message_id(k): 2 if k in twice else 1 for k in keys})
    received = Counter(scene.server.recorder.message_ids())
    assert received == expected, {
        "lost": sorted(set(expected) - set(received))[:5],
        "doubled": [m for m, n in received.items() if n > expected.get(m, 0)][:5],
        "unknown": sorted(set(received) - set(expected))[:5]}
    assert len(scene.server.messages) == len(keys) + len(twice)
    by_to = Counter(m["To"] for m in scene.server.messages)
    assert by_to[TEAM] == scene.count + sum(TEAM in k for k in twice), "one reminder per challenge"
    return received


def parts(mail) -> list[tuple[str, str | None, Any]]:
    """Each part of ``mail``: its type, file name and, for text, its content."""
    return [(p.get_content_type(), p.get_filename(), p.get_content() if p.get_content_maintype() == "text" else None)
            for p in mail.walk() if not p.is_multipart()]


def wait_until_released(scene: Scene, name: str) -> None:
    """Wait (deadline 60 s) until PostgreSQL has ended the killed worker's session, releasing its row locks."""
    deadline = monotonic() + 60
    with scene.database.engine.connect() as connection:
        while connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n"),
                                 {"n": f"r2c-test-{name}"}).scalar_one():
            connection.rollback()
            assert monotonic() < deadline, f"the session of {name} is still there"


# -- the tests ------------------------------------------------------------------------------------------------

def test_two_workers_deliver_every_message_exactly_once(scene_factory) -> None:
    """300 challenges: 300 reminders and 30 ontvangstbevestigingen with their letter, by two workers started
    together."""
    scene = scene_factory(300)
    workers = [start_worker(n, scene.url, scene.now, scene.server, scene.huisstijl) for n in ("A", "B")]
    for worker in workers:
        worker.go()
    assert [w.finish() for w in workers] == [0, 0], [w.stderr[-2000:] for w in workers]

    assert_all_done(scene)
    assert_every_message_once(scene)
    sent = {w.name: w.sent_keys for w in workers}
    assert len(sent["A"]) + len(sent["B"]) == 330 and not set(sent["A"]) & set(sent["B"])
    assert sent["A"] and sent["B"], f"both workers took part: {({k: len(v) for k, v in sent.items()})}"


@pytest.mark.parametrize("kill", ["sweep:40", "before-send:60"])
def test_a_worker_killed_outside_the_send_window_loses_and_doubles_nothing(scene_factory, kill) -> None:
    """Worker A runs alone until it has made progress, then B joins; A is SIGKILLed at its hook (the 40th term it
    sweeps, inside that transaction; or when it is about to send its 61st message), while B runs. A new worker
    C then starts next to B. Every message arrives exactly once."""
    scene = scene_factory(150)
    a = start_worker("A", scene.url, scene.now, scene.server, scene.huisstijl, kill=kill)
    b = start_worker("B", scene.url, scene.now, scene.server, scene.huisstijl)
    a.go()
    a.read_until(**({"swept": 10} if kill.startswith("sweep") else {"sent": 20}))
    b.go()
    assert a.finish() == -signal.SIGKILL, ("A was not killed: B did all the work first?", a.lines[-3:], a.stderr)
    killed = a.lines[-1]
    assert killed["killed"] == kill.split(":")[0], killed
    wait_until_released(scene, "A")
    c = start_worker("C", scene.url, scene.now, scene.server, scene.huisstijl)
    c.go()
    assert (b.finish(), c.finish()) == (0, 0), (b.stderr[-2000:], c.stderr[-2000:])

    assert_all_done(scene)
    assert_every_message_once(scene)
    if "key" in killed:  # the message A was about to send went out once, by B or C
        assert killed["key"] in b.sent_keys + c.sent_keys


def test_a_worker_killed_between_the_servers_acceptance_and_its_commit_sends_that_one_again_with_the_same_id(
        scene_factory) -> None:
    """The limit of exactly-once: A dies right after its 5th ``send`` returned (an ontvangstbevestiging with its
    letter), before it could mark the row. The row is still 'wachtend', so B sends it again: the server gets it
    twice, with the same Message-ID (and X-R2C-Sleutel), and every other message once."""
    scene = scene_factory(100)
    a = start_worker("A", scene.url, scene.now, scene.server, scene.huisstijl, kill="after-send:5")
    a.go()
    assert a.finish() == -signal.SIGKILL, (a.lines[-3:], a.stderr)
    killed = a.lines[-1]
    assert (killed["killed"], killed["sent"]) == ("after-send", 5)
    wait_until_released(scene, "A")
    with scene.database.read_sessions() as session:
        row = session.execute(select(DELIVERY).where(DELIVERY.c.idempotency_key == killed["key"])).one()
    assert (row.status, row.attempts) == ("wachtend", 0), "the accepted message was never recorded as sent"

    b = start_worker("B", scene.url, scene.now, scene.server, scene.huisstijl)
    b.go()
    assert b.finish() == 0, b.stderr[-2000:]
    assert_all_done(scene)
    received = assert_every_message_once(scene, twice={killed["key"]})
    assert received[message_id(killed["key"])] == 2
    copies = [m for m in scene.server.messages if m["X-R2C-Sleutel"] == killed["key"]]
    assert len(copies) == 2 and copies[0]["Message-ID"] == copies[1]["Message-ID"]
    assert parts(copies[0]) == parts(copies[1]), "the same message again (the PDF's bytes: test_email.py)"
    assert parts(copies[0])[-1][0] == "application/pdf", "the message A died after carries the letter"
    assert killed["key"] in b.sent_keys
