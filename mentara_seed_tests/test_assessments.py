"""Pre-assessment scoring on whole columns (what the integrity check uses) is the app's scoring, row by row."""

from __future__ import annotations

import numpy as np
import pytest

from mentara_seed.generate import assessments
from mentara_seed.generate.assessments import ANSWERS, answer_rows, score, score_many


def test_scoring_many_is_scoring_each():
    rng = np.random.default_rng(20260115)
    # Any answer from 0 to 10 (past a block's top it scores nothing), and answers within each block's
    # range at a level of its own (so the totals reach every band of every block).
    anything = rng.integers(0, 11, size=(2_000, ANSWERS))
    in_range = np.zeros((2_000, ANSWERS), dtype=np.int64)
    for block in assessments.BLOCKS:
        level = rng.random((2_000, 1))
        in_range[:, block.start:block.start + block.items] = rng.binomial(block.top, level, size=(2_000, block.items))
    rows = np.concatenate([anything, in_range])
    assert score_many(rows) == [score(row) for row in rows.tolist()]


def test_every_label_of_every_block_is_reached_as_scoring_each_reaches_it():
    # Each block answered at every level, so every total from none to the most is scored both ways.
    rows = [[level] * ANSWERS for level in range(11)]
    for block in assessments.BLOCKS:
        for local in range(block.items):
            for answer in range(11):
                row = [0] * ANSWERS
                row[block.start + local] = answer
                rows.append(row)
    assert score_many(np.array(rows)) == [score(row) for row in rows]


def test_answers_that_are_not_201_whole_numbers_from_0_to_10_are_sorted_out():
    good = [3] * ANSWERS
    values = [good, None, "[1, 2]", [1] * 200, [*good[:-1], 11], [*good[:-1], -1], [*good[:-1], 2.5],
              [*good[:-1], "2"], [*good[:-1], [2]], [*good[:-1], 10**30], [*good[:-1], True], [0] * ANSWERS]
    matrix, scored, malformed = answer_rows(values)
    # A boolean is a whole number to the check as it was to the row-wise one (``isinstance(True, int)``).
    assert scored == [0, 10, 11]
    assert malformed == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert matrix.tolist() == [good, [*good[:-1], 1], [0] * ANSWERS]


def test_scoring_refuses_answers_out_of_range():
    with pytest.raises(ValueError):
        score_many(np.full((1, ANSWERS), 11))
    with pytest.raises(ValueError):
        score_many(np.zeros((1, 200), dtype=np.int64))


def _draw_one_at_a_time(rng, concerns: dict[str, float], shift: float = 0.0) -> list[int]:
    """``draw_answers`` as its docstring says, one draw at a time (how it was written before it drew on arrays)."""
    answers = [0] * ANSWERS
    for block in assessments.BLOCKS:
        level = min(0.95, max(0.0, concerns.get(block.key, assessments.BASELINE) + shift + rng.uniform(-0.12, 0.12)))
        points = [min(block.top, max(0, round(level * block.top + jitter)))
                  for jitter in rng.uniforms(block.items, -0.7, 0.7)]
        if block.cap is not None:
            k = 0
            while sum(points) > block.cap:
                if points[k % block.items]:
                    points[k % block.items] -= 1
                k += 1
        answers[block.start:block.start + block.items] = [assessments.answer_for(block, local, value)
                                                          for local, value in enumerate(points)]
    return answers


def test_drawing_answers_on_arrays_draws_what_drawing_one_at_a_time_does():
    from mentara_seed.generate.keys import Stream

    keys = [block.key for block in assessments.BLOCKS]
    choose = np.random.default_rng(7)
    capped = 0
    for n in range(3_000):
        # No concern, a few, or every block at a level from none to past the highest (the caps bite there).
        levels = choose.choice([0.0, 0.3, 0.6, 0.8, 0.95, 1.2], size=len(keys))
        concerns = {} if n % 3 == 0 else dict(zip(keys[:n % len(keys) + 1], levels.tolist()[:n % len(keys) + 1], strict=True))
        shift = [0.0, -0.1, -0.2, 0.15][n % 4]
        fast, slow = Stream(b"pre_assessment/%d" % n), Stream(b"pre_assessment/%d" % n)
        drawn = assessments.draw_answers(fast, concerns, shift)
        assert drawn == _draw_one_at_a_time(slow, concerns, shift), (n, concerns, shift)
        assert fast.word() == slow.word()  # and the stream goes on from the same word
        capped += any(score(drawn)[0][b.key] == b.cap for b in assessments.BLOCKS if b.cap is not None)
    assert capped > 100  # the caps were reached, so their loop was compared too


def test_a_stream_gives_words_in_bulk_as_one_at_a_time():
    from mentara_seed.generate.keys import Stream

    for n in [0, 1, 7, 8, 9, 16, 17, 216, 300]:
        bulk, one = Stream(b"k"), Stream(b"k")
        bulk.word(), one.word()  # from inside a block of eight
        assert bulk.words(n) == [one.word() for _ in range(n)]
        assert bulk.word() == one.word()
