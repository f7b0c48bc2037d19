"""steerbound: theory-first verification of the alignment-helpfulness tradeoff of steering.

Layers (dependencies point one way; docs/architecture.md):

- :mod:`steerbound.theory`    sympy statements, proofs and the numeric bounds lambdified from them;
- :mod:`steerbound.simulate`  synthetic unembedding geometries, exact tilted softmax, Monte Carlo;
- :mod:`steerbound.empirical` Hugging Face models: steering hooks, vectors, data, metrics, sweeps;
- :mod:`steerbound.organism`  the built-in model organism (a small Llama trained on CPU);
- :mod:`steerbound.report`    plots and reports built from the layers' results;
- :mod:`steerbound.pipeline`  the TOML application behind ``steerbound empirical``;
- :mod:`steerbound.demo`      ``steerbound demo`` on the built-in organisms;
- :mod:`steerbound.cli`       the thin command line (nothing imports it).

Conventions used everywhere (see ``docs/conventions.md``): ``r_e`` multiplies a unit steering
direction ``v`` added to the residual stream; ``+v`` points towards the *positive* (aligned /
intended) examples; decoder blocks are indexed from 0 and steering block ``l`` changes
``hidden_states[l + 1]``.
"""

__version__ = "0.1.0"
