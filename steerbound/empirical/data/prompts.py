"""Prompt templates and contrast-pair builders (the paper's templates, see docs/empirical.md).

Sign convention (docs/conventions.md): ``ContrastPair.positive`` is the example of the behavior the
vector is built to induce, so ``+v`` points towards the positives. The builders take the positive
side as a required keyword so that the sign is always chosen explicitly.

Plain templates (no chat template):

* harmful/harmless request: ``Request: Can you {instruction}? Answer:``
* statement: ``Question: Consider the statement: {statement} Answer:`` followed, in bias pairs,
  by `` The statement is false and racist.`` (disagree) or `` 100%`` (agree)
* MMLU: ``{question}\\nA) {A}.\\nB) {B}.\\nC) {C}.\\nD) {D}.\\nThe answer is`` (never chat)

With ``use_chat_template=True`` (or ``None`` and the tokenizer has a chat template), the question
part becomes the user message, ``tokenizer.apply_chat_template(..., add_generation_prompt=True)``
renders it, and any answer text is appended after the generation prompt (the assistant's turn).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from steerbound.empirical.data.loaders import LETTERS, MCQuestion

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


REQUEST_TEMPLATE = "Request: Can you {instruction}? Answer:"
REQUEST_USER_TEMPLATE = "Can you {instruction}?"
STATEMENT_TEMPLATE = "Question: Consider the statement: {statement} Answer:"
STATEMENT_USER_TEMPLATE = "Consider the statement: {statement}"
DISAGREE_ANSWER = "The statement is false and racist."
AGREE_ANSWER = "100%"
MMLU_ANSWER_CUE = "The answer is"
DEFAULT_REFUSAL = "I'm sorry, but I cannot help with that request."

__all__ = [
    "ContrastPair",
    "bias_pairs",
    "harmfulness_pairs",
    "mmlu_prompt",
    "request_prompt",
    "response_pairs",
    "statement_prompt",
]


@dataclass(frozen=True)
class ContrastPair:
    """A (positive, negative) pair of prompts; ``+v`` points towards ``positive``."""

    positive: str
    negative: str

    def __iter__(self) -> Iterator[str]:
        """Unpack as ``positive, negative = pair``."""
        return iter((self.positive, self.negative))


def has_chat_template(tokenizer: PreTrainedTokenizerBase) -> bool:
    """Whether ``tokenizer`` defines a chat template."""
    return bool(getattr(tokenizer, "chat_template", None))


def _use_chat(tokenizer: PreTrainedTokenizerBase | None, use_chat_template: bool | None) -> bool:
    if use_chat_template is None:
        return tokenizer is not None and has_chat_template(tokenizer)
    if use_chat_template and (tokenizer is None or not has_chat_template(tokenizer)):
        raise ValueError("use_chat_template=True but the tokenizer has no chat template")
    return use_chat_template


def render_chat(tokenizer: PreTrainedTokenizerBase | None, user: str, answer: str = "") -> str:
    """The chat-templated prompt for one user message, with ``answer`` opening the reply."""
    if tokenizer is None:
        raise ValueError("a chat-templated prompt needs a tokenizer")
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": user}], tokenize=False, add_generation_prompt=True
    )
    if not isinstance(text, str):
        raise ValueError("apply_chat_template(tokenize=False) did not return a string")
    return text + answer


def normalize_instruction(instruction: str) -> str:
    """Fit an instruction into ``Can you {instruction}?``.

    Strips whitespace and trailing ``.?!``, and lower-cases the first letter unless the first word
    looks like an acronym or a name written in capitals (second letter upper case, or ``I``).
    """
    text = instruction.strip().rstrip(".?! ")
    if not text:
        raise ValueError("instruction is empty")
    first = text.split()[0]
    if first != "I" and not (len(first) > 1 and first[1].isupper()):
        text = text[0].lower() + text[1:]
    return text


def request_prompt(
    instruction: str,
    tokenizer: PreTrainedTokenizerBase | None = None,
    *,
    use_chat_template: bool | None = None,
) -> str:
    """``Request: Can you {instruction}? Answer:`` (or its chat-templated form)."""
    instruction = normalize_instruction(instruction)
    if _use_chat(tokenizer, use_chat_template):
        return render_chat(tokenizer, REQUEST_USER_TEMPLATE.format(instruction=instruction))
    return REQUEST_TEMPLATE.format(instruction=instruction)


def statement_prompt(
    statement: str,
    tokenizer: PreTrainedTokenizerBase | None = None,
    *,
    answer: str = "",
    use_chat_template: bool | None = None,
) -> str:
    """``Question: Consider the statement: {statement} Answer:`` + `` {answer}`` if given."""
    statement = statement.strip()
    if not statement:
        raise ValueError("statement is empty")
    if _use_chat(tokenizer, use_chat_template):
        return render_chat(tokenizer, STATEMENT_USER_TEMPLATE.format(statement=statement), answer)
    prompt = STATEMENT_TEMPLATE.format(statement=statement)
    return f"{prompt} {answer}" if answer else prompt


def mmlu_prompt(question: MCQuestion) -> str:
    """The paper's MMLU prompt (no chat template), for 2 to 10 options.

    Options are stripped and get a final ``.`` unless they already end with one (the published
    template would write ``..``).
    """
    if not 2 <= len(question.options) <= len(LETTERS):
        raise ValueError(f"question {question.id}: need 2..{len(LETTERS)} options")
    lines = [question.question]
    for letter, option in zip(LETTERS, question.options, strict=False):
        option = option.strip()
        lines.append(f"{letter}) {option}" if option.endswith(".") else f"{letter}) {option}.")
    lines.append(MMLU_ANSWER_CUE)
    return "\n".join(lines)


def harmfulness_pairs(
    harmful: Sequence[str],
    harmless: Sequence[str],
    *,
    positive: Literal["harmful", "harmless"],
    tokenizer: PreTrainedTokenizerBase | None = None,
    use_chat_template: bool | None = None,
) -> list[ContrastPair]:
    """Pairs of the request template filled with ``harmful[i]`` and ``harmless[i]``.

    ``positive="harmful"`` gives a vector pointing from harmless to harmful requests (adding it
    tends to induce refusal, the base model's "harmless" behavior); ``positive="harmless"`` the
    opposite (the chat model's "harmful" setting). Both lists must have the same length.
    """
    if len(harmful) != len(harmless):
        raise ValueError(
            f"harmful and harmless must have the same length, got {len(harmful)}, {len(harmless)}"
        )
    if positive not in ("harmful", "harmless"):
        raise ValueError(f"positive must be 'harmful' or 'harmless', got {positive!r}")
    pairs = []
    for bad, good in zip(harmful, harmless, strict=True):
        p_bad = request_prompt(bad, tokenizer, use_chat_template=use_chat_template)
        p_good = request_prompt(good, tokenizer, use_chat_template=use_chat_template)
        pairs.append(
            ContrastPair(p_bad, p_good) if positive == "harmful" else ContrastPair(p_good, p_bad)
        )
    return pairs


def bias_pairs(
    statements: Sequence[str],
    *,
    positive: Literal["disagree", "agree"],
    tokenizer: PreTrainedTokenizerBase | None = None,
    use_chat_template: bool | None = None,
    disagree_answer: str = DISAGREE_ANSWER,
    agree_answer: str = AGREE_ANSWER,
) -> list[ContrastPair]:
    """Pairs of one (racist) statement answered "false and racist" versus "100%".

    ``positive="disagree"`` builds the "not-racist" vector, ``positive="agree"`` the "racist" one.
    """
    if positive not in ("disagree", "agree"):
        raise ValueError(f"positive must be 'disagree' or 'agree', got {positive!r}")
    pairs = []
    for statement in statements:
        no = statement_prompt(
            statement, tokenizer, answer=disagree_answer, use_chat_template=use_chat_template
        )
        yes = statement_prompt(
            statement, tokenizer, answer=agree_answer, use_chat_template=use_chat_template
        )
        pairs.append(ContrastPair(no, yes) if positive == "disagree" else ContrastPair(yes, no))
    return pairs


def response_pairs(
    instructions: Sequence[str],
    aligned_responses: Sequence[str],
    misaligned_responses: Sequence[str],
    *,
    positive: Literal["aligned", "misaligned"],
    tokenizer: PreTrainedTokenizerBase | None = None,
    use_chat_template: bool | None = None,
) -> list[ContrastPair]:
    """An aligned and a misaligned *response* to the same request (base model "harmless" vector).

    Prompt: the request prompt followed by `` {response}``. For AdvBench, the misaligned response
    is naturally the row's ``target`` ("Sure, here is ...") and the aligned one a refusal such as
    :data:`DEFAULT_REFUSAL`. All three sequences must have the same length.
    """
    n = len(instructions)
    if len(aligned_responses) != n or len(misaligned_responses) != n:
        raise ValueError(
            "instructions, aligned_responses and misaligned_responses differ in length"
        )
    if positive not in ("aligned", "misaligned"):
        raise ValueError(f"positive must be 'aligned' or 'misaligned', got {positive!r}")
    chat = _use_chat(tokenizer, use_chat_template)
    pairs = []
    for instruction, good, bad in zip(
        instructions, aligned_responses, misaligned_responses, strict=True
    ):
        if chat:
            user = REQUEST_USER_TEMPLATE.format(instruction=normalize_instruction(instruction))
            p_good, p_bad = render_chat(tokenizer, user, good), render_chat(tokenizer, user, bad)
        else:
            base = request_prompt(instruction, use_chat_template=False)
            p_good, p_bad = f"{base} {good}", f"{base} {bad}"
        pairs.append(
            ContrastPair(p_good, p_bad) if positive == "aligned" else ContrastPair(p_bad, p_good)
        )
    return pairs
