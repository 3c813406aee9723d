"""The realism report runs (at the smallest volume, so it cannot rot) and its yardsticks measure
what they say. Its targets are judged in the report itself (docs/realism.md), not here."""

from __future__ import annotations

import re

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from mentara_seed import realism


def test_the_report_seeds_measures_and_writes_its_table(tmp_path):
    out = tmp_path / "realism.md"
    out.write_text("# Realism\n\nText around the figures stays.\n\n<!-- realism:begin -->\nold\n<!-- realism:end -->\n\nAfter.\n")
    assert realism.main(["--volumes", "light", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# Realism\n\nText around the figures stays.") and text.endswith("After.\n")
    assert "old" not in text
    table = text.split(realism.BEGIN)[1].split(realism.END)[0]
    assert re.search(r"### light: \d+ of \d+ targets met", table)
    for area in ("distinct texts", "topic", "threads", "voice", "reviews", "profiles", "people and places", "time",
                 "notifications"):
        assert f"| {area}" in table, area
    # Every judged row says whether it met its target.
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| area")]
    assert len(rows) >= 25
    assert all(re.search(r"\|\s*(yes|NO)?\s*\|$", row) for row in rows)


def test_the_voice_yardsticks_catch_what_the_issue_shows():
    assert realism.MIXED_PERSON.search("How do you handle feeling stuck since I started a new job?")
    assert not realism.MIXED_PERSON.search("How do you handle feeling stuck since you started a new job?")
    assert realism.AS_A_PATIENT.search("Tip from my last session: my therapist suggested box breathing.")
    assert not realism.AS_A_PATIENT.search("In my practice, box breathing often helps.")
    assert realism.AS_A_CLINICIAN.search("In my practice I see this a lot.")


def test_a_reviews_tone_is_judged_against_its_stars():
    vader = SentimentIntensityAnalyzer()
    glowing = vader.polarity_scores("Life-changing sessions. I feel so much better, thank you!")
    scathing = vader.polarity_scores("Terrible experience. I felt dismissed and worse afterwards.")
    mixed = vader.polarity_scores("Some sessions were helpful, others felt rushed and frustrating.")
    assert realism.tone_agrees(5, glowing) and not realism.tone_agrees(1, glowing)
    assert realism.tone_agrees(1, scathing) and not realism.tone_agrees(5, scathing)
    assert realism.tone_agrees(3, mixed) and not realism.tone_agrees(3, glowing)


def test_towns_are_compared_as_people_write_them():
    assert realism._town_key("Dasmariñas") == realism._town_key("Dasmarinas")
    assert realism._town_key("Cebu City") == realism._town_key("City of Cebu") == "cebu"


def test_a_tidied_text_has_single_spaces_and_capital_sentence_starts_but_not_after_abbreviations():
    from mentara_seed.generate.content import tidy

    assert tidy("  same here.  i wake up at 5 a.m. every day!  then   i try e.g. breathing? yes. ok") == \
        "Same here. I wake up at 5 a.m. every day! Then i try e.g. breathing? Yes. Ok"
    assert tidy("ask i.e. your therapist. p.m. is worse. x.m. is not an abbreviation") == \
        "Ask i.e. your therapist. P.m. is worse. X.m. Is not an abbreviation"
    assert tidy("wait...  what?! no") == "Wait... What?! No"
