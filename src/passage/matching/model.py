"""Fellegi–Sunter: for each field and level, m (how often a true duplicate agrees at that level) and u (how
often two different people do); a pair's match weight is the sum of log2(m/u) over its fields, plus the
prior log-odds, and its probability follows from the weight.

u is first estimated from pairs drawn at random (nearly all of them different people); then
expectation-maximisation over the candidate pairs estimates m, u and the share of duplicates among them (λ,
the prior), with no labelled data. EM runs over the distinct comparison vectors with their counts, so its
cost does not grow with the number of pairs. Name parts that agree exactly or by spelling key are then
adjusted by how common the name is (term frequency): two Mohammeds agreeing says less than two Tesfalidets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from passage.matching.compare import FIELDS
from passage.matching.records import NAME_PARTS

SMOOTHING = 0.5  # added to every level's count, so that no level is impossible
TF_BOUND = 5.0  # a name's frequency moves its weight by at most this many bits either way
# Share of u taken from random pairs at every EM step, the rest from the candidates EM judges different: the
# candidates alone make agreement on blocked fields look ordinary among different people (and the weights
# then depend on how many loose candidates the blocking lets in); random pairs alone make a household look
# like one person. Measured on the synthetic registry (pairwise precision / recall at 300k and 1M records):
# 0.2 gives 0.972/0.792 and 0.966/0.759; 0.35 gives 0.959/0.861 and 0.944/0.806 (more found, more wrongly
# joined); 0.65 lets EM learn households at 300k (precision 0.78). We keep the precision.
RANDOM_SHARE = 0.2
# Levels that training pairs never show (pairs at them are left out of training as almost surely different
# people: a name part that is plainly another name, a birth date years away), held at a share a duplicate
# shows them on registries: a part written as another name in a few percent of cases, a birth date more than
# a year off in several percent.
# No level is all but impossible for a duplicate: a birth date's day mistyped, a level the training data
# happens not to show, still costs a bounded number of bits.
M_LEAST = 0.01
M_FLOORS = ((0, 4, 0.03), (1, 4, 0.02), (2, 4, 0.03), (3, 4, 0.02), (5, 5, 0.06))


# What EM starts from, and what a small file leans on: m, u and λ learnt on the synthetic registry (20,000
# records, seed 11). They count as PRIOR_PAIRS_M duplicate pairs and PRIOR_PAIRS_U pairs of different people,
# which a file of a few hundred people outweighs and a file of ten people does not (where EM alone would learn
# nothing sensible from a handful of pairs).
PRIOR_PAIRS_M = 30.0
PRIOR_PAIRS_U = 300.0
DEFAULT_PRIOR = 0.058
DEFAULT_M = (
    (0.4809, 0.2996, 0.1570, 0.0325, 0.0300),  # given_name
    (0.4884, 0.3261, 0.1445, 0.0209, 0.0200),  # father_name
    (0.4713, 0.3379, 0.1421, 0.0187, 0.0300),  # grandfather_name
    (0.5759, 0.1936, 0.2004, 0.0100, 0.0200),  # family_name
    (0.7786, 0.1645, 0.0262, 0.0100, 0.0108, 0.0100),  # name_words
    (0.3335, 0.0266, 0.4341, 0.0100, 0.1357, 0.0600),  # date_of_birth
    (0.9900, 0.0100),  # sex
    (0.0654, 0.4955, 0.3606, 0.0785),  # phone
    (0.8202, 0.1508, 0.0290),  # document_number
    (0.8397, 0.1093, 0.0510),  # area
)
DEFAULT_U = (
    (0.109433, 0.063054, 0.021925, 0.020125, 0.785462),  # given_name
    (0.166693, 0.116647, 0.041734, 0.017504, 0.657421),  # father_name
    (0.148114, 0.108190, 0.035975, 0.018963, 0.688757),  # grandfather_name
    (0.355719, 0.115189, 0.098804, 0.013166, 0.417122),  # family_name
    (0.127337, 0.030734, 0.568147, 0.019039, 0.040767, 0.213976),  # name_words
    (0.006696, 0.000147, 0.015609, 0.018381, 0.030102, 0.929064),  # date_of_birth
    (0.620879, 0.379121),  # sex
    (0.019110, 0.192455, 0.133610, 0.654825),  # phone
    (0.000110, 0.000485, 0.999404),  # document_number
    (0.302388, 0.040925, 0.656687),  # area
)


@dataclass
class Model:
    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float  # λ: share of duplicates among candidate pairs
    iterations: int = 0
    history: list[float] = field(default_factory=list)

    def weights(self) -> list[np.ndarray]:
        return [np.log2(m / u) for m, u in zip(self.m, self.u, strict=True)]

    def to_dict(self) -> dict[str, object]:
        """The learnt m, u and prior as plain lists, to store with a run and score later pairs the same way."""
        return {
            "fields": [f.name for f in FIELDS],
            "m": [[float(x) for x in m] for m in self.m],
            "u": [[float(x) for x in u] for u in self.u],
            "prior": float(self.prior),
            "iterations": self.iterations,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Model:
        """A stored model, or the starting values when there is none or it was learnt for other fields."""
        names = [f.name for f in FIELDS]
        if not data or data.get("fields") != names:
            return default_model()
        return cls(
            m=[np.asarray(levels, dtype=np.float64) for levels in data["m"]],
            u=[np.asarray(levels, dtype=np.float64) for levels in data["u"]],
            prior=float(data["prior"]),
            iterations=int(data.get("iterations", 0)),
        )

    def describe(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for f, m, u in zip(FIELDS, self.m, self.u, strict=True):
            for level, label in enumerate(f.levels):
                rows.append(
                    {
                        "field": f.name,
                        "level": label,
                        "m": round(float(m[level]), 4),
                        "u": round(float(u[level]), 6),
                        "weight": round(float(np.log2(m[level] / u[level])), 2),
                    }
                )
        return rows


def default_model() -> Model:
    """The starting values (learnt on the synthetic registry): what scores pairs before any run has trained."""
    return Model(m=[np.asarray(m) for m in DEFAULT_M], u=[np.asarray(u) for u in DEFAULT_U], prior=DEFAULT_PRIOR)


def _encode(levels: np.ndarray) -> np.ndarray:
    """One int64 per comparison vector (4 bits per field, level + 1)."""
    code = np.zeros(len(levels), dtype=np.int64)
    for column in range(levels.shape[1]):
        code = code * 16 + (levels[:, column].astype(np.int64) + 1)
    return code


def _decode(codes: np.ndarray, fields: int) -> np.ndarray:
    levels = np.empty((len(codes), fields), dtype=np.int8)
    rest = codes.copy()
    for column in range(fields - 1, -1, -1):
        levels[:, column] = (rest % 16) - 1
        rest //= 16
    return levels


def _frequencies(
    levels: np.ndarray, weights: np.ndarray, prior: tuple[tuple[float, ...], ...], prior_pairs: float
) -> list[np.ndarray]:
    """Share of each level per field among weighted pairs, with `prior_pairs` pairs' worth of the prior."""
    out = []
    for n, f in enumerate(FIELDS):
        seen = levels[:, n] >= 0
        counts = np.bincount(levels[seen, n], weights=weights[seen], minlength=len(f.levels)).astype(np.float64)
        smoothed = counts[: len(f.levels)] + prior_pairs * np.asarray(prior[n]) + SMOOTHING
        out.append(smoothed / smoothed.sum())
    return out


def estimate_u(random_levels: np.ndarray) -> list[np.ndarray]:
    return _frequencies(random_levels, np.ones(len(random_levels)), DEFAULT_U, PRIOR_PAIRS_U)


def train(
    candidate_levels: np.ndarray,
    random_levels: np.ndarray,
    *,
    apart: np.ndarray | None = None,
    iterations: int = 60,
    update_u: bool = True,
) -> Model:
    """EM over the candidate pairs. Pairs a rule keeps apart (`apart`) are known to be different people:
    they count towards u only, which stops EM from learning "same household" instead of "same person"."""
    u = estimate_u(random_levels)
    known = np.zeros(len(candidate_levels), dtype=bool) if apart is None else apart
    codes, counts = np.unique(_encode(candidate_levels) * 2 + known, return_counts=True)
    different = (codes % 2).astype(bool)
    patterns = _decode(codes // 2, len(FIELDS))
    counts = counts.astype(np.float64)
    model = Model(m=[np.asarray(m) for m in DEFAULT_M], u=u, prior=DEFAULT_PRIOR)
    if not (~different).any():  # nothing to learn from: the starting values stand
        return model
    floor = [np.full(len(f.levels), M_LEAST) for f in FIELDS]
    for f_index, level, share in M_FLOORS:
        floor[f_index][level] = share
    for step in range(iterations):
        score = _pattern_weights(model, patterns) + np.log2(model.prior / (1 - model.prior))
        posterior = np.where(different, 0.0, 1 / (1 + np.exp2(-np.clip(score, -60, 60))))
        matched = counts * posterior
        m_shares = _frequencies(patterns, matched, DEFAULT_M, PRIOR_PAIRS_M)
        model.m = [_floored(m, lowest) for m, lowest in zip(m_shares, floor, strict=True)]
        if update_u:
            among_candidates = _frequencies(patterns, counts - matched, DEFAULT_U, PRIOR_PAIRS_U)
            model.u = [(1 - RANDOM_SHARE) * c + RANDOM_SHARE * r for c, r in zip(among_candidates, u, strict=True)]
        prior = float((matched.sum() + PRIOR_PAIRS_U * DEFAULT_PRIOR) / (counts.sum() + PRIOR_PAIRS_U))
        model.prior = min(max(prior, 1e-6), 1 - 1e-6)
        model.iterations = step + 1
        model.history.append(model.prior)
        if step > 2 and abs(model.history[-1] - model.history[-2]) < 1e-7:
            break
    return model


def _floored(m: np.ndarray, lowest: np.ndarray) -> np.ndarray:
    """m with every level at least its least share; the other levels share what is left."""
    fixed = m <= lowest
    if not fixed.any() or fixed.all():
        return m
    spare = 1 - lowest[fixed].sum()
    return np.where(fixed, lowest, m / m[~fixed].sum() * spare)


def _pattern_weights(model: Model, levels: np.ndarray) -> np.ndarray:
    total = np.zeros(len(levels))
    for n, weights in enumerate(model.weights()):
        column = levels[:, n]
        total += np.where(column >= 0, weights[np.maximum(column, 0)], 0.0)
    return total


@dataclass
class Scores:
    weights: np.ndarray  # (pairs, fields) float32: what each field added, in bits
    match_weight: np.ndarray  # prior log-odds + sum of field weights
    probability: np.ndarray


def score(model: Model, levels: np.ndarray, name_rarity: np.ndarray) -> Scores:
    """Weights per field, match weight and probability. A name part that agrees exactly or by spelling key
    gains or loses up to TF_BOUND bits by how rare its name is (see passage.matching.compare.name_rarity)."""
    table = model.weights()
    weights = np.zeros(levels.shape, dtype=np.float32)
    for n, field_weights in enumerate(table):
        column = levels[:, n]
        weights[:, n] = np.where(column >= 0, field_weights[np.maximum(column, 0)], 0.0)
    for n, _part in enumerate(NAME_PARTS):
        column = levels[:, n]
        agree = (column == 0) | (column == 1)
        adjusted = weights[:, n] + np.clip(name_rarity[:, n], -TF_BOUND, TF_BOUND)
        # However common the name, agreeing on it never counts for less than a close spelling (or nothing).
        floor = np.minimum(weights[:, n], max(float(table[n][2]), 0.0))
        weights[:, n] = np.where(agree, np.maximum(adjusted, floor), weights[:, n])
    match_weight = weights.sum(axis=1) + np.log2(model.prior / (1 - model.prior))
    probability = 1 / (1 + np.exp2(-np.clip(match_weight, -60, 60)))
    return Scores(weights=weights, match_weight=match_weight.astype(np.float32), probability=probability)
