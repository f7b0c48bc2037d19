"""Steering vectors: the per-layer directions with their manifest (importable from here, as from
the previous release's ``steerbound.empirical.vectors`` module), and their extraction from
contrast pairs (:mod:`steerbound.empirical.vectors.extraction`)."""

from steerbound.empirical.vectors.vector import SteeringVector, VectorManifest

__all__ = ["SteeringVector", "VectorManifest"]
