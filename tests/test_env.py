"""setup(): seeds, device, threads, and a light import."""

import torch

import actlib


def test_setup_seeds_and_reports(capsys, monkeypatch):
    monkeypatch.setenv("ACTLIB_THREADS", "1")
    dev = actlib.setup(seed=5, style=False)
    a = torch.rand(3)
    out = capsys.readouterr().out
    assert dev == actlib.pick_device() and torch.get_num_threads() == 1
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else dev.type
    assert f"device {name} ·" in out and "seed 5" in out and "1 CPU thread " in out
    actlib.setup(seed=5, style=False, quiet=True)
    assert torch.equal(torch.rand(3), a) and capsys.readouterr().out == ""


def test_import_stays_light():
    import subprocess
    import sys

    code = (
        "import actlib, sys; print('matplotlib.pyplot' in sys.modules, 'ipywidgets' "
        "in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_pick_device_honours_a_preference_and_seeding_covers_numpy(monkeypatch):
    import numpy as np

    assert actlib.pick_device("cpu") == torch.device("cpu")
    assert actlib.seed_everything(3) == 3
    a = np.random.rand(2)
    actlib.seed_everything(3)
    assert (np.random.rand(2) == a).all()
    from actlib.env import default_threads

    monkeypatch.setenv("ACTLIB_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.delenv("ACTLIB_THREADS")
    assert 1 <= default_threads() <= 4


def test_bad_settings_are_refused_with_the_accepted_values(monkeypatch):
    import pytest
    from actlib.env import default_threads

    monkeypatch.setenv("ACTLIB_THREADS", "two")
    with pytest.raises(
        ValueError,
        match="invalid ACTLIB_THREADS='two' in the environment; it must be a positive",
    ):
        default_threads()
    monkeypatch.setenv("ACTLIB_THREADS", "0")
    with pytest.raises(ValueError, match="ACTLIB_THREADS='0'"):
        default_threads()
    monkeypatch.delenv("ACTLIB_THREADS")
    with pytest.raises(ValueError, match="invalid device='gpu'"):
        actlib.setup(device="gpu", quiet=True, style=False)
    with pytest.raises(TypeError, match="invalid threads=1.5"):
        actlib.setup(threads=1.5, quiet=True, style=False)
    with pytest.raises(ValueError, match="invalid seed=-3"):
        actlib.seed_everything(-3)


def test_a_missing_gpu_is_an_error_not_a_broken_device(monkeypatch):
    import pytest

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="PyTorch sees no CUDA GPU here"):
        actlib.setup(device="cuda", quiet=True, style=False)
    with pytest.raises(ValueError, match="no CUDA GPU"):
        actlib.pick_device("cuda:0")
    assert actlib.pick_device() != torch.device("cuda")  # and auto-detection falls back


def test_setup_caps_numpy_blas_threads_too():
    import numpy as np  # noqa: F401  (loads the BLAS whose pool is capped)
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(limits=2)  # so the check fails if setup() leaves the pools alone
    actlib.setup(threads=1, style=False, quiet=True)
    pools = threadpool_info()
    assert pools, "no BLAS/OpenMP pool found: the check below would pass vacuously"
    assert all(p["num_threads"] == 1 for p in pools), pools
