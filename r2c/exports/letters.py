"""A challenge's letters on demand: the same HTML and PDF the initiatiefnemer got by e-mail, for the API and the
status page. Access goes through the service (``letters_of``), so a caller sees only the letters meant for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from r2c.engine.case import Actor
from r2c.errors import NotFound
from r2c.notify.render import PDF, has_template, render_letter_html, render_letter_pdf
from r2c.notify.routing import Router
from r2c.service.challenges import ChallengeService
from r2c.service.views import Letter


@dataclass(frozen=True)
class RenderedLetter:
    """A letter ready to send over HTTP: its file name, media type and bytes."""

    letter: Letter
    filename: str
    media_type: str
    content: bytes


class Letters:
    """Renders the letters of a challenge for whoever may see them.

    Attributes:
        service: the challenge service (access and the letter list).
        router: the huisstijl per gemeente and the letter's context.
    """

    def __init__(self, service: ChallengeService, router: Router):
        self.service = service
        self.router = router

    def find(self, challenge_id: str, letter_id: int, *, actor: Actor) -> Letter:
        """The letter, if the actor may see it; NotFound otherwise."""
        for letter in self.service.letters_of(challenge_id, actor=actor):
            if letter.id == letter_id:
                return letter
        raise NotFound(f"geen brief {letter_id} bij uitdaging {challenge_id}")

    def render(self, challenge_id: str, letter_id: int, *, actor: Actor, pdf: bool = False) -> RenderedLetter:
        """The letter as HTML (preview) or PDF (download); NotFound when it is not there or has no template."""
        letter = self.find(challenge_id, letter_id, actor=actor)
        huisstijl = self.router.huisstijl(actor.gemeente or "")
        if not has_template(huisstijl, f"brief/{letter.template}.html"):
            raise NotFound(f"brief {letter_id} ({letter.template}) heeft geen sjabloon om te tonen")
        with self.service.reading() as connection:
            context = self.router.letter_context(connection, challenge_id=letter.challenge_id,
                                                 history_seq=letter.history_seq, letter=letter.template)
        if context is None:
            raise NotFound(f"geen brief {letter_id} bij uitdaging {challenge_id}")
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{letter.template}-{context['uitdaging']['kenmerk']}")
        if pdf:
            return RenderedLetter(letter, f"{stem}.pdf", PDF, render_letter_pdf(huisstijl, letter.template, context))
        html = render_letter_html(huisstijl, letter.template, context)
        return RenderedLetter(letter, f"{stem}.html", "text/html; charset=utf-8", html.encode("utf-8"))
