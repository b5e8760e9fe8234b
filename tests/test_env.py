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
    code = "import actlib, sys; print('matplotlib.pyplot' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
