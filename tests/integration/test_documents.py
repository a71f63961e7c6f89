"""Documents: metadata and checksum in the database and the history, the content on disk by its SHA-256, checked
on every read."""

from __future__ import annotations

import hashlib

import pytest

from r2c.engine.case import Actor
from r2c.errors import NotFound, StorageError
from tests.integration.helpers import behandelaar, row_counts, submit

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def files_on_disk(service) -> list:
    root = service.documents.root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_uploaded_pdf_is_recorded_with_its_checksum_and_comes_back_identical(service, database, clock) -> None:
    c = submit(service).challenge
    before = row_counts(database)
    doc = service.add_document(c.id, actor=behandelaar(), name=" begroting 2026.pdf ", media_type="application/pdf",
                               content=PDF, expected_version=c.version)
    digest = hashlib.sha256(PDF).hexdigest()
    assert (doc.challenge_id, doc.name, doc.media_type) == (c.id, "begroting 2026.pdf", "application/pdf")
    assert (doc.size, doc.sha256, doc.added_by, doc.added_at) == (len(PDF), digest, "b.jansen", clock.now())

    assert service.documents_of(c.id, actor=behandelaar()) == [doc]
    after = row_counts(database)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "document": 1, "history": 1, "outbox": 1}

    entry = service.timeline(c.id, actor=behandelaar())[-1]
    assert (entry.seq, entry.kind, entry.event, entry.actor_id, entry.actor_rol) == (
        c.version + 1, "document", None, "b.jansen", "behandelaar")
    assert entry.from_state == entry.to_state == c.state
    assert dict(entry.data) == {"document": doc.id, "naam": "begroting 2026.pdf", "sha256": digest,
                                "grootte": len(PDF)}
    assert service.get(c.id, actor=behandelaar()).version == c.version + 1

    got, content = service.document_content(c.id, doc.id, actor=behandelaar())
    assert got == doc and content == PDF
    assert [p.name for p in files_on_disk(service)] == [digest]
    assert files_on_disk(service)[0].read_bytes() == PDF


def test_the_initiatiefnemer_uploads_and_reads_their_own_document(service) -> None:
    c = submit(service).challenge
    me = Actor(c.initiatiefnemer, "initiatiefnemer", "gouda")
    doc = service.add_document(c.id, actor=me, name="draagvlak.txt", media_type="text/plain",
                               content="Handtekeningen van 42 buren.".encode())
    assert doc.added_by == c.initiatiefnemer
    assert service.document_content(c.id, doc.id, actor=me)[1] == "Handtekeningen van 42 buren.".encode()
    assert service.document_content(c.id, doc.id, actor=Actor("l.de.boer", "lezer", "gouda"))[0] == doc
    assert service.timeline(c.id, actor=Actor("l.de.boer", "lezer", "gouda"))[-1].actor_rol == "initiatiefnemer"


@pytest.mark.parametrize("change", ["altered", "truncated", "emptied"])
def test_a_file_altered_on_disk_is_refused_on_read(service, change) -> None:
    c = submit(service).challenge
    doc = service.add_document(c.id, actor=behandelaar(), name="plan.pdf", media_type="application/pdf",
                               content=PDF)
    (path,) = files_on_disk(service)
    if change == "altered":
        path.write_bytes(PDF.replace(b"/Count 0", b"/Count 9"))
    elif change == "truncated":
        path.write_bytes(PDF[:10])
    else:
        path.write_bytes(b"")
    with pytest.raises(StorageError) as info:
        service.document_content(c.id, doc.id, actor=behandelaar())
    assert "controlesom klopt niet" in str(info.value) and doc.sha256 in str(info.value)
    # The metadata is still there: the problem is the file, not the record.
    assert service.documents_of(c.id, actor=behandelaar()) == [doc]


def test_a_missing_file_is_refused_on_read(service) -> None:
    c = submit(service).challenge
    doc = service.add_document(c.id, actor=behandelaar(), name="plan.pdf", media_type="application/pdf",
                               content=PDF)
    files_on_disk(service)[0].unlink()
    with pytest.raises(StorageError) as info:
        service.document_content(c.id, doc.id, actor=behandelaar())
    assert "ontbreekt" in str(info.value) and doc.sha256 in str(info.value)


def test_the_same_content_uploaded_twice_is_stored_once(service, database) -> None:
    first = submit(service, titel="Eerste").challenge
    second = submit(service, "amsterdam", titel="Tweede").challenge
    a = service.add_document(first.id, actor=behandelaar(), name="plan.pdf", media_type="application/pdf",
                             content=PDF)
    b = service.add_document(first.id, actor=behandelaar(ident="a.smit"), name="plan (kopie).pdf",
                             media_type="application/pdf", content=PDF)
    elsewhere = service.add_document(second.id, actor=behandelaar("amsterdam"), name="ons plan.pdf",
                                     media_type="application/pdf", content=PDF)
    assert a.sha256 == b.sha256 == elsewhere.sha256 and len({a.id, b.id, elsewhere.id}) == 3
    assert [p.name for p in files_on_disk(service)] == [a.sha256]
    assert row_counts(database)["document"] == 3
    assert {d.id for d in service.documents_of(first.id, actor=behandelaar())} == {a.id, b.id}
    assert [d.id for d in service.documents_of(second.id, actor=behandelaar("amsterdam"))] == [elsewhere.id]
    for challenge, doc, actor in ((first, a, behandelaar()), (first, b, behandelaar()),
                                  (second, elsewhere, behandelaar("amsterdam"))):
        assert service.document_content(challenge.id, doc.id, actor=actor) == (doc, PDF)
    # Another content is another file.
    other = service.add_document(first.id, actor=behandelaar(), name="brief.txt", media_type="text/plain",
                                 content=b"Beste gemeente,")
    assert sorted(p.name for p in files_on_disk(service)) == sorted({a.sha256, other.sha256})


def test_a_document_of_another_challenge_is_not_found_through_this_one(service) -> None:
    first = submit(service, titel="Eerste").challenge
    second = submit(service, titel="Tweede").challenge
    doc = service.add_document(first.id, actor=behandelaar(), name="plan.pdf", media_type="application/pdf",
                               content=PDF)
    with pytest.raises(NotFound) as info:
        service.document_content(second.id, doc.id, actor=behandelaar())
    assert doc.id in str(info.value)
