"""Linear regions of ReLU networks.

Grids, activation patterns, region counts, the local affine map.
"""

import math

import pytest
import torch
from torch import nn

import actlib
from actlib import regions
from actlib.nets import mlp


def _net(widths, act="relu", seed=0):
    torch.manual_seed(seed)
    return mlp([2, *widths, 1], act).double()


def test_grid_covers_the_extent_row_by_row():
    pts, xs, ys = regions.grid((-2.0, 1.0, 0.0, 3.0), resolution=4)
    assert pts.shape == (16, 2) and xs.shape == ys.shape == (4,)
    assert pts[0].tolist() == [-2.0, 0.0] and pts[-1].tolist() == [1.0, 3.0]
    assert pts[1].tolist() == [-1.0, 0.0]  # x varies fastest
    with pytest.raises(ValueError, match="extent"):
        regions.grid((1.0, 0.0, 0.0, 1.0))
    with pytest.raises(ValueError, match="resolution"):
        regions.grid(resolution=1)


def test_activation_patterns_are_signs_of_pre_activations():
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(2))
        net[0].bias.zero_()
    x = torch.tensor([[1.0, -1.0], [-1.0, 1.0], [2.0, 3.0]])
    assert regions.activation_patterns(net, x).tolist() == [
        [True, False],
        [False, True],
        [True, True],
    ]


def test_pattern_ids_match_torch_unique_rows_on_wide_patterns():
    torch.manual_seed(0)
    patterns = torch.rand(3000, 150) > 0.5
    patterns[1000:2000] = patterns[:1000]  # repeated rows must get the same id
    ids, count = regions.pattern_ids(patterns)
    uniq, inverse = torch.unique(patterns, dim=0, return_inverse=True)
    assert count == len(uniq) == 2000
    # same id <=> same row: the pairs (ids, inverse) form a bijection
    assert len(torch.unique(torch.stack([ids, inverse], 1), dim=0)) == count
    assert torch.equal(ids[1000:2000], ids[:1000])
    empty_ids, empty_count = regions.pattern_ids(torch.zeros(0, 5, dtype=torch.bool))
    assert empty_count == 0 and empty_ids.shape == (0,)
    with pytest.raises(ValueError, match="2-D"):
        regions.pattern_ids(torch.zeros(5, dtype=torch.bool))


def test_three_lines_cut_the_square_into_seven_pieces():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        net[0].bias.copy_(torch.tensor([0.1, -0.2, 0.5]))
    assert (
        regions.line_arrangement_regions(net[0].weight, net[0].bias)
        == 7
        == 1 + 3 + math.comb(3, 2)
    )
    assert regions.count_regions(net, resolution=301) == 7
    # a line outside the square adds nothing
    assert regions.line_arrangement_regions([[1.0, 0.0], [0.0, 1.0]], [5.0, 0.0]) == 2
    # parallel lines never meet: x = 0, x = 0.5 and y = 0 make 1 + 3 + 2 pieces
    assert (
        regions.line_arrangement_regions(
            [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [0.0, -0.5, 0.0]
        )
        == 6
    )
    with pytest.raises(ValueError, match="weight must be"):
        regions.line_arrangement_regions([[1.0, 0.0, 2.0]], [0.0])


def test_one_layer_grid_count_approaches_the_exact_count_from_below():
    net = _net([12], seed=3)
    exact = regions.line_arrangement_regions(net[0].weight, net[0].bias)
    coarse = regions.count_regions(net, resolution=101)
    fine = regions.count_regions(net, resolution=801)
    assert coarse <= fine <= exact
    assert fine >= 0.9 * exact


def test_finer_nested_grid_never_sees_fewer_regions():
    net = _net([16, 16, 16], seed=1)
    assert regions.count_regions(net, resolution=61) <= regions.count_regions(
        net, resolution=121
    )


def test_connected_pieces_of_a_toy_label_image():
    ids = torch.tensor([[0, 0, 1, 1], [0, 1, 1, 0], [2, 2, 1, 0], [0, 2, 1, 0]])
    # 4-neighbours: {0 top-left}, {0 right column}, {0 bottom-left corner}, {1}, {2} ->
    # 5 pieces
    assert regions.connected_regions(ids.flatten(), 4) == 5
    # no two pieces with the same id touch at a corner here, so diagonals change nothing
    assert regions.connected_regions(ids.flatten(), 4, diagonal=True) == 5
    diag = torch.tensor([[0, 1], [1, 0]]).flatten()
    assert regions.connected_regions(diag, 2) == 4
    assert regions.connected_regions(diag, 2, diagonal=True) == 2


@pytest.mark.parametrize("act", ["relu", "leaky_relu"])
def test_local_affine_map_reproduces_the_net_and_its_jacobian(act):
    net = _net([8, 8, 8], act, seed=2)
    x = torch.randn(200, 2, dtype=torch.float64)
    A, c = regions.local_affine(net, x)
    with torch.no_grad():
        y = net(x)
    assert torch.allclose((A @ x.unsqueeze(-1)).squeeze(-1) + c, y, atol=1e-12)
    jac = torch.func.vmap(torch.func.jacrev(net))(x)
    assert torch.allclose(A, jac, atol=1e-12)


def test_affine_map_is_constant_within_a_pattern_and_regions_are_convex():
    net = _net([10, 10], seed=4)
    pts, _, _ = regions.grid(resolution=120, dtype=torch.float64)
    ids, count = regions.pattern_ids(regions.activation_patterns(net, pts))
    A, c = regions.local_affine(net, pts)
    first = torch.zeros(count, dtype=torch.long).scatter_(
        0, ids.flip(0), torch.arange(len(ids)).flip(0)
    )
    assert torch.allclose(A, A[first[ids]], atol=1e-12) and torch.allclose(
        c, c[first[ids]], atol=1e-12
    )
    # the midpoint of two points with the same pattern has that pattern too (each region
    # is convex)
    g = torch.Generator().manual_seed(0)
    i = torch.randint(0, len(pts), (4000,), generator=g)
    j = first[ids[i]]
    mid = regions.activation_patterns(net, (pts[i] + pts[j]) / 2)
    assert torch.equal(mid, regions.activation_patterns(net, pts[i]))


def test_actlib_relu_module_is_supported_and_smooth_activations_are_refused():
    net = nn.Sequential(
        nn.Linear(2, 4), actlib.modules.ActivationModule("relu"), nn.Linear(4, 1)
    )
    assert regions.activation_patterns(net, torch.randn(5, 2)).shape == (5, 4)
    with pytest.raises(ValueError, match="unsupported layer Tanh.*nn.ReLU"):
        regions.count_regions(mlp([2, 4, 1], "tanh"))
    with pytest.raises(ValueError, match="nn.Sequential"):
        regions.activation_patterns(nn.Linear(2, 2), torch.randn(3, 2))
    with pytest.raises(ValueError, match="no ReLU-type layer"):
        regions.activation_patterns(nn.Sequential(nn.Linear(2, 2)), torch.randn(3, 2))
