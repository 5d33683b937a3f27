"""How good a clustering is against the truth.

Pairwise: over all pairs of records, a pair is predicted when both are in one cluster and true when both are
one person; precision, recall and F1 of the predicted pairs. B-cubed: for each record, the share of its
predicted cluster that is truly the same person (precision) and the share of its true person's records that
share its cluster (recall), averaged over records; F1 of the two averages. Counted with numpy (cluster sizes
and their intersections), never by listing pairs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _codes(labels: np.ndarray) -> np.ndarray:
    return np.unique(np.asarray(labels), return_inverse=True)[1].astype(np.int64)


def _pairs(sizes: np.ndarray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise(predicted: np.ndarray, truth: np.ndarray) -> Scores:
    p, t = _codes(predicted), _codes(truth)
    both = np.unique(p * (t.max() + 1) + t, return_counts=True)[1]
    true_positive = _pairs(both)
    predicted_pairs = _pairs(np.bincount(p))
    true_pairs = _pairs(np.bincount(t))
    precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive / true_pairs if true_pairs else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def b_cubed(predicted: np.ndarray, truth: np.ndarray) -> Scores:
    p, t = _codes(predicted), _codes(truth)
    joint = p * (t.max() + 1) + t
    _, joint_index, joint_counts = np.unique(joint, return_inverse=True, return_counts=True)
    overlap = joint_counts[joint_index].astype(np.float64)
    precision = float(np.mean(overlap / np.bincount(p)[p]))
    recall = float(np.mean(overlap / np.bincount(t)[t]))
    return Scores(precision, recall, _f1(precision, recall))
