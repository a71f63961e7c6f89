"""How hard a Dutch text is to read: LIX (Björnsson), for the tests over what residents read.

LIX = words per sentence + 100 x the share of long words (more than 6 letters). It needs no syllables, so it
works for Dutch as it is, with no dictionary; Dutch compounds (bestemmingsplan) make it a little higher than
for English. Rough bands for Dutch: below 35 easy, 35-45 ordinary (B1 texts of gemeenten), above 50 hard.
No maintained Python package computes LIX for Dutch (textstat is not in the package lists; the formula is
these few lines), so the tests carry their own.

What counts: a sentence ends at '.', '!', '?', ':' or ';' followed by a space or the end, and at every line
end (a heading, a list item, a label or a table cell is a sentence of its own: ``visible_text`` puts each on
its own line). A word is a run of letters (with '-' or an apostrophe inside); anything with a digit in it
(numbers, dates, kenmerken such as UD-2026-0042), web addresses and e-mail addresses are not words: a resident does
not read them as prose, and counting them would reward padding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

LONG = 6  # letters: a word with more is long
ADDRESS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+|/\S*/\S*|[^\s.,;:!?()]*\d(?:[^\s,;:!?()]*[^\s.,;:!?()])?")
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
SENTENCE_END = re.compile(r"[.!?:;](?=\s|$)|\n")

BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "ul", "ol", "dl", "dt", "dd", "br", "section",
          "header", "footer", "main", "nav", "title", "table", "tr", "td", "th", "caption", "label", "legend",
          "fieldset", "form", "button", "option", "summary", "details", "article", "aside", "figcaption"}
HIDDEN = {"script", "style", "template", "head"}


@dataclass(frozen=True)
class Score:
    lix: float
    words: int
    sentences: int
    long_words: int

    def __str__(self) -> str:
        return (f"LIX {self.lix:.1f} ({self.words} woorden, {self.sentences} zinnen, "
                f"{self.long_words} lange woorden)")


def lix(text: str) -> Score:
    """The LIX of ``text``; a text without words scores 0."""
    sentences = 0
    words = long_words = 0
    for part in SENTENCE_END.split(ADDRESS.sub(" ", text)):
        found = WORD.findall(part)
        if not found:
            continue
        sentences += 1
        words += len(found)
        long_words += sum(1 for w in found if sum(c.isalpha() for c in w) > LONG)
    if not words:
        return Score(0.0, 0, 0, 0)
    return Score(words / sentences + 100 * long_words / words, words, sentences, long_words)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(data.replace("\n", " "))


def visible_text(page: str) -> str:
    """What a reader sees of an HTML page (not its head, scripts or styles), one block per line."""
    parser = _Visible()
    parser.feed(page)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.out).split("\n"))
    return "\n".join(line for line in lines if line)
