import numpy as np
import pytest

from passage.matching import metrics


def test_perfect_and_all_apart():
    truth = np.array(["a", "a", "b", "c", "c", "c"])
    assert metrics.pairwise(truth, truth).f1 == 1.0
    assert metrics.b_cubed(truth, truth).f1 == 1.0
    alone = np.arange(6)
    assert metrics.pairwise(alone, truth).recall == 0.0
    assert metrics.b_cubed(alone, truth).precision == 1.0


def test_one_wrong_merge():
    truth = np.array([0, 0, 1, 2])
    predicted = np.array([0, 0, 0, 2])  # record 2 wrongly joined to the pair
    pairwise = metrics.pairwise(predicted, truth)
    assert pairwise.precision == pytest.approx(1 / 3)
    assert pairwise.recall == 1.0
    b_cubed = metrics.b_cubed(predicted, truth)
    # precision per record: 2/3, 2/3, 1/3, 1 ; recall: 1, 1, 1, 1
    assert b_cubed.precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert b_cubed.recall == 1.0
