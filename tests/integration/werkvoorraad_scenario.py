"""Five gouda challenges whose next running terms end on known days, seen on Monday 2 March 2026 (werkdagen
thresholds 10,3): one per light, a second verstreken one that waits on the initiatiefnemer (in fase
ontvankelijkheid), and one assigned to b.jansen."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from fastapi import FastAPI
from fastapi.testclient import TestClient

from r2c.engine.case import Actor
from r2c.settings import load_settings
from r2c.web.pages import mount_static
from r2c.web.staff import Staff
from r2c.web.uitdaging import werk_routers
from tests.integration.helpers import submit

JANSEN = Staff("b.jansen", "B. Jansen", "b.jansen@gouda.nl", "gouda", ("behandelaar",), "behandelaar")
TEAMLEIDER = Staff("t.bakker", "T. Bakker", "t.bakker@gouda.nl", "gouda", ("teamleider",), "teamleider")
LEZER = Staff("l.smit", "L. Smit", "l.smit@gouda.nl", "gouda", ("lezer",), "lezer")
SUBMITTED = {  # titel: day submitted (the beslistermijn is 8 weeks: its last day 56 days later)
    "Verlopen park": datetime(2025, 12, 1, 9, tzinfo=timezone.utc),   # last day 26-01-2026: verstreken
    "Wacht bank": datetime(2026, 2, 2, 9, tzinfo=timezone.utc),       # hersteltermijn to 16-02-2026: verstreken
    "Rode tuin": datetime(2026, 1, 6, 9, tzinfo=timezone.utc),        # 03-03-2026: 1 werkdag left, rood
    "Oranje plein": datetime(2026, 1, 13, 9, tzinfo=timezone.utc),    # 10-03-2026: 6 werkdagen left, oranje
    "Groen veld": datetime(2026, 3, 2, 8, tzinfo=timezone.utc),       # 27-04-2026: groen
}
TODAY = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def scenario(service, clock) -> dict:
    """The five challenges by titel (as submitted, or after their last change); the clock back on TODAY."""
    made = {}
    jansen = Actor("b.jansen", "behandelaar", "gouda")
    for titel, moment in SUBMITTED.items():
        clock.set(moment)
        made[titel] = submit(service, titel=titel).challenge
    clock.set(SUBMITTED["Wacht bank"])
    made["Wacht bank"] = service.fire(made["Wacht bank"].id, "aanvulling_vragen", actor=jansen, reason="De begroting.",
                                      expected_version=made["Wacht bank"].version).challenge
    clock.set(TODAY)
    made["Groen veld"] = service.assign(made["Groen veld"].id, behandelaar="b.jansen", actor=jansen)
    return made


def client(service, person: Staff = JANSEN, **settings) -> TestClient:
    app = FastAPI()
    mount_static(app)
    for router in werk_routers(service, None, load_settings(**settings), staff=lambda: person):
        app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def shown(html: str) -> list[str]:
    """The titles of the scenario in the list, in the order shown."""
    cells = re.findall(r'<td class="utrecht-table__cell">([^<]*)</td>', html)
    return [c for c in cells if c in SUBMITTED]
