"""Clusters that do not chain through weak links.

1. Strong edges: pairs whose probability reaches the threshold (pairs kept apart by a rule have none).
2. Connected components over the strong edges (label propagation with numpy).
3. Every component of three or more people is checked pair by pair: all its pairs are scored, and a
   component in which some pair is below the floor (or kept apart by a rule) is rebuilt greedily: strong
   edges from the strongest down, two groups joining only if every pair across them reaches the floor.
So A and C end up together only if A~C is itself at least plausible, not because both resemble B; two
people who only share a household phone never reach the threshold in the first place."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

LARGEST_CHECKED = 200  # a component larger than this is rebuilt from its scored edges only


def components(size: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label (smallest member index) of each of `size` nodes."""
    label = np.arange(size, dtype=np.int64)
    if len(left) == 0:
        return label
    while True:
        low = np.minimum(label[left], label[right])
        before = label.copy()
        np.minimum.at(label, left, low)
        np.minimum.at(label, right, low)
        label = label[label]  # pointer jumping
        label = label[label]
        if np.array_equal(label, before):
            return label


def cluster(
    size: int,
    left: np.ndarray,
    right: np.ndarray,
    probability: np.ndarray,
    *,
    threshold: float,
    floor: float,
    score_pairs: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """A cluster label per person (the smallest index in its cluster)."""
    strong = probability >= threshold
    s_left, s_right, s_prob = left[strong], right[strong], probability[strong]
    label = components(size, s_left, s_right)
    members_per_label = np.bincount(label, minlength=size)
    big = np.flatnonzero(members_per_label >= 3)
    if len(big) == 0:
        return label
    in_big = np.isin(label, big)
    people = np.flatnonzero(in_big)
    order = np.argsort(label[people], kind="stable")
    people = people[order]
    groups = np.split(people, np.flatnonzero(np.diff(label[people])) + 1)
    checked = [g for g in groups if len(g) <= LARGEST_CHECKED]
    # Every pair inside every checked component, scored at once.
    pair_left: list[np.ndarray] = []
    pair_right: list[np.ndarray] = []
    for group in checked:
        i, j = np.triu_indices(len(group), k=1)
        pair_left.append(group[i])
        pair_right.append(group[j])
    inside = {}
    if pair_left:
        all_left, all_right = np.concatenate(pair_left), np.concatenate(pair_right)
        scored = score_pairs(all_left, all_right)
        weak_pair = scored < floor
        weak_labels = set(np.unique(label[all_left[weak_pair]]).tolist())
        inside = {
            (int(a), int(b)): float(p)
            for a, b, p in zip(all_left, all_right, scored, strict=True)
            if int(label[a]) in weak_labels
        }
    else:
        weak_labels = set()
    weak_labels |= {int(label[g[0]]) for g in groups if len(g) > LARGEST_CHECKED}
    if not weak_labels:
        return label
    edge_order = np.argsort(-s_prob, kind="stable")
    by_label: dict[int, list[tuple[int, int]]] = {}
    for index in edge_order:
        a, b = int(s_left[index]), int(s_right[index])
        component = int(label[a])
        if component in weak_labels:
            by_label.setdefault(component, []).append((a, b))
    for edges in by_label.values():
        _rebuild(label, edges, inside, floor)
    return label


def _rebuild(
    label: np.ndarray, edges: list[tuple[int, int]], inside: dict[tuple[int, int], float], floor: float
) -> None:
    """Greedy rebuild of one component from its strong edges, strongest first."""
    groups: dict[int, list[int]] = {}
    owner: dict[int, int] = {}
    for a, b in edges:
        for person in (a, b):
            if person not in owner:
                owner[person] = person
                groups[person] = [person]
    for a, b in edges:
        ga, gb = owner[a], owner[b]
        if ga == gb:
            continue
        if all(inside.get((min(x, y), max(x, y)), 0.0) >= floor for x in groups[ga] for y in groups[gb]):
            if len(groups[ga]) < len(groups[gb]):
                ga, gb = gb, ga
            for person in groups[gb]:
                owner[person] = ga
            groups[ga].extend(groups.pop(gb))
    for members in groups.values():
        smallest = min(members)
        for person in members:
            label[person] = smallest
