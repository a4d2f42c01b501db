"""Weights: checkpoint files (safe formats only), the strict fit check, torchvision's hub cache,
and the honest offline fallback."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import pathlib
import shutil
import threading

import pytest
import torch
from safetensors.torch import save_file
from torchvision import models as tvm

from explorer import ExplorerError, UntrainedWeightsWarning, load_model, model_info
from explorer.arch.registry import get_entry
from explorer.models import weights as W

from ..conftest import PicklePayload


def _state(name: str = "resnet18", seed: int = 1) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return {k: v.clone() for k, v in get_entry(name).build().state_dict().items()}


def _same_weights(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> bool:
    return all(torch.equal(v, state[k]) for k, v in model.state_dict().items())


def test_safetensors_checkpoint_round_trip(tmp_path, torch_home):
    state = _state()
    path = tmp_path / "r18.safetensors"
    save_file(state, str(path))
    model = load_model("resnet18", weights=path)
    assert _same_weights(model, state)
    info = model_info(model)
    assert info.trained and info.weights == "file r18.safetensors"


def test_torch_checkpoint_is_read_with_weights_only(tmp_path, torch_home, monkeypatch):
    state = _state()
    path = tmp_path / "r18.pth"
    torch.save(state, path)
    seen = {}
    real_load = torch.load

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    assert _same_weights(load_model("resnet18", weights=str(path)), state)
    assert seen["weights_only"] is True


def test_training_script_wrappers_are_unwrapped(tmp_path, torch_home):
    state = _state()
    path = tmp_path / "ckpt.pt"
    torch.save({"epoch": 3, "state_dict": {f"module.{k}": v for k, v in state.items()}}, path)
    assert _same_weights(load_model("resnet18", weights=path), state)


def test_batchnorm_counters_may_be_missing(tmp_path, torch_home):
    state = {k: v for k, v in _state().items() if not k.endswith("num_batches_tracked")}
    path = tmp_path / "no_counters.safetensors"
    save_file(state, str(path))
    assert model_info(load_model("resnet18", weights=path)).trained


def test_missing_and_unexpected_keys_are_listed(tmp_path, torch_home):
    state = _state()
    del state["layer4.1.conv2.weight"]
    state["extra.weight"] = torch.zeros(1)
    path = tmp_path / "broken.safetensors"
    save_file(state, str(path))
    with pytest.raises(ExplorerError) as err:
        load_model("resnet18", weights=path)
    message = str(err.value)
    assert "1 missing keys (layer4.1.conv2.weight)" in message
    assert "1 unexpected keys (extra.weight)" in message


def test_checkpoint_of_another_architecture_is_refused(tmp_path, torch_home):
    path = tmp_path / "r50.safetensors"
    save_file(_state("resnet50"), str(path))
    with pytest.raises(ExplorerError, match=r"does not fit resnet18.*another architecture"):
        load_model("resnet18", weights=path)


def test_wrong_head_size_says_how_many_classes(tmp_path, torch_home):
    state = _state()
    state["fc.weight"], state["fc.bias"] = torch.zeros(10, 512), torch.zeros(10)
    path = tmp_path / "ten.safetensors"
    save_file(state, str(path))
    with pytest.raises(ExplorerError, match="trained for 10 classes"):
        load_model("resnet18", weights=path)


@pytest.mark.parametrize(
    "content", [b"", b"hello, this is not a checkpoint\n", b"%PDF-1.7\n" + bytes(200)]
)
def test_files_that_are_not_checkpoints(tmp_path, torch_home, content):
    path = tmp_path / "weights.pth"
    path.write_bytes(content)
    with pytest.raises(ExplorerError, match="not a readable PyTorch or safetensors checkpoint"):
        load_model("resnet18", weights=path)


def test_truncated_safetensors(tmp_path, torch_home):
    path = tmp_path / "cut.safetensors"
    save_file(_state(), str(path))
    path.write_bytes(path.read_bytes()[:4096])
    with pytest.raises(ExplorerError, match="not a readable"):
        load_model("resnet18", weights=path)


def test_malicious_pickle_is_refused_and_never_runs(tmp_path, torch_home):
    evil, canary = tmp_path / "evil.pth", tmp_path / "pwned"
    torch.save({"fc.weight": torch.zeros(1), "x": PicklePayload(canary)}, evil)
    with pytest.raises(ExplorerError, match=r"refused to load evil\.pth"):
        load_model("resnet18", weights=evil)
    assert not canary.exists()
    # The payload is live: a plain unpickling would have run it.
    control, control_canary = tmp_path / "control.pth", tmp_path / "control-ran"
    torch.save({"x": PicklePayload(control_canary)}, control)
    torch.load(control, weights_only=False)
    assert control_canary.exists()


def test_a_mapping_without_tensors_is_not_a_state_dict(tmp_path, torch_home):
    path = tmp_path / "numbers.pth"
    torch.save({"lr": 0.1, "epoch": 3}, path)
    with pytest.raises(ExplorerError, match="holds no state_dict"):
        load_model("resnet18", weights=path)


def test_unknown_weights_name_or_missing_file(torch_home):
    with pytest.raises(ExplorerError, match=r"neither a known name.*IMAGENET1K_V1"):
        load_model("resnet18", weights="IMAGENET1K_V9")
    with pytest.raises(ExplorerError, match="neither a known name"):
        load_model("resnet18", weights="/no/such/file.safetensors")
    with pytest.raises(ExplorerError, match="not weights for resnet18"):
        load_model("resnet18", weights=tvm.ResNet50_Weights.DEFAULT)
    with pytest.raises(ExplorerError, match="no published pretrained weights"):
        load_model("resnet50_v1", weights="DEFAULT")


def _plant_hub_file(weights, state) -> pathlib.Path:
    path = W.hub_file(weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    return path


def test_torchvision_weights_come_from_the_hub_cache(torch_home):
    state = _state()
    path = _plant_hub_file(tvm.ResNet18_Weights.IMAGENET1K_V1, state)
    assert path.parent == torch_home / "hub" / "checkpoints"
    assert path.name == "resnet18-f37072fd.pth"
    for name in ("DEFAULT", "default", "IMAGENET1K_V1", tvm.ResNet18_Weights.IMAGENET1K_V1):
        model = load_model("resnet18", weights=name)
        assert _same_weights(model, state)
        info = model_info(model)
        assert info.trained and info.weights == "IMAGENET1K_V1"
        assert info.categories == tuple(tvm.ResNet18_Weights.IMAGENET1K_V1.meta["categories"])


def test_damaged_hub_file_says_delete_it(torch_home):
    path = W.hub_file(tvm.ResNet18_Weights.IMAGENET1K_V1)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00" * 100)
    with pytest.raises(ExplorerError, match=r"damaged.*Delete it"):
        load_model("resnet18", weights="DEFAULT")


def test_offline_without_cache_falls_back_loudly(torch_home):
    with pytest.warns(UntrainedWeightsWarning) as caught:
        model = load_model("resnet50", weights="DEFAULT")
    info = model_info(model)
    assert not info.trained
    assert "IMAGENET1K_V2" in info.weights and "random" in info.weights
    message = str(caught[0].message)
    assert message == info.message
    assert "python -m explorer fetch resnet50 --weights IMAGENET1K_V2" in message
    assert str(W.hub_file(tvm.ResNet50_Weights.IMAGENET1K_V2)) in message
    assert "predictions mean nothing" in message
    # The fallback is not cached: weights that arrive later are used at the next load.
    _plant_hub_file(tvm.ResNet50_Weights.IMAGENET1K_V2, _state("resnet50"))
    assert model_info(load_model("resnet50", weights="DEFAULT")).trained


def test_download_path_when_online(torch_home, monkeypatch, tmp_path):
    """With a reachable host, missing weights are downloaded (hash-checked) into the hub cache."""
    state = _state()
    source = tmp_path / "served.pth"
    torch.save(state, source)
    calls = []

    def fake_download(url, dst, hash_prefix, progress):
        calls.append((url, hash_prefix))
        shutil.copy(source, dst)

    monkeypatch.setattr(W, "offline_reason", lambda url: None)
    monkeypatch.setattr(W, "download", fake_download)
    model = load_model("resnet18", weights="DEFAULT")
    assert _same_weights(model, state) and model_info(model).trained
    assert calls == [(tvm.ResNet18_Weights.IMAGENET1K_V1.url, "f37072fd")]


def test_failed_download_falls_back(torch_home, monkeypatch):
    def refuse(*args, **kwargs):
        raise ExplorerError("downloading … failed: connection reset by peer. Try again.")

    monkeypatch.setattr(W, "offline_reason", lambda url: None)
    monkeypatch.setattr(W, "download", refuse)
    with pytest.warns(UntrainedWeightsWarning, match="connection reset by peer") as caught:
        assert not model_info(load_model("resnet18", weights="DEFAULT")).trained
    assert ".." not in str(caught[0].message)


@pytest.fixture
def http_server(tmp_path):
    """A loopback HTTP server for tmp_path/www: real sockets, no network."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_streams_checks_the_hash_and_reports_progress(http_server, tmp_path):
    root, url = http_server
    payload = os.urandom(3 * 2**20 + 123)
    (root / "w.pth").write_bytes(payload)
    prefix = hashlib.sha256(payload).hexdigest()[:8]
    seen = []
    W.download(f"{url}/w.pth", tmp_path / "w.pth", prefix, lambda d, t: seen.append((d, t)))
    assert (tmp_path / "w.pth").read_bytes() == payload
    assert seen[-1] == (len(payload), len(payload))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) == 4  # 1 MB chunks
    with pytest.raises(ExplorerError, match="corrupt"):
        W.download(f"{url}/w.pth", tmp_path / "bad.pth", "00000000", None)
    assert not (tmp_path / "bad.pth").exists() and not (tmp_path / "bad.pth.part").exists()
    with pytest.raises(ExplorerError, match="failed"):
        W.download(f"{url}/missing.pth", tmp_path / "m.pth", None, None)
    assert not (tmp_path / "m.pth.part").exists()


def test_offline_reason(monkeypatch):
    monkeypatch.setenv("EXPLORER_OFFLINE", "1")
    assert "EXPLORER_OFFLINE=1" in W.offline_reason("https://download.pytorch.org/x.pth")
    monkeypatch.setenv("EXPLORER_OFFLINE", "0")
    W._probes.clear()

    def unreachable(address, timeout):
        assert timeout == W.PROBE_TIMEOUT_S
        raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(W.socket, "create_connection", unreachable)
    reason = W.offline_reason("https://download.pytorch.org/x.pth")
    assert reason == "download.pytorch.org is unreachable (Network is unreachable)"
    W._probes.clear()
