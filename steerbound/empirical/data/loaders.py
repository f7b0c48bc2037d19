"""Loaders for the evaluation files of the empirical layer (no network, no hub).

Every loader defaults to the copy shipped in :mod:`steerbound.datasets` (hash-checked at first
use); pass a path to read your own file of the same format. Formats (see
``steerbound/datasets/README.md``):

* AdvBench ``harmful_behaviors.csv``: CSV with the header ``goal,target``.
* StereoSet ``race_test.json``: a JSON array of intrasentence items (or dev.json's envelope
  ``{"data": {"intrasentence": [...]}}``); each item has three ``sentences`` with gold labels
  ``stereotype``, ``anti-stereotype`` and ``unrelated``.
* MMLU ``<subject>_<split>.csv``: CSV **without** header, 6 fields ``question,A,B,C,D,answer``,
  RFC 4180 quoting (fields may hold newlines), LF or CRLF, final newline optional.
* HumanEval ``HumanEval.jsonl.gz``: JSON Lines (gzip or plain), string fields ``task_id``,
  ``prompt``, ``canonical_solution``, ``test``, ``entry_point``.
* Instruction lists: ``.txt`` (one instruction per line, blank lines skipped) or ``.jsonl`` with an
  ``instruction`` field (Self-Instruct ``seed_tasks.jsonl``).
* ARC ``ARC-Easy-Test.jsonl``: JSON Lines ``{"id", "question": {"stem", "choices": [{"text",
  "label"}, ...]}, "answerKey"}``; labels are letters or digits, the answer is
  ``labels.index(answerKey)``.
* PIQA ``valid.jsonl`` (``goal``, ``sol1``, ``sol2``) with ``valid-labels.lst`` (one ``0``/``1``
  per line, line ``i`` labels object ``i``; ``0``: ``sol1`` is correct).

Every malformed file raises :class:`DataFormatError` (a ``ValueError``) naming the file and the
1-based line number and/or the field. Line numbers of CSV records are those of the record's
first physical line. The format readers are in :mod:`steerbound.empirical.data.readers`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steerbound.datasets import MMLU_SUBJECTS, dataset_path
from steerbound.empirical.data.readers import (
    DataFormatError,
    csv_records,
    jsonl_objects,
    read_text,
    string_field,
)

LETTERS = "ABCDEFGHIJ"
STEREOSET_LABELS = ("stereotype", "anti-stereotype", "unrelated")
HUMANEVAL_FIELDS = ("task_id", "prompt", "canonical_solution", "test", "entry_point")


@dataclass(frozen=True)
class HarmfulRequest:
    """One AdvBench row: the harmful ``goal`` and the attack's affirmative ``target`` opening."""

    goal: str
    target: str
    id: str


@dataclass(frozen=True)
class Instruction:
    """A harmless instruction; ``input`` is the Self-Instruct instance input ("" if none)."""

    text: str
    id: str
    input: str = ""


@dataclass(frozen=True)
class StereoSetItem:
    """A StereoSet intrasentence item: its context and the three completed sentences."""

    id: str
    target: str
    bias_type: str
    context: str
    stereotype: str
    anti_stereotype: str
    unrelated: str


@dataclass(frozen=True)
class MCQuestion:
    """A multiple-choice question; ``answer_index`` indexes ``options`` (0 = ``A``)."""

    question: str
    options: tuple[str, ...]
    answer_index: int
    subject: str
    id: str

    @property
    def answer_letter(self) -> str:
        return LETTERS[self.answer_index]


@dataclass(frozen=True)
class HumanEvalProblem:
    """A HumanEval problem; ``test`` defines ``check(candidate)``."""

    task_id: str
    prompt: str
    canonical_solution: str
    test: str
    entry_point: str


def load_advbench(path: str | Path | None = None) -> list[HarmfulRequest]:
    """AdvBench ``harmful_behaviors.csv`` (header ``goal,target``); ids ``advbench/<row>``.

    ``path=None``: the shipped copy (520 requests)."""
    path = dataset_path("advbench") if path is None else Path(path)
    records = csv_records(path)
    first = next(records, None)
    if first is None or [c.strip() for c in first[1]] != ["goal", "target"]:
        got = None if first is None else first[1]
        raise DataFormatError(path, f"expected the header 'goal,target', got {got!r}", line=1)
    requests = []
    for row_number, (line, row) in enumerate(records, start=1):
        if len(row) != 2:
            raise DataFormatError(
                path, f"expected 2 fields (goal,target), got {len(row)}", line=line
            )
        if not row[0].strip():
            raise DataFormatError(path, "empty goal", line=line, field="goal")
        requests.append(HarmfulRequest(goal=row[0], target=row[1], id=f"advbench/{row_number}"))
    return requests


def load_mmlu(path: str | Path, subject: str | None = None) -> list[MCQuestion]:
    """An MMLU CSV (no header; ``question,A,B,C,D,answer``).

    ``subject`` defaults to the file name without its ``_test``/``_dev``/``_val`` suffix; ids are
    ``<file stem>/<row>`` (1-based).
    """
    path = Path(path)
    stem = path.name.removesuffix(".csv")
    if subject is None:
        subject = stem
        for suffix in ("_test", "_dev", "_val"):
            subject = subject.removesuffix(suffix)
    questions = []
    for row_number, (line, row) in enumerate(csv_records(path), start=1):
        if len(row) != 6:
            raise DataFormatError(
                path, f"expected 6 fields (question,A,B,C,D,answer), got {len(row)}", line=line
            )
        answer = row[5].strip()
        if answer not in tuple(LETTERS[:4]):
            raise DataFormatError(
                path, f"answer must be one of A, B, C, D, got {row[5]!r}", line=line, field="answer"
            )
        questions.append(
            MCQuestion(
                question=row[0],
                options=tuple(row[1:5]),
                answer_index=LETTERS.index(answer),
                subject=subject,
                id=f"{stem}/{row_number}",
            )
        )
    if not questions:
        raise DataFormatError(path, "no questions")
    return questions


def load_mmlu_split(
    root: str | Path | None = None, split: str = "test", subjects: tuple[str, ...] | None = None
) -> dict[str, list[MCQuestion]]:
    """All ``<root>/<split>/<subject>_<split>.csv`` files (or the named ``subjects``).

    ``root=None``: the shipped subjects (``split`` ``"test"`` or ``"dev"``)."""
    if root is None:
        names = MMLU_SUBJECTS if subjects is None else subjects
        return {s: load_mmlu(dataset_path(f"mmlu/{split}/{s}_{split}.csv")) for s in names}
    folder = Path(root) / split
    if subjects is None:
        files = sorted(folder.glob(f"*_{split}.csv"))
        if not files:
            raise FileNotFoundError(f"no '*_{split}.csv' files in {folder}")
    else:
        files = [folder / f"{s}_{split}.csv" for s in subjects]
    return {f.name.removesuffix(f"_{split}.csv"): load_mmlu(f) for f in files}


def _stereoset_items(path: Path) -> list[Any]:
    try:
        doc = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"invalid JSON ({exc.msg})", line=exc.lineno) from exc
    if isinstance(doc, dict):  # dev.json envelope
        try:
            doc = doc["data"]["intrasentence"]
        except (KeyError, TypeError) as exc:
            raise DataFormatError(
                path, "expected a list of items", field="data.intrasentence"
            ) from exc
    if not isinstance(doc, list):
        raise DataFormatError(path, "expected a JSON array of items")
    return doc


def load_stereoset(
    path: str | Path | None = None, bias_type: str | None = "race"
) -> list[StereoSetItem]:
    """StereoSet intrasentence items of ``bias_type`` (``None``: all), in file order.

    ``path=None``: the shipped race items (962). Fields are named ``[<item index>].<field>`` in
    errors (0-based item index).
    """
    path = dataset_path("stereoset_race") if path is None else Path(path)
    items = []
    for index, raw in enumerate(_stereoset_items(path)):
        where = f"[{index}]"
        if not isinstance(raw, dict):
            raise DataFormatError(path, "expected an object", field=where)
        fields = {k: raw.get(k) for k in ("id", "target", "bias_type", "context")}
        for key, value in fields.items():
            if not isinstance(value, str):
                raise DataFormatError(path, "missing or not a string", field=f"{where}.{key}")
        if bias_type is not None and fields["bias_type"] != bias_type:
            continue
        sentences = raw.get("sentences")
        if not isinstance(sentences, list):
            raise DataFormatError(path, "missing or not a list", field=f"{where}.sentences")
        by_label: dict[str, str] = {}
        for j, sent in enumerate(sentences):
            label = sent.get("gold_label") if isinstance(sent, dict) else None
            text = sent.get("sentence") if isinstance(sent, dict) else None
            if label not in STEREOSET_LABELS or not isinstance(text, str) or label in by_label:
                raise DataFormatError(
                    path,
                    f"need a 'sentence' string and a distinct gold_label in {STEREOSET_LABELS}",
                    field=f"{where}.sentences[{j}]",
                )
            by_label[label] = text
        missing = [lab for lab in STEREOSET_LABELS if lab not in by_label]
        if missing:
            raise DataFormatError(
                path, f"no sentence labelled {missing}", field=f"{where}.sentences"
            )
        items.append(
            StereoSetItem(
                id=str(fields["id"]),
                target=str(fields["target"]),
                bias_type=str(fields["bias_type"]),
                context=str(fields["context"]),
                stereotype=by_label["stereotype"],
                anti_stereotype=by_label["anti-stereotype"],
                unrelated=by_label["unrelated"],
            )
        )
    return items


def load_humaneval(path: str | Path | None = None) -> list[HumanEvalProblem]:
    """HumanEval problems from a JSON Lines file, gzip-compressed (detected) or plain.

    ``path=None``: the shipped copy (164 problems)."""
    path = dataset_path("humaneval") if path is None else Path(path)
    problems = []
    for line, obj in jsonl_objects(path):
        values = {name: string_field(path, obj, name, line) for name in HUMANEVAL_FIELDS}
        problems.append(HumanEvalProblem(**values))
    if not problems:
        raise DataFormatError(path, "no problems")
    return problems


def load_instructions(path: str | Path | None = None) -> list[Instruction]:
    """Instructions from ``.txt`` (one per non-blank line) or ``.jsonl`` (``instruction`` field).

    ``path=None``: the shipped Self-Instruct seed tasks (175). For Self-Instruct objects,
    ``input`` is ``instances[0].input`` when present and ``id`` the object's ``id``; otherwise ids
    are ``<file name>/<line>``.
    """
    path = dataset_path("harmless_instructions") if path is None else Path(path)
    out: list[Instruction] = []
    if path.suffix == ".txt":
        for number, text in enumerate(read_text(path).split("\n"), start=1):
            if text.strip():
                out.append(Instruction(text=text.strip(), id=f"{path.name}/{number}"))
    elif path.suffix in (".jsonl", ".gz"):
        for line, obj in jsonl_objects(path):
            text = string_field(path, obj, "instruction", line).strip()
            if not text:
                raise DataFormatError(path, "empty instruction", line=line, field="instruction")
            instances = obj.get("instances") or [{}]
            first = instances[0] if isinstance(instances, list) and instances else None
            if not isinstance(first, dict) or not isinstance(first.get("input", ""), str):
                raise DataFormatError(
                    path, "expected [{'input': str, ...}]", line=line, field="instances"
                )
            ident = obj.get("id")
            out.append(
                Instruction(
                    text=text,
                    id=ident if isinstance(ident, str) else f"{path.name}/{line}",
                    input=first.get("input", ""),
                )
            )
    else:
        raise ValueError(
            f"{path}: unsupported instruction-list suffix {path.suffix!r} (expected .txt or .jsonl)"
        )
    if not out:
        raise DataFormatError(path, "no instructions")
    return out


def load_arc_easy(path: str | Path | None = None) -> list[MCQuestion]:
    """ARC questions (JSON Lines, AI2's schema) as :class:`MCQuestion` records, in file order.

    ``path=None``: the shipped ARC-Easy test split (2,376 questions; 3 to 5 choices). Options keep
    the file's choice order; ``answer_index`` is ``labels.index(answerKey)`` (labels may be
    ``A``-``E`` or ``1``-``4``); ``subject`` is ``"arc_easy"``; ``id`` the question's ``id``.
    """
    path = dataset_path("arc_easy") if path is None else Path(path)
    questions = []
    for line, obj in jsonl_objects(path):
        ident = string_field(path, obj, "id", line)
        question = obj.get("question")
        if not isinstance(question, dict):
            raise DataFormatError(path, "missing or not an object", line=line, field="question")
        stem = string_field(path, question, "stem", line)
        choices = question.get("choices")
        if not isinstance(choices, list) or not 2 <= len(choices) <= len(LETTERS):
            raise DataFormatError(
                path, f"expected 2 to {len(LETTERS)} choices", line=line, field="question.choices"
            )
        texts, labels = [], []
        for j, choice in enumerate(choices):
            where = f"question.choices[{j}]"
            if not isinstance(choice, dict):
                raise DataFormatError(path, "expected an object", line=line, field=where)
            texts.append(string_field(path, choice, "text", line))
            labels.append(string_field(path, choice, "label", line))
        key = string_field(path, obj, "answerKey", line)
        if key not in labels or len(set(labels)) != len(labels):
            raise DataFormatError(
                path,
                f"answerKey {key!r} is not one of the distinct labels {labels}",
                line=line,
                field="answerKey",
            )
        questions.append(
            MCQuestion(
                question=stem,
                options=tuple(texts),
                answer_index=labels.index(key),
                subject="arc_easy",
                id=ident,
            )
        )
    if not questions:
        raise DataFormatError(path, "no questions")
    return questions


def load_piqa(path: str | Path | None = None, labels: str | Path | None = None) -> list[MCQuestion]:
    """PIQA two-choice questions as :class:`MCQuestion` records (``options = (sol1, sol2)``).

    ``path=None``: the shipped validation split (1,838 questions) and its labels. ``labels``
    defaults to ``valid-labels.lst`` beside ``path`` (``<stem>-labels.lst``); line ``i`` (``0`` or
    ``1``) is the answer index of object ``i``. Texts are kept as in the file (some solutions have
    leading or trailing spaces); ids are ``piqa/<line>``.
    """
    if path is None:
        path = dataset_path("piqa")
        labels = dataset_path("piqa_labels") if labels is None else labels
    path = Path(path)
    labels_path = Path(labels) if labels is not None else path.with_name(f"{path.stem}-labels.lst")
    answers = [
        (number, text.strip())
        for number, text in enumerate(read_text(labels_path).split("\n"), start=1)
        if text.strip()
    ]
    for number, text in answers:
        if text not in ("0", "1"):
            raise DataFormatError(labels_path, f"expected 0 or 1, got {text!r}", line=number)
    questions = []
    for index, (line, obj) in enumerate(jsonl_objects(path)):
        goal = string_field(path, obj, "goal", line)
        options = (string_field(path, obj, "sol1", line), string_field(path, obj, "sol2", line))
        if index >= len(answers):
            raise DataFormatError(
                labels_path, f"has {len(answers)} labels but {path.name} has more questions"
            )
        questions.append(
            MCQuestion(
                question=goal,
                options=options,
                answer_index=int(answers[index][1]),
                subject="piqa",
                id=f"piqa/{line}",
            )
        )
    if not questions:
        raise DataFormatError(path, "no questions")
    if len(answers) != len(questions):
        raise DataFormatError(
            labels_path, f"has {len(answers)} labels for {len(questions)} questions in {path.name}"
        )
    return questions
