"""Sanity diagnostics of a trained organism (stored with it; the demo's metrics live elsewhere).

These answer "did training work?" with greedy next-token decisions: the fraction of requests
whose first response token is the refusal token ``I`` rather than ``Sure``, and the accuracy of
the argmax over the option tokens on the evaluation questions. The empirical layer's metrics
(behavior expectation, helpfulness) are what the demo measures under steering.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from steerbound.organism.corpus import Splits
from steerbound.organism.world import COMPLIANCE_TOKEN, REFUSAL_TOKEN


def token_id(tokenizer: PreTrainedTokenizerBase, word: str) -> int:
    """The id of the single token ``word`` (raises ``ValueError`` if it is not one token)."""
    ids = tokenizer(word, add_special_tokens=False)["input_ids"]
    if len(ids) != 1 or ids[0] == tokenizer.unk_token_id:
        raise ValueError(f"{word!r} is not a single known token of this tokenizer: {ids}")
    return int(ids[0])


@torch.no_grad()
def next_token_logits(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str],
    batch_size: int = 128,
) -> torch.Tensor:
    """Logits of the token after each prompt (last non-pad position), shape ``[n, vocab]``."""
    out = []
    for i in range(0, len(prompts), batch_size):
        enc = tokenizer(list(prompts[i : i + batch_size]), return_tensors="pt", padding=True)
        logits = model(**enc).logits
        last = enc["attention_mask"].sum(dim=1) - 1
        if tokenizer.padding_side == "left":
            last = torch.full_like(last, enc["attention_mask"].shape[1] - 1)
        out.append(logits[torch.arange(logits.shape[0]), last].float())
    return torch.cat(out)


def diagnose(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, splits: Splits
) -> dict[str, float]:
    """Refusal rates on held-out requests per kind and MC accuracy on the evaluation questions.

    Keys: ``refusal_rate_{harmless,harmful,severe}`` (fraction with logit(I) > logit(Sure)),
    ``mc_accuracy`` (argmax over the options' first tokens is the correct one) and
    ``mc_p_correct`` (mean probability of the correct option normalised over the options).
    """
    refuse, comply = token_id(tokenizer, REFUSAL_TOKEN), token_id(tokenizer, COMPLIANCE_TOKEN)
    result: dict[str, float] = {}
    for kind in ("harmless", "harmful", "severe"):
        prompts = [r.prompt for r in splits.requests(kind)]
        logits = next_token_logits(model, tokenizer, prompts)
        result[f"refusal_rate_{kind}"] = float(
            (logits[:, refuse] > logits[:, comply]).float().mean()
        )
    questions = splits.eval_questions
    logits = next_token_logits(model, tokenizer, [q.prompt for q in questions])
    option_ids = torch.tensor([[token_id(tokenizer, a) for a in q.answers] for q in questions])
    option_logits = logits.gather(1, option_ids)
    correct = torch.tensor([q.correct for q in questions])
    result["mc_accuracy"] = float((option_logits.argmax(dim=1) == correct).float().mean())
    probs = option_logits.softmax(dim=1)
    result["mc_p_correct"] = float(probs[torch.arange(len(questions)), correct].mean())
    return result
