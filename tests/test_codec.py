"""The one dataclass <-> JSON/TOML decoder: unknown, missing and ill-typed fields are errors that
name the source and the field; what encode writes, decode reads back."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from steerbound._codec import decode, encode


@dataclass(frozen=True)
class Inner:
    slope: float
    layers: list[int]


@dataclass(frozen=True)
class Outer:
    name: str
    inner: Inner
    values: np.ndarray
    by_layer: dict[int, float] = field(default_factory=dict)
    note: str | None = None


def test_round_trip_through_json_with_nan_and_int_keys() -> None:
    value = Outer("x", Inner(math.nan, [1, 2]), np.array([1.0, np.nan]), {3: 0.5})
    back = decode(Outer, json.loads(json.dumps(encode(value))), "here")
    assert back.name == "x" and back.inner.layers == [1, 2] and math.isnan(back.inner.slope)
    assert back.by_layer == {3: 0.5} and np.isnan(back.values[1]) and back.note is None


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"slope": 1.0, "layers": [1], "bogus": 2}, r"here: unknown field\(s\) \['bogus'\]"),
        ({"slope": 1.0}, r"here: missing field\(s\) \['layers'\]"),
        ({"slope": "1", "layers": [1]}, r"here\.slope: expected a number, got '1'"),
        ({"slope": True, "layers": [1]}, r"here\.slope: expected a number"),
        ({"slope": 1, "layers": [1.5]}, r"here\.layers: expected a list of an integer"),
        ([1, 2], "here: expected a table"),
    ],
)
def test_errors_name_source_and_field(data: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        decode(Inner, data, "here")


def test_error_type_and_ints_for_floats() -> None:
    class Custom(ValueError):
        pass

    with pytest.raises(Custom):
        decode(Inner, {"slope": 1.0}, "here", error=Custom)
    got = decode(Inner, {"slope": 2, "layers": [0]}, "here")
    assert isinstance(got.slope, float) and got.slope == 2.0
