"""Load any Hugging Face causal LM and its tokenizer, offline by default.

``load_model`` is the one entry point the rest of the empirical layer uses. It never touches the
network unless ``allow_network=True``: a local directory is loaded as is, a hub id only from the
local Hugging Face cache (``local_files_only=True``), and a missing model is a clear
``FileNotFoundError`` rather than a download.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "float16": torch.float16,
    "fp16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
    "float64": torch.float64,
}


def resolve_dtype(dtype: str | torch.dtype) -> torch.dtype:
    """Map a dtype name (``"float32"``, ``"bfloat16"``, ``"float16"``, ``"float64"``) to torch."""
    if isinstance(dtype, torch.dtype):
        return dtype
    try:
        return DTYPES[dtype.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {dtype!r}") from None


def load_model(
    path_or_id: str | Path,
    *,
    dtype: str | torch.dtype = "float32",
    device: str | torch.device = "cpu",
    device_map: str | dict[str, Any] | None = None,
    allow_network: bool = False,
    revision: str | None = None,
    trust_remote_code: bool = False,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load ``(model, tokenizer)`` with ``AutoModelForCausalLM`` / ``AutoTokenizer``.

    ``path_or_id`` is a local directory (``save_pretrained`` layout), a hub id, a GGUF file or a
    folder holding one (converted once and cached, :mod:`steerbound.empirical.model.gguf`), or a
    built-in name such as ``"smollm2-135m-instruct"``
    (:mod:`steerbound.empirical.model.builtin_models`; ``model.config.name_or_path`` is then
    that name, or the GGUF file's path). With ``allow_network=False`` (the default) nothing is
    downloaded: a hub id must already be in the local cache. ``device_map="auto"`` spreads a
    large model over the available GPUs (accelerate); otherwise the model is moved to
    ``device``. A tokenizer without a pad token gets its eos token as pad token (the embedding
    matrix is not resized). The model is put in ``eval()`` mode; its weights are not otherwise
    changed.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from steerbound.empirical.model.builtin_models import builtin_model_path, is_builtin_name
    from steerbound.empirical.model.gguf import convert_gguf, find_gguf_file

    torch_dtype = resolve_dtype(dtype)
    label = str(path_or_id) if is_builtin_name(path_or_id) else None
    if label is not None:
        path_or_id = builtin_model_path(label)
    gguf_file = find_gguf_file(path_or_id)
    if gguf_file is not None:
        label = label or str(gguf_file)
        path_or_id = convert_gguf(gguf_file)
    source = str(path_or_id)
    local = Path(source).expanduser()
    is_dir = local.is_dir()
    if is_dir:
        source = str(local)
    elif local.exists():
        raise ValueError(
            f"model path {source!r} is a file; give the model's directory or a .gguf file"
        )
    elif source.startswith((".", "/", "~")) or local.suffix in {".json", ".safetensors"}:
        raise FileNotFoundError(f"model directory {source!r} does not exist")
    common: dict[str, Any] = {
        "local_files_only": not allow_network and not is_dir,
        "revision": revision,
        "trust_remote_code": trust_remote_code,
    }
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **common)
        model = AutoModelForCausalLM.from_pretrained(
            source, dtype=torch_dtype, device_map=device_map, **common
        )
    except OSError as error:
        if is_dir:
            raise ValueError(
                f"cannot load a causal LM from directory {source!r}: {error}"
            ) from error
        hint = "" if allow_network else " (offline: pass allow_network=True / --allow-network)"
        raise FileNotFoundError(
            f"model {source!r} is neither a local directory nor in the local Hugging Face "
            f"cache{hint}: {error}"
        ) from error
    if device_map is None:
        model.to(device)  # type: ignore[arg-type]
    if tokenizer.pad_token is None:
        if tokenizer.eos_token is None:
            raise ValueError(f"tokenizer of {source!r} has neither a pad token nor an eos token")
        tokenizer.pad_token = tokenizer.eos_token
    if getattr(model.generation_config, "pad_token_id", None) is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    if label is not None:  # name the source, not the cache folder (model_identity, manifests)
        model.config.name_or_path = label
    model.eval()
    return model, tokenizer


def model_identity(model: PreTrainedModel) -> tuple[str, str | None]:
    """``(model_id, revision)`` as recorded by ``from_pretrained`` (revision may be None).

    ``model_id`` is the public ``name_or_path``. ``revision`` reads ``config._commit_hash``, the
    only place transformers records the hub commit: provenance only (written to manifests, never
    used to compute a value), and ``None`` when a release drops the attribute.
    """
    config = model.config
    model_id = str(getattr(model, "name_or_path", "") or getattr(config, "name_or_path", ""))
    revision = getattr(config, "_commit_hash", None)
    return model_id or type(model).__name__, revision


def hidden_size(model: PreTrainedModel) -> int:
    """Width of the residual stream (``config.hidden_size``; text config for multimodal models)."""
    config = model.config
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    for name in ("hidden_size", "n_embd", "d_model"):
        value = getattr(text, name, None)
        if isinstance(value, int):
            return value
    raise ValueError(f"cannot find the hidden size in the config of {type(model).__name__}")
