"""The arithmetic of progress, pure: a key result's share done, and an objective's weighted
mean of its key results and of the objectives aligned to it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


def clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def metric_progress(start: float, target: float, current: float) -> float:
    """How far `current` has come from `start` towards `target`, 0..1. A target below the
    start (bring complaints down from 40 to 10) counts the other way; a target equal to its
    start is met or not."""
    if target == start:
        return 1.0 if current == target else 0.0
    return clamp((current - start) / (target - start))


def tasks_progress(done: int, counted: int) -> float:
    """The share of the linked tasks done; cancelled ones are not `counted` at all (nobody
    will do them, and they should neither help nor hold back the result)."""
    return clamp(done / counted) if counted else 0.0


def weighted_mean(parts: Iterable[tuple[float, float]]) -> float:
    """Σ weight·progress / Σ weight over (weight, progress); nothing weighed is 0."""
    total = weight_sum = 0.0
    for weight, progress in parts:
        total += weight * progress
        weight_sum += weight
    return clamp(total / weight_sum) if weight_sum > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Node:
    """What an objective's roll-up needs: its own key results as (weight, progress) and, for
    its parent, its weight there."""

    parent_id: int | None
    weight: float
    key_results: tuple[tuple[float, float], ...]


def roll_up(nodes: Mapping[int, Node]) -> dict[int, float]:
    """Every objective's progress: the weighted mean of its key results and of the objectives
    aligned to it (each with its own weight), bottom up. A parent outside `nodes` is
    ignored; alignment has no loops (refused when set), and a loop found anyway is cut
    rather than followed for ever."""
    children: dict[int, list[int]] = {}
    for objective_id, node in nodes.items():
        if node.parent_id is not None and node.parent_id in nodes:
            children.setdefault(node.parent_id, []).append(objective_id)
    progress: dict[int, float] = {}
    visiting: set[int] = set()

    def of(objective_id: int) -> float:
        if objective_id in progress:
            return progress[objective_id]
        if objective_id in visiting:
            return 0.0
        visiting.add(objective_id)
        node = nodes[objective_id]
        parts = list(node.key_results)
        parts += [(nodes[c].weight, of(c)) for c in children.get(objective_id, [])]
        progress[objective_id] = weighted_mean(parts)
        visiting.discard(objective_id)
        return progress[objective_id]

    for objective_id in nodes:
        of(objective_id)
    return progress
