"""One run of the engine over a table of people: prepare, block, compare, train, score, keep apart, cluster.

result = match_people(frame, threshold=0.9)
result.clusters()   # record_id, cluster_id: every person once
result.pairs()      # scored pairs with what each field added
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from passage.matching.blocking import candidate_pairs, random_pairs
from passage.matching.cluster import cluster
from passage.matching.compare import FIELD_INDEX, FIELDS, KEEP_APART_REASONS, compare, keep_apart, name_rarity
from passage.matching.model import Model, Scores, score, train
from passage.matching.records import NAME_PARTS, People, prepare

DEFAULT_THRESHOLD = 0.9
DEFAULT_FLOOR = 0.5
PAIRS_LISTED_FROM = 0.1  # pairs() lists pairs the model gives at least this probability
RANDOM_PAIRS = 400_000


@dataclass
class MatchResult:
    record_ids: pl.Series
    people: People
    left: np.ndarray
    right: np.ndarray
    levels: np.ndarray
    scores: Scores
    kept_apart: np.ndarray  # reason index per pair, 0 = none
    probability: np.ndarray  # after the keep-apart rules
    labels: np.ndarray  # cluster label per person (smallest member index)
    model: Model
    threshold: float
    pairs_per_rule: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)

    def clusters(self) -> pl.DataFrame:
        """record_id, cluster_id (the record_id of the cluster's first person in input order)."""
        return pl.DataFrame({"record_id": self.record_ids, "cluster_id": self.record_ids.gather(self.labels)})

    def pairs(self, minimum: float = PAIRS_LISTED_FROM) -> pl.DataFrame:
        """Scored pairs the model gives at least `minimum`, most probable first, with each field's level and
        weight, the rule that kept a pair apart, and whether the pair ended in one cluster."""
        keep = np.flatnonzero(self.scores.probability >= minimum)
        left, right = self.left[keep], self.right[keep]
        columns: dict[str, object] = {
            "record_id_1": self.record_ids.gather(left),
            "record_id_2": self.record_ids.gather(right),
            "probability": np.round(self.probability[keep], 4),
            "model_probability": np.round(self.scores.probability[keep], 4),
            "match_weight": np.round(self.scores.match_weight[keep], 2),
            "same_cluster": self.labels[left] == self.labels[right],
            "kept_apart": pl.Series(np.array(KEEP_APART_REASONS, dtype=object)[self.kept_apart[keep]], dtype=pl.String),
        }
        for n, f in enumerate(FIELDS):
            labels = np.array([*f.levels, ""], dtype=object)
            level = self.levels[keep, n]
            columns[f.name] = pl.Series(labels[np.where(level >= 0, level, len(f.levels))], dtype=pl.String)
            columns[f"{f.name}_weight"] = np.round(self.scores.weights[keep, n], 2)
        frame = pl.DataFrame(columns)
        return frame.sort("match_weight", descending=True)

    def explain(self, index: int) -> list[tuple[str, str, float]]:
        """(field, level, weight) of one scored pair, fields with a value on both sides only."""
        return explain(self.levels[index], self.scores.weights[index])


def explain(levels: np.ndarray, weights: np.ndarray) -> list[tuple[str, str, float]]:
    """(field, level, weight) of one pair's levels and weights (a row of compare() and of Scores.weights), fields
    with a value on both sides only."""
    out = []
    for n, f in enumerate(FIELDS):
        level = int(levels[n])
        if level >= 0:
            out.append((f.name, f.levels[level], round(float(weights[n]), 2)))
    return out


def match_people(
    frame: pl.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    floor: float = DEFAULT_FLOOR,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> MatchResult:
    """Find the duplicates among the people of `frame` (text columns as in passage.matching.records.COLUMNS;
    record_id required and unique)."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now
        if progress:
            progress(f"{name}: {seconds[name]:.1f} s")

    people = prepare(frame)
    lap("prepare")
    left, right, per_rule = candidate_pairs(people)
    lap("block")
    levels = compare(people, left, right)
    rarity = name_rarity(people, left, right)
    lap("compare")
    reasons = keep_apart(people, left, right, levels)
    r_left, r_right = random_pairs(people.size, min(RANDOM_PAIRS, people.size * 20), seed=seed)
    # Pairs a rule keeps apart, or whose given names or birth years plainly differ, train as different people.
    unlikely = (reasons > 0) | (levels[:, FIELD_INDEX["date_of_birth"]] == 5)
    for part in NAME_PARTS:
        unlikely |= levels[:, FIELD_INDEX[part]] == 4
    unlikely &= levels[:, FIELD_INDEX["document_number"]] != 0  # the same document: let EM judge
    model = train(levels, compare(people, r_left, r_right), apart=unlikely)
    lap("train")
    scores = score(model, levels, rarity)
    probability = np.where(reasons > 0, 0.0, scores.probability)
    lap("score")

    def score_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        pair_levels = compare(people, a, b)
        pair_scores = score(model, pair_levels, name_rarity(people, a, b))
        return np.where(keep_apart(people, a, b, pair_levels) > 0, 0.0, pair_scores.probability)

    labels = cluster(people.size, left, right, probability, threshold=threshold, floor=floor, score_pairs=score_pairs)
    lap("cluster")
    return MatchResult(
        record_ids=frame["record_id"].cast(pl.String),
        people=people,
        left=left,
        right=right,
        levels=levels,
        scores=scores,
        kept_apart=reasons,
        probability=probability,
        labels=labels,
        model=model,
        threshold=threshold,
        pairs_per_rule=per_rule,
        seconds=seconds,
    )
