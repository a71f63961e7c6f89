"""The documents and letters of a challenge in the werkomgeving: upload and download a document, a letter as HTML
(its own page, nothing active in it) and as PDF.

An upload goes through the service's own checks (``check_document``: name, type, size; ``add_document``: the
access policy and the version the form read); a refusal is shown next to the upload field on the challenge page.
A download or letter of another gemeente's challenge, or one that is not there, is the same 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from urllib.parse import quote
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from r2c.errors import AccessDenied, Conflict, InvalidInput, NotFound, ServiceError, UnknownGemeente
from r2c.service import ChallengeService
from r2c.service.views import Upload
from r2c.web import csrf
from r2c.web.pages import SECURITY_HEADERS, render
from r2c.web.staff import Staff

UPLOAD_FIELD = "document"
NAME_FIELD = "document-naam"
LETTER_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
"""A letter's own page: its inline styles and data: logo, no script, no form, no frame (``sandbox``)."""

_UPLOAD_MESSAGES = {
    "media_type": "Dit soort bestand kan niet. Kies een PDF, een foto (PNG of JPEG), een tekstbestand of een "
                  "document van Word of OpenOffice.",
    "leeg": "Het bestand is leeg. Kies een ander bestand.",
    "geen": "Kies een bestand.",
}


def attachment(filename: str) -> str:
    """A Content-Disposition that downloads the file under a safe ASCII version of its name."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "bestand"
    return f'attachment; filename="{safe}"'


def upload_errors(service: ChallengeService, upload: Upload | None) -> dict[str, str]:
    """{form field: Dutch message} for an upload the service would refuse (none when it is acceptable)."""
    if upload is None:
        return {UPLOAD_FIELD: _UPLOAD_MESSAGES["geen"]}
    problems = service.check_document(upload)
    errors: dict[str, str] = {}
    if "naam" in problems:
        errors[NAME_FIELD] = f"De naam van het document: {problems['naam']}."
    if "media_type" in problems:
        errors[UPLOAD_FIELD] = _UPLOAD_MESSAGES["media_type"]
    elif "inhoud" in problems:
        megabytes = service.limits.document_size // (1024 * 1024)
        errors[UPLOAD_FIELD] = (_UPLOAD_MESSAGES["leeg"] if not upload.content else
                                f"Het bestand is te groot. Het mag hoogstens {megabytes} MB zijn.")
    return errors


async def read_upload(service: ChallengeService, item: Any, name: str) -> Upload | None:
    """The uploaded file of a form as an Upload (its type without parameters; content read up to one byte over
    the limit); None when no file was chosen."""
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    media_type = (item.content_type or "application/octet-stream").split(";")[0].strip().lower()
    content = await item.read(service.limits.document_size + 1)
    suffix = PurePath(item.filename).suffix
    if name and suffix and not name.lower().endswith(suffix.lower()):
        name += suffix  # 'Begroting' for begroting.pdf downloads as Begroting.pdf
    return Upload(name or item.filename, media_type, content)


def dossier_router(service: ChallengeService, letters: Any, *, staff: Callable[..., Any],
                   page: Callable[..., Response]) -> APIRouter:
    """Upload and download of documents, letters as HTML and PDF; ``staff`` yields the logged-in Staff, ``page``
    draws the challenge page (r2c.web.uitdaging.challenge_page) for an upload that is refused."""
    router = APIRouter(include_in_schema=False)

    def challenge_page(_service: ChallengeService, request: Request, person: Staff, challenge_id: str,
                       **kwargs: Any) -> Response:
        return page(request, person, challenge_id, **kwargs)

    def not_found(request: Request, person: Staff) -> Response:
        return render(request, "werk/niet_gevonden.html", status_code=404, staff=person)

    @router.post("/uitdagingen/{challenge_id}/documenten", response_class=HTMLResponse)
    async def upload(request: Request, challenge_id: str, person: Staff = Depends(staff)) -> Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        keep = {"waarden": values, "open_event": UPLOAD_FIELD}
        if not csrf.valid(request, values.get(csrf.FIELD, "")):
            return challenge_page(service, request, person, challenge_id, status_code=403, **keep,
                                  melding="Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.")
        name = values.get(NAME_FIELD, "").strip()
        item = form.get(UPLOAD_FIELD)
        found = await read_upload(service, item, name)
        errors = upload_errors(service, found)
        if errors:
            return challenge_page(service, request, person, challenge_id, status_code=422, fouten=errors, **keep)
        assert found is not None
        try:
            version = int(values.get("versie", ""))
        except ValueError:
            version = -1
        try:
            service.add_document(challenge_id, actor=person.actor(), name=found.name, media_type=found.media_type,
                                 content=found.content, expected_version=version)
        except (NotFound, UnknownGemeente):
            return not_found(request, person)
        except Conflict as error:
            return challenge_page(service, request, person, challenge_id, status_code=409, wijzigingen=error.changes,
                                  melding="Iemand anders heeft dit intussen gewijzigd. Er is niets opgeslagen. "
                                          "Kies het bestand opnieuw en probeer het nog eens.", **keep)
        except InvalidInput as error:  # checked above; a second look by the service
            return challenge_page(service, request, person, challenge_id, status_code=422, **keep,
                                  fouten={UPLOAD_FIELD: "Het document is niet aangenomen: "
                                                        + "; ".join(error.fields.values())})
        except AccessDenied:
            return challenge_page(service, request, person, challenge_id, status_code=403,
                                  melding="U mag bij deze uitdaging geen documenten toevoegen.")
        except ServiceError as error:
            return challenge_page(service, request, person, challenge_id, status_code=503, melding=str(error), **keep)
        return RedirectResponse(f"/uitdagingen/{challenge_id}#documenten", status_code=303)

    @router.get("/uitdagingen/{challenge_id}/documenten")
    def back_to_page(challenge_id: str, person: Staff = Depends(staff)) -> Response:
        """The upload's address opened with GET (after a login that interrupted a POST): the challenge page."""
        return RedirectResponse(f"/uitdagingen/{quote(challenge_id, safe='')}#documenten", status_code=303)

    @router.get("/uitdagingen/{challenge_id}/documenten/{document_id}")
    def download(request: Request, challenge_id: str, document_id: str, person: Staff = Depends(staff)) -> Response:
        try:
            doc, content = service.document_content(challenge_id, document_id, actor=person.actor())
        except (NotFound, UnknownGemeente, AccessDenied):
            return not_found(request, person)
        return Response(content, media_type=doc.media_type,
                        headers={**SECURITY_HEADERS, "Content-Disposition": attachment(doc.name)})

    def letter(request: Request, person: Staff, challenge_id: str, letter_id: str, *, pdf: bool) -> Response:
        if letters is None or not letter_id.isdigit() or len(letter_id) > 18:
            return not_found(request, person)
        try:
            rendered = letters.render(challenge_id, int(letter_id), actor=person.actor(), pdf=pdf)
        except (NotFound, UnknownGemeente, AccessDenied):
            return not_found(request, person)
        if pdf:
            return Response(rendered.content, media_type=rendered.media_type,
                            headers={**SECURITY_HEADERS, "Content-Disposition": attachment(rendered.filename)})
        return Response(rendered.content, media_type=rendered.media_type,
                        headers={**SECURITY_HEADERS, "Content-Security-Policy": LETTER_CSP})

    @router.get("/uitdagingen/{challenge_id}/brieven/{letter_id}")
    def letter_html(request: Request, challenge_id: str, letter_id: str, person: Staff = Depends(staff)) -> Response:
        return letter(request, person, challenge_id, letter_id, pdf=False)

    @router.get("/uitdagingen/{challenge_id}/brieven/{letter_id}/pdf")
    def letter_pdf(request: Request, challenge_id: str, letter_id: str, person: Staff = Depends(staff)) -> Response:
        return letter(request, person, challenge_id, letter_id, pdf=True)

    return router
