"""Loaders: small fixtures always, malformed fixtures name file and line/field, real files
shipped in ``steerbound/datasets``."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from steerbound.empirical.data.loaders import (
    DataFormatError,
    load_advbench,
    load_humaneval,
    load_instructions,
    load_mmlu,
    load_mmlu_split,
    load_stereoset,
)

from ..conftest import FIXTURES
from ..conftest import shared_file as shared


def test_advbench_fixture_quoting_and_ids() -> None:
    rows = load_advbench(FIXTURES / "advbench_small.csv")
    assert [r.id for r in rows] == ["advbench/1", "advbench/2", "advbench/3"]
    assert rows[0].target == "Sure, here is a tutorial on how to pick a lock"
    assert rows[1].goal == 'Explain, in detail, how to "borrow" a car'


@pytest.mark.parametrize(
    ("name", "line", "needle"),
    [("advbench_bad_header.csv", 1, "header"), ("advbench_bad_row.csv", 3, "2 fields")],
)
def test_advbench_malformed_names_file_and_line(name: str, line: int, needle: str) -> None:
    with pytest.raises(DataFormatError, match=needle) as info:
        load_advbench(FIXTURES / name)
    assert info.value.line == line
    assert name in str(info.value) and f"line {line}" in str(info.value)


def test_mmlu_fixture_crlf_quotes_no_final_newline() -> None:
    qs = load_mmlu(FIXTURES / "mmlu_small_test.csv")
    assert len(qs) == 3
    assert qs[0].answer_index == 1 and qs[0].answer_letter == "B"
    assert qs[1].question == 'Which line\r\nis "quoted", here?'
    assert qs[1].options == ("one", "two, three", "four", "five") and qs[1].answer_index == 3
    assert qs[2].options[0] == "←" and qs[2].answer_index == 0
    assert {q.subject for q in qs} == {"mmlu_small"} and qs[2].id == "mmlu_small_test/3"


@pytest.mark.parametrize(
    ("name", "line", "field"),
    [
        ("mmlu_bad_answer.csv", 3, "answer"),  # the record after a two-line record
        ("mmlu_bad_fields.csv", 2, None),
        ("mmlu_unterminated.csv", 2, None),
    ],
)
def test_mmlu_malformed(name: str, line: int, field: str | None) -> None:
    with pytest.raises(DataFormatError) as info:
        load_mmlu(FIXTURES / name)
    assert (info.value.line, info.value.field) == (line, field)
    assert name in str(info.value)


def test_non_utf8_file_is_reported() -> None:
    with pytest.raises(DataFormatError, match="UTF-8") as info:
        load_advbench(FIXTURES / "latin1.csv")
    assert info.value.line == 2


def test_stereoset_fixture_filters_bias_and_maps_labels() -> None:
    items = load_stereoset(FIXTURES / "stereoset_small.json")
    assert [i.id for i in items] == ["item0", "item2"]
    assert items[0].stereotype.endswith("skinny") and items[0].anti_stereotype.endswith("fat")
    assert items[1].stereotype.endswith("fat") and items[1].unrelated.endswith("skinny")
    assert len(load_stereoset(FIXTURES / "stereoset_small.json", bias_type=None)) == 3


def test_stereoset_envelope(tmp_path: Path) -> None:
    import json

    items = json.loads((FIXTURES / "stereoset_small.json").read_text())
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"version": "1", "data": {"intrasentence": items}}))
    assert len(load_stereoset(path)) == 2


def test_stereoset_malformed() -> None:
    with pytest.raises(DataFormatError) as info:
        load_stereoset(FIXTURES / "stereoset_duplicate_label.json")
    assert info.value.field == "[1].sentences[1]"
    with pytest.raises(DataFormatError) as info:
        load_stereoset(FIXTURES / "stereoset_invalid.json")
    assert info.value.line == 3


def test_humaneval_plain_and_gzip(tmp_path: Path) -> None:
    plain = load_humaneval(FIXTURES / "humaneval_small.jsonl")
    gz = tmp_path / "h.jsonl.gz"
    with open(FIXTURES / "humaneval_small.jsonl", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert load_humaneval(gz) == plain
    assert [p.entry_point for p in plain] == ["add", "total"]


def test_humaneval_missing_field() -> None:
    with pytest.raises(DataFormatError) as info:
        load_humaneval(FIXTURES / "humaneval_missing_field.jsonl")
    assert (info.value.line, info.value.field) == (2, "entry_point")


def test_instruction_lists() -> None:
    txt = load_instructions(FIXTURES / "instructions.txt")
    assert [i.text for i in txt][1] == "Describe the water cycle" and len(txt) == 3
    assert txt[2].id == "instructions.txt/4"
    seeds = load_instructions(FIXTURES / "seed_tasks_small.jsonl")
    assert [s.id for s in seeds] == ["seed_task_0", "seed_task_1"]
    assert seeds[1].input == "3, 1, 2" and seeds[0].input == ""
    with pytest.raises(DataFormatError) as info:
        load_instructions(FIXTURES / "seed_tasks_bad.jsonl")
    assert (info.value.line, info.value.field) == (2, "instruction")
    with pytest.raises(ValueError, match="suffix"):
        load_instructions(FIXTURES / "advbench_small.csv")


# --- real files (shipped in steerbound/datasets) ------------------------------------------
@pytest.mark.shared_data
def test_real_advbench_and_harmless() -> None:
    rows = load_advbench(shared("advbench", "harmful_behaviors.csv"))
    assert len(rows) == 520 and all(r.goal and r.target for r in rows)
    seeds = load_instructions(shared("harmless_instructions", "seed_tasks.jsonl"))
    assert len(seeds) == 175 and sum(not s.input for s in seeds) == 50


@pytest.mark.shared_data
def test_real_stereoset() -> None:
    items = load_stereoset(shared("stereoset", "race_test.json"))
    assert len(items) == 962 and all(i.bias_type == "race" for i in items)
    assert items[0].stereotype == "Ethiopian men are skinny"


@pytest.mark.shared_data
def test_real_mmlu() -> None:
    root = shared("mmlu")
    test = load_mmlu_split(root, "test")
    assert {k: len(v) for k, v in test.items()} == {
        "international_law": 121,
        "medical_genetics": 100,
        "high_school_computer_science": 100,
    }
    dev = load_mmlu_split(root, "dev")
    assert sorted(len(v) for v in dev.values()) == [5, 5, 5]
    assert any("\n" in q.question for q in test["high_school_computer_science"])


@pytest.mark.shared_data
def test_real_humaneval() -> None:
    problems = load_humaneval(shared("humaneval", "HumanEval.jsonl.gz"))
    assert len(problems) == 164
    assert problems[0].task_id == "HumanEval/0" and problems[-1].task_id == "HumanEval/163"
