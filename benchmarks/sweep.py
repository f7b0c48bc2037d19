"""Benchmark of the fast sweep engine against the naive loop and the compute floor.

    python benchmarks/sweep.py [--json] [--quick] [--threads 2]

For each model (the built-in organism, else a random-init Llama of its shape; and a random-init
Llama with 16 layers, hidden 512, vocab 32000) it sweeps 41 coefficients in [-10, 10] over 100
prompts, steering from mid-depth, and times, side by side in one process:

(a) the naive loop: one unbatched forward per prompt per coefficient under
    :func:`steerbound.empirical.steering`, full logits (as the published code does);
(b) the engine: :func:`steerbound.empirical.sweeps.fast.sweep_grid`, everything included
    (prefix capture, the check against the reference, chunking, output assembly);
(c) the compute floor: only the decoder blocks *above* the first steered block (block
    ``first`` itself has a coefficient-independent input and output, so no engine needs to
    run it per row), over the same (prompt, coefficient) chunks as (b), on precomputed inputs;
    nothing else is timed (no steering additions, no final norm, no LM head).

``--naive-fraction f`` times (a) on the first ``f`` of the prompts only and scales its time
(for busy machines; the comparison of (a) and (b) then covers those prompts).

It prints a/b, b/c, the max abs difference of log-probabilities between (a) and (b) (full
vocabulary, every row) and the peak memory of (b) for 81 against 1 coefficient. Memory method:
each run is a fresh subprocess that streams the engine's chunks (keeping 4 log-probs and the
final-hidden norm per row, not the (rows, vocab) logits) after resetting the kernel's peak-RSS
mark (``/proc/self/clear_refs``); peak = ``VmHWM`` (whole process: interpreter, torch, model
weights), growth = peak minus the RSS just before the sweep. ``memory_ratio`` is the ratio of
the peaks; the growth ratio is printed too. ``flop_ratio`` is the matmul-FLOP ceiling of a/b.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import torch

from steerbound.empirical.model.hooks import steering, steering_delta
from steerbound.empirical.sweeps.fast import PrefixCachedForward, sweep_grid
from steerbound.empirical.sweeps.prefix_cache import ReplayChunk, select_rows
from steerbound.empirical.vectors.vector import SteeringVector, VectorManifest

MODELS = ("organism", "llama-16x512")


@dataclass
class Setup:
    name: str
    model: Any
    input_ids: torch.Tensor  # (P, T) right-padded
    attention_mask: torch.Tensor
    vector: SteeringVector
    note: str


def _vector(model: Any, layers: list[int], scale: float, seed: int) -> SteeringVector:
    """Random directions of L2 norm ``scale`` (timings and equality do not depend on them)."""
    generator = torch.Generator().manual_seed(seed)
    hidden = model.config.hidden_size
    directions = {
        layer: scale
        * torch.nn.functional.normalize(torch.randn(hidden, generator=generator), dim=0)
        for layer in layers
    }
    n_layers = model.config.num_hidden_layers
    manifest = VectorManifest("benchmark", hidden, n_layers, layers, method="random")
    return SteeringVector(directions, manifest)


def _random_prompts(n: int, vocab: int, low: int, high: int, seed: int) -> list[list[int]]:
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.randint(low, high + 1, (n,), generator=generator).tolist()
    return [[2, *torch.randint(4, vocab, (k - 1,), generator=generator).tolist()] for k in lengths]


def _pad(prompts: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(map(len, prompts))
    ids = torch.zeros(len(prompts), width, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, p in enumerate(prompts):
        ids[i, : len(p)], mask[i, : len(p)] = torch.tensor(p), 1
    return ids, mask


def _llama(hidden: int, layers: int, heads: int, inner: int, vocab: int) -> Any:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        intermediate_size=inner,
        vocab_size=vocab,
        max_position_embeddings=512,
        pad_token_id=0,
        bos_token_id=2,
        eos_token_id=3,
    )
    return LlamaForCausalLM(config).eval()


def build(name: str, n_prompts: int) -> Setup:
    if name == "llama-16x512":
        model = _llama(512, 16, 8, 1376, 32000)
        ids, mask = _pad(_random_prompts(n_prompts, 32000, 20, 40, seed=1))
        note = "random-init Llama 16x512, vocab 32000, 20-40 token prompts, steer blocks 8-11"
        return Setup(name, model, ids, mask, _vector(model, [8, 9, 10, 11], 1.0, 0), note)
    try:
        from steerbound.organism import get_organism

        organism = get_organism("default", progress=False)
        if organism.trained_now:
            print("trained the built-in organism (cached from now on)", file=sys.stderr)
        model, tokenizer = organism.load("base")
        texts = [q.prompt for q in organism.splits.eval_questions]
        texts = [texts[i % len(texts)] for i in range(n_prompts)]
        encoded = tokenizer(texts, padding=True, padding_side="right", return_tensors="pt")
        ids, mask = encoded["input_ids"], encoded["attention_mask"]
        layer = organism.config.steer_layer
        note = f"built-in organism (base), MC prompts, steer block {layer}"
    except Exception as error:  # the organism is optional here: say so and use its shape
        model = _llama(64, 4, 4, 192, 335)
        ids, mask = _pad(_random_prompts(n_prompts, 335, 12, 30, seed=1))
        layer = 2
        note = f"organism unavailable ({type(error).__name__}: {error}); random-init Llama 4x64"
    return Setup(name, model, ids, mask, _vector(model, [layer], 0.2, 0), note)


def naive(setup: Setup, grid: torch.Tensor, n_prompts: int | None = None) -> tuple[float, Any]:
    """(seconds, (n * C, vocab) log-probs) of the first ``n_prompts`` prompts (default all):
    one forward per prompt per coefficient."""
    lengths = setup.attention_mask.sum(dim=1).tolist()[:n_prompts]
    rows, seconds = [], 0.0
    for p, length in enumerate(lengths):
        ids = setup.input_ids[p : p + 1, :length]
        for c in grid.tolist():
            start = time.perf_counter()
            with steering(setup.model, setup.vector, c):
                logits = setup.model(input_ids=ids).logits[0, -1]
            seconds += time.perf_counter() - start
            rows.append(logits.float().log_softmax(-1))
    return seconds, torch.stack(rows)


def engine(setup: Setup, grid: torch.Tensor, budget: int) -> tuple[float, torch.Tensor]:
    fast = PrefixCachedForward(memory_budget_bytes=budget)
    start = time.perf_counter()
    out = sweep_grid(
        setup.model, setup.input_ids, setup.attention_mask, setup.vector, grid, engine=fast
    )
    seconds = time.perf_counter() - start
    if fast.last_path != "prefix":
        raise RuntimeError(f"the engine fell back: {fast.last_path}")
    return seconds, out.logits.log_softmax(-1)


def floor(setup: Setup, grid: torch.Tensor, budget: int) -> float:
    """Time only the blocks above the first steered one, on the engine's chunks."""
    fast = PrefixCachedForward(memory_budget_bytes=budget, check=False)
    n, c = setup.input_ids.shape[0], grid.numel()
    chunks: list[ReplayChunk] = list(
        fast.plan(
            setup.model,
            setup.input_ids,
            setup.attention_mask,
            torch.arange(n).repeat_interleave(c),
            grid.repeat(n),
            setup.vector,
        )
    )
    prepared = []
    for chunk in chunks:
        n_prompts = chunk.state.hidden.shape[0]
        hidden = chunk.state.hidden.index_select(0, chunk.prompt_rows)
        hidden = hidden + steering_delta(
            chunk.directions[chunk.suffix.first], chunk.coefficients, hidden
        )
        calls = [
            (
                select_rows(call.args, chunk.prompt_rows, n_prompts),
                select_rows(call.kwargs, chunk.prompt_rows, n_prompts),
            )
            for call in chunk.state.calls
        ]
        prepared.append((chunk.suffix.blocks, hidden, calls))
    start = time.perf_counter()
    for blocks, hidden, calls in prepared:
        for block, (args, kwargs) in zip(blocks, calls, strict=True):
            hidden = block(hidden, *args, **kwargs)
    return time.perf_counter() - start


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def probe_memory(name: str, n_prompts: int, n_coefficients: int, budget: int) -> dict[str, Any]:
    """Peak RSS of one engine sweep, streamed (run in a fresh process)."""
    setup = build(name, n_prompts)
    grid = torch.linspace(-10, 10, n_coefficients) if n_coefficients > 1 else torch.tensor([1.0])
    prompt_index = torch.arange(n_prompts).repeat_interleave(grid.numel())
    fast = PrefixCachedForward(memory_budget_bytes=budget)
    tokens = torch.tensor([4, 5, 6, 7])
    kept = torch.empty(prompt_index.shape[0], 5)
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # reset the peak-RSS mark (VmHWM)
        method = "VmHWM after clear_refs"
    except OSError:
        method = "ru_maxrss (includes model construction)"
    before = _status("VmRSS")
    ids, mask = setup.input_ids, setup.attention_mask
    rows_seen = 0
    for rows, out in fast.iter_rows(
        setup.model, ids, mask, prompt_index, grid.repeat(n_prompts), setup.vector
    ):
        logp = out.logits.log_softmax(-1)[:, tokens]
        kept[rows] = torch.cat([logp, out.final_hidden.norm(dim=1, keepdim=True)], dim=1)
        rows_seen += rows.shape[0]
    peak = (
        _status("VmHWM")
        if method.startswith("VmHWM")
        else (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    )
    return {"peak": peak, "growth": peak - before, "rows": rows_seen, "method": method}


def _memory(name: str, n_prompts: int, n_coefficients: int, budget: int, threads: int) -> Any:
    command = [
        sys.executable,
        __file__,
        "--probe",
        name,
        str(n_prompts),
        str(n_coefficients),
        "--budget",
        str(budget),
        "--threads",
        str(threads),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def flop_ratio(setup: Setup) -> float:
    """Matmul FLOPs of (a) over (b) per row: all blocks and the LM head at every position
    against the blocks above the first steered one and the LM head at one position."""
    model, first = setup.model, min(setup.vector.directions)
    blocks = model.model.layers
    per_block = [sum(p.numel() for p in b.parameters() if p.ndim == 2) for b in blocks]
    head = model.get_output_embeddings().weight.numel()
    length = float(setup.attention_mask.sum(dim=1).double().mean())
    return length * (sum(per_block) + head) / (length * sum(per_block[first + 1 :]) + head)


def run(name: str, args: argparse.Namespace) -> dict[str, Any]:
    n_prompts, n_coefficients = (20, 11) if args.quick else (100, 41)
    setup = build(name, n_prompts)
    grid = torch.linspace(-10, 10, n_coefficients)
    warm = Setup(name, setup.model, setup.input_ids[:2], setup.attention_mask[:2], setup.vector, "")
    with torch.inference_mode():
        (
            naive(warm, grid[:2]),
            engine(warm, grid[:2], args.budget),
            floor(warm, grid[:2], args.budget),
        )
        time_b, logp_b = engine(setup, grid, args.budget)
        time_c = floor(setup, grid, args.budget)
        n_naive = max(1, round(args.naive_fraction * n_prompts))
        time_a, logp_a = naive(setup, grid, n_naive)
        time_a *= n_prompts / n_naive  # extrapolated when --naive-fraction < 1
        logp_b = logp_b[: n_naive * n_coefficients]
    memory = {k: _memory(name, n_prompts, k, args.budget, args.threads) for k in (1, 81)}
    return {
        "model": name,
        "note": setup.note,
        "prompts": n_prompts,
        "naive_prompts": n_naive,
        "coefficients": n_coefficients,
        "threads": torch.get_num_threads(),
        "naive_s": time_a,
        "engine_s": time_b,
        "floor_s": time_c,
        "naive_over_engine": time_a / time_b,
        "engine_over_floor": time_b / time_c,
        "flop_ratio": flop_ratio(setup),
        "max_abs_diff": float((logp_a - logp_b).abs().max()),
        "memory_ratio": memory[81]["peak"] / memory[1]["peak"],
        "memory_growth_ratio": memory[81]["growth"] / max(memory[1]["growth"], 1),
        "peak_mib": {k: round(v["peak"] / 2**20, 1) for k, v in memory.items()},
        "growth_mib": {k: round(v["growth"] / 2**20, 1) for k, v in memory.items()},
        "memory_method": memory[81]["method"],
        "budget_mib": args.budget / 2**20,
        "load_avg_1min": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object per model per line")
    parser.add_argument("--quick", action="store_true", help="20 prompts x 11 coefficients")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--budget", type=int, default=PrefixCachedForward().memory_budget_bytes)
    parser.add_argument(
        "--naive-fraction",
        type=float,
        default=1.0,
        help="time (a) on this fraction of the prompts and extrapolate",
    )
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument(
        "--probe", nargs=3, metavar=("MODEL", "PROMPTS", "COEFFS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.probe:
        with torch.inference_mode():
            result = probe_memory(
                args.probe[0], int(args.probe[1]), int(args.probe[2]), args.budget
            )
        print(json.dumps(result))
        return
    results = [run(name, args) for name in args.models]
    if args.json:
        for r in results:
            print(json.dumps(r))
        return
    print(
        f"threads={args.threads}  budget={args.budget / 2**20:.0f} MiB  "
        f"load(1 min)={os.getloadavg()[0]:.2f}"
    )
    header = (
        "model",
        "a naive s",
        "b engine s",
        "c floor s",
        "a/b",
        "ideal a/b",
        "b/c",
        "max|dlogp|",
        "peak MiB 1/81",
        "mem ratio",
        "growth MiB 1/81",
    )
    print(" | ".join(header))
    for r in results:
        print(
            " | ".join(
                [
                    r["model"],
                    f"{r['naive_s']:.1f}",
                    f"{r['engine_s']:.2f}",
                    f"{r['floor_s']:.2f}",
                    f"{r['naive_over_engine']:.1f}",
                    f"{r['flop_ratio']:.1f}",
                    f"{r['engine_over_floor']:.2f}",
                    f"{r['max_abs_diff']:.1e}",
                    f"{r['peak_mib'][1]:.0f}/{r['peak_mib'][81]:.0f}",
                    f"{r['memory_ratio']:.2f}",
                    f"{r['growth_mib'][1]:.0f}/{r['growth_mib'][81]:.0f}",
                ]
            )
        )
        extrapolated = r["naive_prompts"] < r["prompts"]
        sample = (
            f"; (a) timed on {r['naive_prompts']} prompts, extrapolated" if extrapolated else ""
        )
        size = f"{r['prompts']} prompts x {r['coefficients']} coefficients"
        print(f"  {r['note']}; {size}{sample}; memory: {r['memory_method']}")
    assert all(math.isfinite(r["max_abs_diff"]) for r in results)


if __name__ == "__main__":
    main()
