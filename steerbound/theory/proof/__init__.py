"""The proof engine; it names no theorem.

* :mod:`.model`: results, hypotheses, proof steps and justifications;
* :mod:`.provers`: lemmas, the one :class:`~.provers.Verdict` type with ``Literal`` statuses,
  the generic proof methods that read a lemma's statement, ``is_zero``;
* :mod:`.sums`, :mod:`.witness`, :mod:`.matching`: finite sums, refutation points, matching
  relations and lemma instances;
* :mod:`.check`: checking a result's proof (steps, chain, parametrisation, citations).
"""
