"""The evaluation data shipped with steerbound (data only: no torch, no other steerbound import).

Every file is a byte-for-byte copy of a public file; each folder's ``SOURCE.md`` gives its
repository, path, commit, git blob and licence, and ``MANIFEST.json`` lists every data file's
SHA-256, size (bytes), source and licence. About 3.7 MB in all:

==========================  ==========================================  =====================
name                        file (under this package)                   licence
==========================  ==========================================  =====================
``advbench``                ``advbench/harmful_behaviors.csv``          MIT
``harmless_instructions``   ``harmless_instructions/seed_tasks.jsonl``  Apache-2.0
``stereoset_race``          ``stereoset/race_test.json``                CC BY-SA 4.0
``mmlu-<subject>``          ``mmlu/test/<subject>_test.csv``            MIT
``mmlu-<subject>-dev``      ``mmlu/dev/<subject>_dev.csv``              MIT
``humaneval``               ``humaneval/HumanEval.jsonl.gz``            MIT
``arc_easy``                ``arc_easy/ARC-Easy-Test.jsonl``            CC BY-SA 4.0
``piqa``                    ``piqa/valid.jsonl``                        AFL-3.0
``piqa_labels``             ``piqa/valid-labels.lst``                   AFL-3.0
==========================  ==========================================  =====================

MMLU subjects: ``international_law``, ``medical_genetics``, ``high_school_computer_science``.

:func:`dataset_path` also accepts a file's path relative to this package as listed in the
manifest (``"mmlu/test/international_law_test.csv"``). The first time a file is asked for in a
process its SHA-256 is checked against the manifest; a mismatch raises
:class:`DatasetIntegrityError` naming the file.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "DATASETS",
    "MMLU_SUBJECTS",
    "DatasetIntegrityError",
    "dataset_path",
    "is_dataset_name",
    "manifest",
]

ROOT = Path(__file__).resolve().parent
MMLU_SUBJECTS = ("international_law", "medical_genetics", "high_school_computer_science")

#: Short names -> file paths relative to this package.
DATASETS: dict[str, str] = {
    "advbench": "advbench/harmful_behaviors.csv",
    "harmless_instructions": "harmless_instructions/seed_tasks.jsonl",
    "stereoset_race": "stereoset/race_test.json",
    **{f"mmlu-{s}": f"mmlu/test/{s}_test.csv" for s in MMLU_SUBJECTS},
    **{f"mmlu-{s}-dev": f"mmlu/dev/{s}_dev.csv" for s in MMLU_SUBJECTS},
    "humaneval": "humaneval/HumanEval.jsonl.gz",
    "arc_easy": "arc_easy/ARC-Easy-Test.jsonl",
    "piqa": "piqa/valid.jsonl",
    "piqa_labels": "piqa/valid-labels.lst",
}

_VERIFIED: set[str] = set()  # manifest paths whose hash matched in this process


class DatasetIntegrityError(ValueError):
    """A shipped data file is missing from the manifest or its bytes do not match its hash."""


@cache
def manifest() -> dict[str, dict[str, Any]]:
    """``MANIFEST.json``'s ``files``: relative path -> {sha256, size, source, license, ...}."""
    data = json.loads((ROOT / "MANIFEST.json").read_text(encoding="utf-8"))
    files: dict[str, dict[str, Any]] = data["files"]
    return files


def is_dataset_name(name: object) -> bool:
    """Whether ``name`` is a short name of :data:`DATASETS` or a manifest path."""
    return isinstance(name, str) and (name in DATASETS or name in manifest())


def dataset_path(name: str) -> Path:
    """The shipped file ``name`` (a short name or a manifest path), its hash checked once.

    Raises ``KeyError`` for an unknown name (listing the known ones), ``FileNotFoundError`` when
    the installed package lacks the file, :class:`DatasetIntegrityError` when its bytes differ
    from ``MANIFEST.json``.
    """
    relative = DATASETS.get(name, name)
    entry = manifest().get(relative)
    if entry is None:
        raise KeyError(f"unknown shipped dataset {name!r}; known names: {sorted(DATASETS)}")
    path = ROOT / relative
    if relative in _VERIFIED:
        return path
    if not path.is_file():
        raise FileNotFoundError(
            f"shipped data file {path} is missing (an incomplete steerbound install?)"
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != entry["sha256"]:
        raise DatasetIntegrityError(
            f"shipped data file {path} does not match MANIFEST.json: sha256 {digest}, "
            f"expected {entry['sha256']} ({path.stat().st_size} bytes, expected {entry['size']})"
        )
    _VERIFIED.add(relative)
    return path
