"""The evaluation data shipped in steerbound.datasets: manifest, hash check, default loaders."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

import steerbound.datasets as shipped
from steerbound.empirical.data import loaders as data


def test_manifest_lists_every_data_file_with_its_hash() -> None:
    files = {
        p.relative_to(shipped.ROOT).as_posix()
        for p in shipped.ROOT.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc", ".md") and p.name != "MANIFEST.json"
    }
    manifest = shipped.manifest()
    assert files == set(manifest)
    for relative, entry in manifest.items():
        raw = (shipped.ROOT / relative).read_bytes()
        assert entry["sha256"] == hashlib.sha256(raw).hexdigest(), relative
        assert entry["size"] == len(raw)
        assert entry["license"] and entry["source"]
        assert (shipped.ROOT / entry["provenance"]).is_file()
    assert set(shipped.DATASETS.values()) <= set(manifest)


def test_dataset_path_names_and_manifest_paths() -> None:
    assert shipped.dataset_path("advbench").name == "harmful_behaviors.csv"
    same = shipped.dataset_path("mmlu/test/international_law_test.csv")
    assert same == shipped.dataset_path("mmlu-international_law")
    with pytest.raises(KeyError, match="known names"):
        shipped.dataset_path("no-such-set")


def test_hash_mismatch_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = tmp_path / "datasets"
    shutil.copytree(shipped.ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    target = root / "advbench" / "harmful_behaviors.csv"
    target.write_bytes(target.read_bytes().replace(b"bomb", b"BOMB", 1))
    monkeypatch.setattr(shipped, "ROOT", root)
    monkeypatch.setattr(shipped, "_VERIFIED", set())
    with pytest.raises(shipped.DatasetIntegrityError, match=r"harmful_behaviors\.csv"):
        shipped.dataset_path("advbench")
    with pytest.raises(shipped.DatasetIntegrityError, match=r"harmful_behaviors\.csv"):
        data.load_advbench()
    (root / "piqa" / "valid.jsonl").unlink()
    with pytest.raises(FileNotFoundError, match=r"valid\.jsonl"):
        shipped.dataset_path("piqa")


def test_default_loaders_read_the_shipped_files() -> None:
    assert len(data.load_advbench()) == 520
    assert len(data.load_instructions()) == 175
    assert len(data.load_stereoset()) == 962
    assert len(data.load_humaneval()) == 164
    assert {k: len(v) for k, v in data.load_mmlu_split().items()} == {
        "international_law": 121,
        "medical_genetics": 100,
        "high_school_computer_science": 100,
    }
    assert sum(len(v) for v in data.load_mmlu_split(split="dev").values()) == 15


def test_arc_easy() -> None:
    questions = data.load_arc_easy()
    assert len(questions) == 2376
    first = questions[0]
    assert first.id == "Mercury_417466" and first.answer_index == 0 and len(first.options) == 4
    assert {len(q.options) for q in questions} == {3, 4, 5}
    assert all(0 <= q.answer_index < len(q.options) for q in questions)
    # the rows labelled 1-4 map their answerKey by position, like the lettered ones
    genes = next(q for q in questions if q.id == "NYSEDREGENTS_2010_8_13")  # answerKey "2"
    assert genes.options[genes.answer_index] == "DNA" and genes.answer_letter == "B"


def test_piqa() -> None:
    questions = data.load_piqa()
    assert len(questions) == 1838
    assert sum(q.answer_index for q in questions) == 928  # 910 zeros, 928 ones
    assert questions[0].options[0].startswith("Provide the guinea pig")
    assert questions[0].answer_index == 0


def test_piqa_label_count_mismatch(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text('{"goal": "g", "sol1": "a", "sol2": "b"}\n')
    (tmp_path / "x-labels.lst").write_text("0\n1\n")
    with pytest.raises(data.DataFormatError, match=r"x-labels\.lst"):
        data.load_piqa(tmp_path / "x.jsonl")
    (tmp_path / "x-labels.lst").write_text("2\n")
    with pytest.raises(data.DataFormatError, match="expected 0 or 1"):
        data.load_piqa(tmp_path / "x.jsonl")


def test_arc_bad_answer_key(tmp_path: Path) -> None:
    bad = tmp_path / "arc.jsonl"
    bad.write_text(
        '{"id": "q", "question": {"stem": "s", "choices": [{"text": "a", "label": "A"}, '
        '{"text": "b", "label": "B"}]}, "answerKey": "C"}\n'
    )
    with pytest.raises(data.DataFormatError, match="answerKey"):
        data.load_arc_easy(bad)


def test_package_data_patterns_cover_every_shipped_file() -> None:
    """pyproject's package-data for steerbound.datasets includes every file (non-editable
    installs: ``pip wheel .`` lists them)."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    pyproject = Path(__file__).resolve().parents[3] / "pyproject.toml"
    patterns = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"][
        "steerbound.datasets"
    ]
    files = [*shipped.manifest(), "MANIFEST.json", "README.md"]
    files += [p.relative_to(shipped.ROOT).as_posix() for p in shipped.ROOT.glob("*/SOURCE.md")]
    globbed = {
        p.relative_to(shipped.ROOT).as_posix() for g in patterns for p in shipped.ROOT.glob(g)
    }
    assert set(files) <= globbed, sorted(set(files) - globbed)
