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
