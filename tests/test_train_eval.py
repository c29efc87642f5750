"""train()/eval() switch every sub-module, as in PyTorch."""

import pytest
import torch

from nnkit import nn


def test_train_and_eval_reach_every_submodule_like_pytorch():
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1), nn.Sigmoid()))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(),
                                 torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Sigmoid()))
    def modes(model):
        return [model.training, model[0].training, model[2].training, model[2][1].training]
    assert modes(ours) == modes(theirs) == [True] * 4
    assert ours.eval() is ours and theirs.eval() is theirs
    assert modes(ours) == modes(theirs) == [False] * 4
    ours[2].train()
    theirs[2].train()
    assert modes(ours) == modes(theirs) == [False, False, True, True]


def test_train_rejects_a_mode_that_is_not_a_bool():
    with pytest.raises(TypeError, match="Linear.train: mode must be True or False, got 'no'"):
        nn.Linear(2, 3).train("no")
