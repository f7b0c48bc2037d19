"""GGUF checkpoints (llama.cpp's single-file format) as dense Hugging Face model directories.

A GGUF source is a ``.gguf`` file, or a folder with no ``config.json`` holding exactly one
``*.gguf`` file. :func:`convert_gguf` turns it into an ordinary ``save_pretrained`` directory
once: transformers (with the ``gguf`` package) reads the file, every quantized tensor is
dequantized to **float32** (exact for every GGUF type: F32, F16, BF16 and the block formats all
dequantize to values float32 holds), the tokenizer and chat template come from the file's
metadata, and the result is written atomically to::

    <cache>/gguf/<first 16 hex digits of the SHA-256>/transformers-<version>/

(the converting transformers release is part of the key: releases differ in the tokenizer they
build from the same file) where ``<cache>`` is :func:`steerbound.cache.cache_root`:
``$STEERBOUND_CACHE``, else ``$XDG_CACHE_HOME/steerbound``, else ``~/.cache/steerbound``. The key
is the file's *content*, so a renamed or copied file reuses the conversion and a changed file never
does. The SHA-256 itself is computed once per file and remembered (``<cache>/gguf/hashes.json``)
under the file's resolved path, size and modification time (ns).
:func:`~steerbound.empirical.model.loading.load_model` then loads the directory with
``from_pretrained`` in the requested dtype (a float32 -> dtype cast, as transformers' own GGUF
load does), so the second load of a file takes about a second instead of
the conversion's tens of seconds. Disk cost: 4 bytes per parameter (540 MB for 135M).

A file that is not GGUF (wrong magic bytes), is truncated or corrupt, or holds an architecture
transformers cannot load raises :class:`GGUFError` (a ``ValueError``) naming the file, before
any slow work where the header tells.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from steerbound.cache import cache_root

GGUF_MAGIC = b"GGUF"
#: Name of the record written into every converted directory (written last, before the rename).
CONVERSION_RECORD = "steerbound-gguf.json"
#: Hex digits of the SHA-256 naming a converted directory.
KEY_LENGTH = 16
_HASH_CHUNK = 1 << 22  # bytes read per hashing step (4 MiB)

# Hashes computed in this process: (resolved path, size, mtime_ns) -> hex SHA-256.
_HASHES: dict[tuple[str, int, int], str] = {}


class GGUFError(ValueError):
    """A GGUF source that cannot be used; the message names the file or folder."""


def gguf_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """Where converted GGUF checkpoints live: ``<cache_dir or cache_root()>/gguf``."""
    return (Path(cache_dir).expanduser() if cache_dir is not None else cache_root()) / "gguf"


def find_gguf_file(path: str | Path) -> Path | None:
    """The GGUF file ``path`` names, or ``None`` when ``path`` is not a GGUF source.

    A GGUF source is an existing file whose name ends in ``.gguf`` or whose first bytes are the
    GGUF magic, or an existing folder without ``config.json`` that holds ``*.gguf`` files (it must
    hold exactly one). Anything else (a hub id, a ``save_pretrained`` folder, a missing path)
    gives ``None``. Raises :class:`GGUFError` for a folder holding several GGUF files.
    """
    local = Path(path).expanduser()
    if local.is_file():
        return local.resolve() if local.suffix == ".gguf" or _has_magic(local) else None
    if not local.is_dir() or (local / "config.json").is_file():
        return None
    found = sorted(p for p in local.glob("*.gguf") if p.is_file())
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise GGUFError(f"folder {local} holds {len(found)} GGUF files ({names}); name one of them")
    return found[0].resolve() if found else None


def _has_magic(file: Path) -> bool:
    try:
        with file.open("rb") as handle:
            return handle.read(4) == GGUF_MAGIC
    except OSError:
        return False


def check_gguf_header(file: Path) -> None:
    """Cheap checks before any slow work: readable, GGUF magic bytes, a known format version."""
    try:
        with file.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise GGUFError(f"cannot read GGUF file {file}: {error}") from error
    if head[:4] != GGUF_MAGIC:
        raise GGUFError(
            f"{file} is not a GGUF file: it starts with {head[:4]!r}, not the magic {GGUF_MAGIC!r}"
        )
    version = int.from_bytes(head[4:8], "little")
    if version not in (2, 3):
        raise GGUFError(f"GGUF file {file} has format version {version}; supported are 2 and 3")


def gguf_sha256(file: str | Path, *, cache_dir: str | Path | None = None) -> str:
    """The hex SHA-256 of ``file``'s bytes, computed once per (path, size, mtime).

    Remembered in this process and in ``<gguf cache>/hashes.json`` (written atomically), so a
    second process does not re-read a multi-GB file to find its conversion.
    """
    path = Path(file).resolve()
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _HASHES:
        return _HASHES[key]
    record_file = gguf_cache_dir(cache_dir) / "hashes.json"
    records = _read_json(record_file)
    entry = records.get(str(path))
    if (
        isinstance(entry, dict)
        and entry.get("size") == stat.st_size
        and entry.get("mtime_ns") == stat.st_mtime_ns
        and isinstance(entry.get("sha256"), str)
    ):
        digest: str = entry["sha256"]
    else:
        hasher = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                hasher.update(chunk)
        digest = hasher.hexdigest()
        records[str(path)] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
        try:
            _write_json_atomic(record_file, records)
        except OSError:  # a read-only cache only costs a re-hash next time
            pass
    _HASHES[key] = digest
    return digest


def _read_json(file: Path) -> dict[str, Any]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json_atomic(file: Path, data: dict[str, Any]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def converted_dir(file: str | Path, *, cache_dir: str | Path | None = None) -> Path:
    """The directory :func:`convert_gguf` writes ``file``'s conversion to (it may not exist):
    ``<sha256 prefix>/transformers-<version>``. The converter's release is part of the key: two
    releases can turn the same file into different tokenizers (transformers 5.2 adds a BOS token
    the later ones do not), so a conversion is never reused by another release."""
    import transformers

    key = gguf_sha256(file, cache_dir=cache_dir)[:KEY_LENGTH]
    return gguf_cache_dir(cache_dir) / key / f"transformers-{transformers.__version__}"


def convert_gguf(path: str | Path, *, cache_dir: str | Path | None = None) -> Path:
    """The ``save_pretrained`` directory of the GGUF source ``path``, converted on first use.

    ``path`` is a ``.gguf`` file or a folder holding exactly one. Returns the cached directory
    (``config.json``, ``model.safetensors`` in float32, the tokenizer files with the chat template,
    and :data:`CONVERSION_RECORD`). Safe against concurrent conversions: each writes a private
    temporary folder and renames it into place; the first rename wins.
    """
    file = find_gguf_file(path)
    if file is None:
        raise GGUFError(f"{path} is neither a GGUF file nor a folder holding one")
    check_gguf_header(file)
    target = converted_dir(file, cache_dir=cache_dir)
    if (target / CONVERSION_RECORD).is_file():
        return target
    architecture = _check_metadata(file)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        start = time.perf_counter()
        _convert_into(file, tmp)
        record = {
            "source": str(file),
            "sha256": gguf_sha256(file, cache_dir=cache_dir),
            "size_bytes": file.stat().st_size,
            "architecture": architecture,
            "dtype": "float32",
            "seconds": round(time.perf_counter() - start, 3),
            "versions": _versions(),
        }
        (tmp / CONVERSION_RECORD).write_text(json.dumps(record, indent=1) + "\n", "utf-8")
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / CONVERSION_RECORD).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not target.exists():  # a failed conversion leaves no empty key folder behind
            with contextlib.suppress(OSError):
                target.parent.rmdir()
    return target


def _check_metadata(file: Path) -> str:
    """Parse the header and tensor table with the ``gguf`` package; the ``general.architecture``."""
    try:
        from gguf import GGUFReader
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise GGUFError(
            f"reading GGUF file {file} needs the 'gguf' package (pip install gguf)"
        ) from error
    try:
        reader = GGUFReader(str(file))
        field = reader.fields.get("general.architecture")
        architecture = None if field is None else bytes(field.parts[field.data[0]]).decode("utf-8")
    except Exception as error:  # the reader raises ValueError, struct.error, IndexError, ...
        raise GGUFError(f"GGUF file {file} is corrupt or truncated: {error}") from error
    if not architecture:
        raise GGUFError(f"GGUF file {file} has no 'general.architecture' metadata")
    return architecture


def _convert_into(file: Path, out: Path) -> None:
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # Releases with GgufConfig may keep GGUF weights packed (when the `kernels` package is
    # present) unless told to dequantize; the older ones always dequantize.
    gguf_config = getattr(transformers, "GgufConfig", None)
    options = {} if gguf_config is None else {"quantization_config": gguf_config(dequantize=True)}
    folder, name = str(file.parent), file.name
    try:
        # the model first: an unsupported architecture fails there, before the slow tokenizer
        model = AutoModelForCausalLM.from_pretrained(
            folder, gguf_file=name, dtype=torch.float32, **options
        )
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    except Exception as error:  # transformers raises ValueError/KeyError/RuntimeError here
        raise GGUFError(f"transformers cannot load GGUF file {file}: {error}") from error
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None:  # the weights are dense now; drop the GGUF bookkeeping to save
        quantizer.remove_quantization_config(model)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _versions() -> dict[str, str]:
    import gguf
    import transformers

    from steerbound import __version__

    try:
        from importlib.metadata import version

        gguf_version = version("gguf")
    except Exception:  # pragma: no cover - metadata missing
        gguf_version = str(getattr(gguf, "__version__", "unknown"))
    return {
        "steerbound": __version__,
        "transformers": transformers.__version__,
        "gguf": gguf_version,
    }
