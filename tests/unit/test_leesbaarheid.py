"""LIX, the readability score the resident-facing texts are held to (tests/leesbaarheid.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.leesbaarheid import LONG, lix, visible_text

SHORT = st.text(alphabet="abcdeéfghij", min_size=1, max_size=LONG)
LONGER = st.text(alphabet="abcdeéfghij", min_size=LONG + 1, max_size=20)


def test_a_worked_example() -> None:
    # 2 sentences, 10 words, 2 long ones (gemeente, speeltuin: 8 and 9 letters): 10/2 + 100*2/10 = 25
    score = lix("De gemeente vindt het goed. Wij maken de speeltuin mooi.")
    assert (score.words, score.sentences, score.long_words) == (10, 2, 2)
    assert score.lix == 25.0


@given(st.lists(SHORT, min_size=1, max_size=30))
def test_one_sentence_of_short_words_scores_its_length(words: list[str]) -> None:
    assert lix(" ".join(words) + ".").lix == len(words)


@given(st.lists(st.lists(SHORT, min_size=1, max_size=8), min_size=1, max_size=10))
def test_more_sentences_of_the_same_words_score_lower(sentences: list[list[str]]) -> None:
    words = [w for s in sentences for w in s]
    as_one = lix(" ".join(words) + ".").lix
    split = lix(" ".join(" ".join(s) + "." for s in sentences))
    assert split.sentences == len(sentences)
    assert abs(split.lix - (len(words) / len(sentences))) < 1e-9
    assert split.lix <= as_one


@given(st.lists(SHORT, min_size=1, max_size=20), LONGER)
def test_a_long_word_instead_of_a_short_one_raises_the_score(words: list[str], long_word: str) -> None:
    before = lix(" ".join(words) + ".")
    after = lix(" ".join([long_word, *words[1:]]) + ".")
    assert after.long_words == before.long_words + 1
    assert after.lix > before.lix


def test_numbers_kenmerken_and_addresses_are_not_words() -> None:
    plain = lix("Uw uitdaging heeft een nummer.")
    padded = lix("Uw uitdaging heeft een nummer: UD-2026-0042, 12 maart, https://r2c.example/status/abc "
                 "en vragen@gouda.example.")
    assert padded.words == plain.words + 2  # 'maart' and 'en'; the rest is not prose
    assert lix("").lix == 0 and lix("12 345").words == 0
    assert lix("Wij zijn er in 2026. Dan weer.").sentences == 2  # a number does not eat the full stop


def test_every_block_of_a_page_is_a_sentence_and_its_head_is_not_read() -> None:
    page = ("<html><head><title>Verborgen titeltekst</title><style>p{color:red}</style></head><body>"
            "<h1>Uw uitdaging</h1><ul><li>Een begroting</li><li>Een plan</li></ul>"
            "<p>U kunt dit <strong>nu</strong> doen.</p><script>var geheim = 1;</script></body></html>")
    assert visible_text(page).splitlines() == ["Uw uitdaging", "Een begroting", "Een plan", "U kunt dit nu doen."]
    assert lix(visible_text(page)).sentences == 4
