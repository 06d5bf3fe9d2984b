"""The arithmetic of progress: metrics up and down, shares of tasks, weighted means up the
tree of alignment."""

from __future__ import annotations

import pytest

from xietong.goals.rollup import Node, metric_progress, roll_up, tasks_progress, weighted_mean


def test_a_metric_counts_from_its_start_towards_its_target() -> None:
    assert metric_progress(0, 50, 18) == pytest.approx(0.36)
    # Bring complaints down from 40 to 10: at 25 it is half done.
    assert metric_progress(40, 10, 25) == pytest.approx(0.5)
    # Past the target is done, behind the start is nothing.
    assert metric_progress(0, 50, 80) == 1.0
    assert metric_progress(40, 10, 55) == 0.0
    # A target equal to its start is met or not.
    assert metric_progress(5, 5, 5) == 1.0
    assert metric_progress(5, 5, 4) == 0.0


def test_cancelled_tasks_neither_help_nor_hold_back() -> None:
    # 4 linked tasks, 1 cancelled (not counted), 1 done: a third.
    assert tasks_progress(done=1, counted=3) == pytest.approx(1 / 3)
    assert tasks_progress(done=0, counted=0) == 0.0


def test_weighted_means_roll_up_through_the_alignment() -> None:
    assert weighted_mean([(1, 0.5), (3, 1.0)]) == pytest.approx(0.875)
    assert weighted_mean([]) == 0.0
    nodes = {
        # The company objective: one key result at 0.2 (weight 1) and two aligned ones.
        1: Node(parent_id=None, weight=1, key_results=((1, 0.2),)),
        # A department's, weight 2 in its parent: (0.5·1 + 1.0·1) / 2 = 0.75.
        2: Node(parent_id=1, weight=2, key_results=((1, 0.5), (1, 1.0))),
        # A person's under the department's, weight 1: 0.9; the department's becomes
        # (0.5 + 1.0 + 0.9) / 3 = 0.8.
        3: Node(parent_id=2, weight=1, key_results=((1, 0.9),)),
        # Nothing measured yet, weight 1 in the company's: 0.
        4: Node(parent_id=1, weight=1, key_results=()),
    }
    progress = roll_up(nodes)
    assert progress[3] == pytest.approx(0.9)
    assert progress[2] == pytest.approx(0.8)
    assert progress[4] == 0.0
    # (0.2·1 + 0.8·2 + 0·1) / 4 = 0.45
    assert progress[1] == pytest.approx(0.45)


def test_a_loop_in_stored_alignment_is_cut_not_followed() -> None:
    progress = roll_up({1: Node(parent_id=2, weight=1, key_results=((1, 1.0),)),
                        2: Node(parent_id=1, weight=1, key_results=((1, 0.0),))})
    assert set(progress) == {1, 2}
