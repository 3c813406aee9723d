"""Pre-assessments as the Mentara API stores them: 201 answers, and the scores and severities they give.

The API (``pre-assessment/pre-assessment.utils.ts``, the same in both
versions) reads a flat array of 201 answers, cuts it into fifteen fixed
blocks, scores each block with its instrument's mapping and maps the score to
a severity label. Here the same table drives both directions: answers are
drawn per block for a client's concerns (their communities' topics), within
the values the app's checklist offers, and ``score`` computes the scores and
labels exactly as ``processPreAssessmentAnswers`` does. The integrity check
recomputes them from the stored answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from mentara_seed.generate.keys import Stream


@dataclass(frozen=True)
class Block:
    key: str  # the key of ``scores`` and ``severityLevels``
    start: int  # first index in the 201 answers
    items: int
    top: int  # the highest answer the checklist offers (and that scores)
    instrument: str
    levels: tuple[tuple[int, int, str], ...]  # inclusive score ranges -> label
    reversed_items: tuple[int, ...] = ()  # local indexes scored the other way (Stress only)
    inverted: bool = False  # the app's mapping runs top..0 (Stress: {0: 4, ..., 4: 0})
    cap: int | None = None  # the highest score that still has a label (more is "Unknown severity")


_DEPRESSION = ((0, 4, "Minimal Depression"), (5, 9, "Mild Depression"), (10, 14, "Moderate Depression"),
               (15, 19, "Moderately Severe Depression"), (20, 27, "Severe Depression"))

BLOCKS: tuple[Block, ...] = (
    Block("Depression", 0, 15, 3, "PHQ-15", _DEPRESSION, cap=27),
    Block("ADD / ADHD", 15, 18, 4, "ASRS", ((0, 16, "No ADHD symptoms"), (17, 23, "Mild ADHD symptoms"),
                                            (24, 30, "Moderate ADHD symptoms"), (31, 36, "Severe ADHD symptoms")), cap=36),
    Block("Substance or Alcohol Use Issues", 33, 10, 4, "AUDIT",
          ((0, 7, "No significant alcohol use"), (8, 15, "Mild alcohol use"), (16, 19, "Moderate alcohol use"),
           (20, 40, "Severe alcohol use"))),
    Block("Binge eating / Eating disorders", 43, 16, 4, "BES",
          ((0, 17, "No binge eating"), (18, 26, "Mild binge eating"), (27, 46, "Moderate binge eating"),
           (47, 100, "Severe binge eating"))),
    Block("Drug Issues", 59, 10, 1, "DAST-10",
          ((0, 2, "No drug problem"), (3, 5, "Low level drug problem"), (6, 8, "Moderate level drug problem"),
           (9, 10, "Substantial drug problem"))),
    Block("Anxiety", 69, 7, 3, "GAD-7",
          ((0, 4, "Minimal Anxiety"), (5, 9, "Mild Anxiety"), (10, 14, "Moderate Anxiety"), (15, 21, "Severe Anxiety"))),
    Block("Insomnia", 76, 7, 4, "ISI",
          ((0, 7, "No clinically significant insomnia"), (8, 14, "Subthreshold insomnia"),
           (15, 21, "Clinical insomnia (moderate severity)"), (22, 28, "Clinical insomnia (severe)"))),
    Block("Burnout", 83, 22, 4, "MBI",
          ((0, 30, "Low burnout"), (31, 50, "Moderate burnout"), (51, 70, "High burnout"), (71, 100, "Severe burnout"))),
    Block("Bipolar disorder (BD)", 105, 15, 2, "MDQ",
          ((0, 6, "Negative for bipolar disorder"), (7, 13, "Positive for bipolar disorder")), cap=13),
    Block("Obsessive compulsive disorder (OCD)", 120, 18, 4, "OCI-R",
          ((0, 20, "Subclinical"), (21, 40, "Mild"), (41, 60, "Moderate"), (61, 80, "Severe"), (81, 100, "Extreme"))),
    Block("Post-traumatic stress disorder (PTSD)", 138, 20, 4, "PCL-5",
          ((0, 10, "None to minimal"), (11, 20, "Mild"), (21, 30, "Moderate"), (31, 40, "Severe"), (41, 80, "Extreme"))),
    Block("Panic", 158, 7, 4, "PDSS",
          ((0, 7, "No panic disorder"), (8, 15, "Mild panic disorder"), (16, 23, "Moderate panic disorder"),
           (24, 40, "Severe panic disorder"))),
    Block("Depression Secondary", 165, 9, 3, "PHQ-9", _DEPRESSION),
    Block("Stress", 174, 10, 4, "PSS",
          ((0, 13, "Low Stress"), (14, 26, "Moderate Stress"), (27, 40, "High Perceived Stress")),
          reversed_items=(3, 4, 6, 7), inverted=True),
    Block("Social anxiety", 184, 17, 4, "SPIN",
          ((0, 20, "Minimal or No Social Phobia"), (21, 30, "Mild Social Phobia"), (31, 40, "Moderate Social Phobia"),
           (41, 50, "Severe Social Phobia"), (51, 68, "Very Severe Social Phobia"))),
)
ANSWERS = 201
BY_KEY = {block.key: block for block in BLOCKS}

BASELINE = 0.12  # how a key with no concern behind it sits: low, with some noise


def points_of(block: Block, local: int, answer: int) -> int:
    """The points one answer scores, exactly as the app maps it (``calculateQuestionnaireScore``)."""
    if not 0 <= answer <= block.top:
        return 0  # the app's mapping has no entry: it scores 0
    points = block.top - answer if block.inverted else answer
    if local in block.reversed_items:
        points = 4 - points
    return points


def answer_for(block: Block, local: int, points: int) -> int:
    """The answer that scores ``points`` on one item (the inverse of ``points_of``)."""
    if local in block.reversed_items:
        points = 4 - points
    return block.top - points if block.inverted else points


def score(answers: list[int]) -> tuple[dict[str, int], dict[str, str]]:
    """``(scores, severityLevels)`` of 201 answers, as ``processPreAssessmentAnswers`` gives them."""
    if len(answers) != ANSWERS:
        raise ValueError(f"a pre-assessment has {ANSWERS} answers, not {len(answers)}")
    scores, severities = {}, {}
    for block in BLOCKS:
        total = sum(points_of(block, k, answers[block.start + k]) for k in range(block.items))
        scores[block.key] = total
        severities[block.key] = next((label for low, high, label in block.levels if low <= total <= high),
                                     "Unknown severity")
    return scores, severities


@cache
def _scoring_tables() -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """``score``'s mappings as arrays: the points of each of the 201 items for each answer 0..10, each
    block's first item, and each block's label for every total it can reach."""
    points = np.zeros((ANSWERS, 11), dtype=np.int64)
    for block in BLOCKS:
        for local in range(block.items):
            points[block.start + local] = [points_of(block, local, answer) for answer in range(11)]
    labels = []
    for block in BLOCKS:
        most = int(points[block.start:block.start + block.items].max(axis=1).sum())
        labels.append([next((label for low, high, label in block.levels if low <= total <= high), "Unknown severity")
                       for total in range(most + 1)])
    return points, np.array([block.start for block in BLOCKS]), labels


def score_many(answers: np.ndarray) -> list[tuple[dict[str, int], dict[str, str]]]:
    """``score`` of each row of an (n, 201) array of answers from 0 to 10, computed on whole columns."""
    if answers.ndim != 2 or answers.shape[1] != ANSWERS:
        raise ValueError(f"a pre-assessment has {ANSWERS} answers, not {answers.shape[1:]}")
    if answers.size and (answers.min() < 0 or answers.max() > 10):
        raise ValueError("answers are whole numbers from 0 to 10")
    points, starts, labels = _scoring_tables()
    totals = np.add.reduceat(points[np.arange(ANSWERS), answers], starts, axis=1).tolist() if len(answers) else []
    keys = [block.key for block in BLOCKS]
    return [(dict(zip(keys, row, strict=True)),
             {key: labels[b][total] for b, (key, total) in enumerate(zip(keys, row, strict=True))}) for row in totals]


def _whole_numbers(rows: list) -> np.ndarray | None:
    """``rows`` (lists of equal length) as a 2-D array of whole numbers, or None if any value is not one."""
    try:
        matrix = np.array(rows)
    except (ValueError, TypeError, OverflowError):
        return None
    return matrix.astype(np.int64) if matrix.ndim == 2 and matrix.dtype.kind in "iub" else None


def answer_rows(values: Sequence[object]) -> tuple[np.ndarray, list[int], list[int]]:
    """The stored answers that are 201 whole numbers from 0 to 10 as an (n, 201) array, the positions
    in ``values`` of those rows, and the positions of the others (not a list, a list of another
    length, or holding other values)."""
    good = [k for k, value in enumerate(values) if isinstance(value, list) and len(value) == ANSWERS]
    matrix = _whole_numbers([values[k] for k in good]) if good else np.zeros((0, ANSWERS), dtype=np.int64)
    if matrix is None:  # some list holds something else than whole numbers: sort them out one at a time
        good = [k for k in good if _whole_numbers([values[k]]) is not None]
        matrix = _whole_numbers([values[k] for k in good]) if good else np.zeros((0, ANSWERS), dtype=np.int64)
    in_range = ((matrix >= 0) & (matrix <= 10)).all(axis=1).tolist()
    kept = [k for k, ok in zip(good, in_range, strict=True) if ok]
    return matrix[np.array(in_range, dtype=bool)], kept, sorted(set(range(len(values))) - set(kept))


def concerns_of(topics) -> dict[str, float]:
    """How elevated each key is for a client whose communities have these topics (``corpus.Topic``)."""
    concerns: dict[str, float] = {}
    for topic in topics:
        for key, level in topic.concerns.items():
            concerns[key] = max(concerns.get(key, 0.0), level)
    return concerns


LEVEL_JITTER = 0.12  # a block's level, give or take
ITEM_JITTER = 0.7  # an item's points, give or take (so one point either way, at most)


@cache
def _drawing_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[Block]]:
    """``draw_answers``' layout: where each block's level draw and each item's draw fall among the
    stream's words (a block's level, then its items, block after block), each item's block and top,
    the answer that gives each item each number of points, and the blocks with a cap."""
    level_at, item_at, position = [], [], 0
    for block in BLOCKS:
        level_at.append(position)
        item_at += range(position + 1, position + 1 + block.items)
        position += 1 + block.items
    block_of = np.repeat(np.arange(len(BLOCKS)), [block.items for block in BLOCKS])
    tops = np.array([block.top for block in BLOCKS], dtype=np.int64)[block_of]
    answer = np.zeros((ANSWERS, 5), dtype=np.int64)
    for block in BLOCKS:
        for local in range(block.items):
            answer[block.start + local, :block.top + 1] = [answer_for(block, local, p) for p in range(block.top + 1)]
    return np.array(level_at), np.array(item_at), block_of, tops, answer, [b for b in BLOCKS if b.cap is not None]


DRAWS = len(BLOCKS) + ANSWERS  # the words ``draw_answers`` takes from a stream


def draw_answers(rng: Stream, concerns: dict[str, float], shift: float = 0.0) -> list[int]:
    """201 answers of a client with these concerns (``shift`` moves every level, e.g. -0.15 after therapy).

    Each item's points are the block's level times its top, give or take one;
    blocks whose labels stop at a score (Depression, ADHD, Bipolar) are kept
    at or under it, as a real respondent's answers are for the app to label them.

    Drawn on arrays: per block, its level ``uniform(-0.12, 0.12)`` and then each
    item's ``uniform(-0.7, 0.7)``, the same words and the same floating-point
    operations as drawing them one at a time (``test_assessments.py`` compares).
    """
    level_at, item_at, block_of, tops, answer, capped = _drawing_tables()
    unit = (np.array(rng.words(DRAWS), dtype=np.uint64) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    low, high = -LEVEL_JITTER, LEVEL_JITTER
    concern = np.array([concerns.get(block.key, BASELINE) for block in BLOCKS]) + shift
    level = np.minimum(0.95, np.maximum(0.0, concern + (low + (high - low) * unit[level_at])))
    low, high = -ITEM_JITTER, ITEM_JITTER
    base = level[block_of] * tops
    points = np.minimum(tops, np.maximum(0, np.rint(base + (low + (high - low) * unit[item_at])).astype(np.int64)))
    for block in capped:
        items = points[block.start:block.start + block.items]
        over, k = int(items.sum()) - block.cap, 0
        while over > 0:  # one point off each answered item in turn, from the first, until within the cap
            if items[k % block.items]:
                items[k % block.items] -= 1
                over -= 1
            k += 1
    return answer[np.arange(ANSWERS), points].tolist()


RISK_FACTORS = {
    "Stress": "chronic_stress", "Anxiety": "hypervigilance", "Depression Secondary": "mood_instability",
    "Insomnia": "sleep_disruption", "Panic": "panic_episodes", "Social anxiety": "social_isolation",
    "ADD / ADHD": "attention_difficulties", "Obsessive compulsive disorder (OCD)": "compulsive_behaviors",
    "Post-traumatic stress disorder (PTSD)": "trauma_exposure", "Burnout": "work_overwhelm",
    "Binge eating / Eating disorders": "eating_dysregulation", "Substance or Alcohol Use Issues": "substance_dependency",
    "Drug Issues": "substance_dependency", "Bipolar disorder (BD)": "emotional_dysregulation",
}
RECOMMENDATIONS = {
    "Stress": "stress_management", "Anxiety": "cognitive_behavioral_therapy", "Depression Secondary": "therapy_priority",
    "Insomnia": "sleep_hygiene", "Panic": "cognitive_behavioral_therapy", "Social anxiety": "social_skills_training",
    "ADD / ADHD": "psychiatric_consultation", "Obsessive compulsive disorder (OCD)": "exposure_therapy",
    "Post-traumatic stress disorder (PTSD)": "trauma_therapy", "Burnout": "lifestyle_changes",
    "Binge eating / Eating disorders": "nutritional_counseling", "Substance or Alcohol Use Issues": "substance_treatment",
    "Drug Issues": "substance_treatment", "Bipolar disorder (BD)": "medication_evaluation",
}


def share(key: str, scores: dict[str, int]) -> float:
    """A key's score as a share of the highest it can have."""
    block = BY_KEY[key]
    return scores[key] / (block.cap or block.items * block.top)


def ai_estimate(rng: Stream, scores: dict[str, int]) -> dict:
    """``aiEstimate`` in the shape the registration path stores (``generateAIEvaluationData``)."""
    elevated = sorted((k for k in RISK_FACTORS if share(k, scores) >= 0.35), key=lambda k: -share(k, scores))
    factors = list(dict.fromkeys(RISK_FACTORS[k] for k in elevated))[:5]
    recommendations = list(dict.fromkeys(RECOMMENDATIONS[k] for k in elevated))[:4] or ["mindfulness_training"]
    top = max((share(k, scores) for k in RISK_FACTORS), default=0.0)
    overall = "low" if top < 0.25 else "mild" if top < 0.4 else "moderate" if top < 0.6 else "high" if top < 0.8 else "severe"
    return {
        "confidence": round(0.62 + 0.3 * rng.random(), 3),
        "risk_factors": factors,
        "recommendations": recommendations,
        "estimated_severity": {
            "stress": round(share("Stress", scores), 2),
            "anxiety": round(share("Anxiety", scores), 2),
            "depression": round(share("Depression Secondary", scores), 2),
            "overall": overall,
        },
    }
