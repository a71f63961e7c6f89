"""The forms on a page, read as a browser would: action, method, enctype and every named field with its value."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    """One <form>: where it posts and its fields (name, type, value), in page order."""

    action: str
    method: str
    enctype: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)

    def hidden(self) -> dict[str, str]:
        """The hidden fields (csrf, versie, stap, volgende)."""
        return {name: value for name, kind, value in self.fields if kind == "hidden"}

    def names(self, *, kinds: tuple[str, ...] = ()) -> list[str]:
        """The names of the fields a person fills in (not hidden, not a file), or of ``kinds`` only."""
        return list(dict.fromkeys(name for name, kind, _ in self.fields
                                  if (kind in kinds if kinds else kind not in ("hidden", "file", "submit"))))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.current: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.current = Form(a.get("action", ""), a.get("method", "get").lower(), a.get("enctype", ""))
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "textarea", "select", "button") and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else tag
            self.current.fields.append((a["name"], kind, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


def forms_of(html: str) -> list[Form]:
    """Every form on the page."""
    reader = _Reader()
    reader.feed(html)
    return reader.forms
