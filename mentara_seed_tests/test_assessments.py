"""Pre-assessment scoring on whole columns (what the integrity check uses) is the app's scoring, row by row."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentara_seed.generate import assessments
from mentara_seed.generate.assessments import ANSWERS, answer_rows, score, score_many

answer_lists = st.lists(st.integers(0, 10), min_size=ANSWERS, max_size=ANSWERS)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(answer_lists, min_size=1, max_size=5))
def test_scoring_many_is_scoring_each(rows):
    assert score_many(np.array(rows)) == [score(row) for row in rows]


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
