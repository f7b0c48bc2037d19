"""A word-level tokenizer built locally from a corpus (no hub, no download).

Used by the built-in model organism and by the tests' random-init models. Text is split on
whitespace and punctuation (``tokenizers``' ``Whitespace`` pre-tokenizer: runs of ``\\w`` or of
punctuation), each piece is one token, unknown pieces map to ``<unk>``. The result is a
:class:`transformers.PreTrainedTokenizerFast` that round-trips through ``save_pretrained`` /
``AutoTokenizer.from_pretrained``.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIAL_TOKENS: tuple[str, ...] = (PAD, UNK, BOS, EOS)


def corpus_words(texts: Iterable[str]) -> list[str]:
    """Sorted distinct pieces of ``texts`` under the tokenizer's pre-tokenization."""
    splitter = pre_tokenizers.Whitespace()
    words: set[str] = set()
    for text in texts:
        words.update(piece for piece, _ in splitter.pre_tokenize_str(text))
    return sorted(words)


def build_word_tokenizer(
    texts: Iterable[str],
    *,
    extra_words: Iterable[str] = (),
    add_bos: bool = True,
    padding_side: str = "right",
    model_max_length: int = 1024,
) -> PreTrainedTokenizerFast:
    """Build a deterministic word-level tokenizer whose vocabulary is the words of ``texts``.

    Token ids: ``<pad>=0, <unk>=1, <bos>=2, <eos>=3``, then the sorted words. With ``add_bos``
    every encoded sequence starts with ``<bos>``. ``padding_side`` must be ``"left"`` or
    ``"right"``.
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"padding_side must be 'left' or 'right', got {padding_side!r}")
    words = [w for w in corpus_words([*texts, *extra_words]) if w not in SPECIAL_TOKENS]
    vocab = {tok: i for i, tok in enumerate([*SPECIAL_TOKENS, *words])}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins pieces with spaces
    if add_bos:
        backend.post_processor = processors.TemplateProcessing(
            single=f"{BOS} $A", pair=f"{BOS} $A $B", special_tokens=[(BOS, vocab[BOS])]
        )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token=PAD,
        unk_token=UNK,
        bos_token=BOS,
        eos_token=EOS,
        padding_side=padding_side,
        model_max_length=model_max_length,
    )
