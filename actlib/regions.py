"""Linear regions of ReLU networks.

Activation patterns on a 2-D grid, region counts, and the local affine map.
"""

import torch
from torch import nn

from .modules import ActivationModule

# Piecewise-linear activations with a single kink at 0: the "pattern" of a unit is
# whether z > 0.
_PIECEWISE = ("relu", "leaky_relu")


def grid(
    extent=(-1.0, 1.0, -1.0, 1.0), resolution=200, device=None, dtype=torch.float32
):
    """Return (points, xs, ys): a regular grid over extent and its coordinates.

    points are the resolution² grid points as a (resolution², 2) tensor, row by row (y
    outer, x inner); xs and ys are its 1-D x and y coordinates.
    """
    if len(extent) != 4 or not (extent[0] < extent[1] and extent[2] < extent[3]):
        raise ValueError(
            f"invalid extent={extent!r}; give (x_min, x_max, y_min, y_max) with "
            "min < max"
        )
    if not isinstance(resolution, int) or resolution < 2:
        raise ValueError(
            f"invalid resolution={resolution!r}; it must be an integer >= 2"
        )
    xs = torch.linspace(extent[0], extent[1], resolution, device=device, dtype=dtype)
    ys = torch.linspace(extent[2], extent[3], resolution, device=device, dtype=dtype)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([xx.flatten(), yy.flatten()], 1), xs, ys


def _slope(module):
    """Return the negative-side slope of a supported piecewise-linear activation.

    The slope is 0 for ReLU.
    """
    if isinstance(module, nn.ReLU):
        return 0.0
    if isinstance(module, nn.LeakyReLU):
        return float(module.negative_slope)
    if isinstance(module, ActivationModule) and module.act.name in _PIECEWISE:
        return (
            float(module.act.params.get("negative_slope", 0.0))
            if module.act.name == "leaky_relu"
            else 0.0
        )
    raise ValueError(
        f"unsupported layer {module.__class__.__name__} ({module!r}); linear "
        "regions are defined here for nn.Sequential nets of nn.Linear and "
        "piecewise-linear activations: nn.ReLU, nn.LeakyReLU, or actlib modules "
        f"named {', '.join(_PIECEWISE)}"
    )


def _layers(model):
    """Return the layers of an nn.Sequential of piecewise-linear layers.

    Allowed are Linear/Identity and piecewise-linear activations; anything else raises
    ValueError.
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError(
            "expected an nn.Sequential of Linear and ReLU-type layers, got "
            f"{model.__class__.__name__}"
        )
    for m in model:
        if not isinstance(m, (nn.Linear, nn.Identity)):
            _slope(
                m
            )  # raises for anything that is not piecewise linear with one kink at 0
    return list(model)


@torch.no_grad()
def activation_patterns(model, x):
    """Return a bool tensor (N, units): which hidden units are on (z > 0).

    For each input row, which hidden units of the ReLU-type layers are on.
    """
    on = []
    h = x
    for m in _layers(model):
        if isinstance(m, (nn.Linear, nn.Identity)):
            h = m(h)
        else:
            on.append(h > 0)
            h = m(h)
    if not on:
        raise ValueError(
            "the model has no ReLU-type layer, so it is a single affine map with "
            "one region"
        )
    return torch.cat(on, 1)


def pattern_ids(patterns):
    """Return (ids, count) of the distinct rows of patterns.

    ids is the index of each row's pattern among the distinct rows, and count how many
    there are.
    """
    if patterns.dim() != 2:
        raise ValueError(
            f"patterns must be 2-D (points, units), got shape {tuple(patterns.shape)}"
        )
    n, units = patterns.shape
    ids = torch.zeros(n, dtype=torch.long, device=patterns.device)
    if n == 0:
        return ids, 0
    # Pack 62 units at a time into an int64 word, then merge the word ids one word at a
    # time: exact, works on any device, and far faster than torch.unique(dim=0) on wide
    # boolean rows.
    bits = 2 ** torch.arange(62, dtype=torch.long, device=patterns.device)
    for s in range(0, units, 62):
        chunk = patterns[:, s : s + 62]
        word = torch.where(chunk, bits[: chunk.shape[1]], 0).sum(1)
        _, word_ids = torch.unique(word, return_inverse=True)
        _, ids = torch.unique(
            ids * (int(word_ids.max()) + 1) + word_ids, return_inverse=True
        )
    return ids, int(ids.max()) + 1


def count_regions(model, extent=(-1.0, 1.0, -1.0, 1.0), resolution=200):
    """Return the number of distinct activation patterns of a 2-input ReLU net.

    The patterns are those seen on a resolution² grid over extent.
    """
    p = next(model.parameters())
    points, _, _ = grid(extent, resolution, device=p.device, dtype=p.dtype)
    return pattern_ids(activation_patterns(model, points))[1]


def line_arrangement_regions(weight, bias, extent=(-1.0, 1.0, -1.0, 1.0)):
    """Return the exact number of pieces that lines cut the rectangle extent into.

    The lines are weight[i] · x + bias[i] = 0, in general position.
    """
    weight = torch.as_tensor(weight).detach().to(torch.float64)
    bias = torch.as_tensor(bias).detach().to(torch.float64).flatten()
    if weight.dim() != 2 or weight.shape[1] != 2 or weight.shape[0] != bias.numel():
        raise ValueError(
            "weight must be (lines, 2) and bias (lines,), got "
            f"{tuple(weight.shape)} and {tuple(bias.shape)}"
        )
    x0, x1, y0, y1 = (float(e) for e in extent)
    if not (x0 < x1 and y0 < y1):
        raise ValueError(
            f"invalid extent={extent!r}; give (x_min, x_max, y_min, y_max) with "
            "min < max"
        )
    corners = torch.tensor(
        [[x0, y0], [x0, y1], [x1, y0], [x1, y1]], dtype=torch.float64
    )
    side = corners @ weight.T + bias  # (4, lines)
    crosses = (side.max(0).values > 0) & (side.min(0).values < 0)
    w, b = weight[crosses], bias[crosses]
    # Euler: each line adds one piece, plus one more for every earlier line it meets
    # inside the rectangle. Crossing of lines i and j by Cramer's rule; parallel pairs
    # (det = 0) never meet.
    det = w[:, None, 0] * w[None, :, 1] - w[:, None, 1] * w[None, :, 0]
    ok = det.abs() > 1e-12
    safe = torch.where(ok, det, torch.ones_like(det))
    px = (-b[:, None] * w[None, :, 1] + b[None, :] * w[:, None, 1]) / safe
    py = (-w[:, None, 0] * b[None, :] + w[None, :, 0] * b[:, None]) / safe
    inside = ok & (px > x0) & (px < x1) & (py > y0) & (py < y1)
    meets = int(torch.triu(inside, diagonal=1).sum())
    return 1 + int(crosses.sum()) + meets


def connected_regions(ids, resolution, diagonal=False):
    """Return the number of connected pieces of equal id on a resolution² grid.

    Pieces connect through 4 neighbours, or 8 if diagonal.
    """
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    img = ids.reshape(resolution, resolution).cpu().numpy()
    index = np.arange(img.size).reshape(img.shape)
    rows, cols = [], []
    shifts = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if diagonal else [])
    h, w = img.shape
    for dy, dx in shifts:  # pair each pixel (i, j) with (i + dy, j + dx)
        j0, j1 = max(0, -dx), w - max(0, dx)
        a, b = img[: h - dy, j0:j1], img[dy:, j0 + dx : j1 + dx]
        same = a == b
        rows.append(index[: h - dy, j0:j1][same])
        cols.append(index[dy:, j0 + dx : j1 + dx][same])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(img.size, img.size))
    return int(connected_components(graph, directed=False)[0])


@torch.no_grad()
def local_affine(model, x):
    """Return (A, c), with A (N, out, in) and c (N, out).

    On the region of each row x_i, model(x_i) = A_i x_i + c_i.
    """
    n, d = x.shape
    A = torch.eye(d, dtype=x.dtype, device=x.device).expand(n, d, d)
    c = torch.zeros(n, d, dtype=x.dtype, device=x.device)
    h = x
    for m in _layers(model):
        if isinstance(m, nn.Identity):
            continue
        if isinstance(m, nn.Linear):
            A = m.weight @ A  # (out, k) @ (N, k, d) -> (N, out, d)
            c = c @ m.weight.T + (m.bias if m.bias is not None else 0)
            h = m(h)
        else:
            s = torch.where(h > 0, torch.ones_like(h), torch.full_like(h, _slope(m)))
            A = s.unsqueeze(-1) * A
            c = s * c
            h = m(h)
    return A, c
