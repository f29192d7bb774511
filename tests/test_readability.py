"""The reading age of the product's words (core.readability): UK reading age, from the
Flesch-Kincaid grade, with each line read as a sentence and addresses left out."""

from hypothesis import given
from hypothesis import strategies as st

from core.readability import MAX_READING_AGE, MEDIAN_READING_AGE, as_sentences, reading_age

PLAIN = (
    "Your coordinator has asked you to join a panel. It meets once a month, online. "
    "You are paid for your time. Tell us if you can come. If you cannot, that is fine. "
    "You can ask us anything before you decide."
)
OFFICIALESE = (
    "Notwithstanding the aforementioned considerations, practitioners participating in the "
    "programme are expected to demonstrate continuous professional development through "
    "documented reflective engagement, utilising the organisational frameworks provided."
)


def test_plain_words_in_short_sentences_read_young():
    assert reading_age(PLAIN) <= MEDIAN_READING_AGE


def test_long_sentences_of_long_words_read_old():
    assert reading_age(OFFICIALESE + " " + OFFICIALESE) > MAX_READING_AGE


def test_a_short_text_is_not_measured():
    assert reading_age("Your pay. Change how you are paid.") is None


def test_each_line_is_a_sentence_of_its_own():
    menu = "\n".join(["Your dashboard", "Your sessions", "Your pay", "Messages"] * 10)
    assert as_sentences("Your pay\nMessages") == "Your pay. Messages."
    assert reading_age(menu) <= MEDIAN_READING_AGE


def test_web_and_email_addresses_are_left_out():
    words = PLAIN + "\n"
    with_addresses = (
        words
        + (
            "https://alongside.example.org/invitations/accept/0f9c2d1e7b6a/ "
            "coordinator.north-star@example.org\n"
        )
        * 5
    )
    assert reading_age(with_addresses) == reading_age(words)


@given(st.text(max_size=2000))
def test_it_never_fails_on_any_text(text):
    age = reading_age(text)
    assert age is None or isinstance(age, float)
