"""The numeric layer: float64 primitives, input validation, bound expressions, compilation.

Primitives
----------
Numerically stable primitives shared by the symbolic statements and the numeric bounds.

Each primitive is a sympy ``Function`` with an exact symbolic definition (``definition()``),
so a stable form built from them can be proved equal to the statement it replaces by
``sympy.simplify(stable.replace(...definitions...) - statement) == 0``; and each has a
float64 numpy implementation that returns the correctly rounded limit instead of warning:

* ``Log0(x)   = log(x)``          with ``Log0(0) = -inf`` (a probability may be exactly 0);
* ``LogAddExp(x, y) = log(e^x + e^y)``;
* ``Expit(x)  = 1 / (1 + e^-x)``  (the logistic function), never overflows;
* ``Log1pHalfSq(y) = log(1 + y^2/2)``, finite for every finite ``y``;
* ``ExpSat(x) = e^x``             saturating to ``+inf`` (the IEEE value) without a warning;
* ``Log1p(x) = log(1 + x)``; ``LogScaled(q, x) = log(q e^x)`` (``-inf`` for ``q = 0``);
* ``Prod0(x, ...)``: a product that is 0 when a factor is 0 (no ``0 * inf`` NaN);
* ``Maximum``/``Minimum``         elementwise two-argument max/min that broadcast.

``lambdify_stable(args, expr)`` lambdifies an expression built from these (and from ordinary
sympy functions) into a vectorised numpy function.

Validation
----------
Every error raised for an out-of-domain argument is a ``ValueError`` naming the argument.

Bound expressions
-----------------
:class:`BoundExpression` pairs the expression a result states with the stable form that is
lambdified; :func:`compiled` lambdifies (once, cached) the stable form of a bound of
:mod:`steerbound.theory.expressions`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import NDArray

_LOG_MAX = float(np.log(np.finfo(np.float64).max))


class Log0(sp.Function):
    """``log(x)`` for ``x >= 0`` with ``log(0) = -inf``."""

    nargs = 1

    def definition(self) -> sp.Expr:
        return sp.log(self.args[0])

    def _latex(self, printer: Any) -> str:
        return rf"\log\left({printer._print(self.args[0])}\right)"


class LogAddExp(sp.Function):
    """``log(exp(x) + exp(y))`` evaluated without overflow."""

    nargs = 2

    def definition(self) -> sp.Expr:
        return sp.log(sp.exp(self.args[0]) + sp.exp(self.args[1]))


class Expit(sp.Function):
    """The logistic function ``1 / (1 + exp(-x))``."""

    nargs = 1

    def definition(self) -> sp.Expr:
        return 1 / (1 + sp.exp(-self.args[0]))


class Log1pHalfSq(sp.Function):
    """``log(1 + y**2 / 2)`` with ``y`` the product of the arguments, evaluated without
    overflow of ``y**2`` (nor of ``y`` itself: a huge product is summed in logs)."""

    def definition(self) -> sp.Expr:
        return sp.log(1 + sp.Mul(*self.args) ** 2 / 2)


class ExpSat(sp.Function):
    """``exp(x)``, returning ``+inf`` for ``x`` above the float64 range without a warning."""

    nargs = 1

    def definition(self) -> sp.Expr:
        return sp.exp(self.args[0])


class Log1p(sp.Function):
    """``log(1 + x)`` for ``x > -1``, accurate for small ``|x|``."""

    nargs = 1

    def definition(self) -> sp.Expr:
        return sp.log(1 + self.args[0])


class LogScaled(sp.Function):
    """``log(q e^x)`` for ``q >= 0``: ``log(q) + x``, and ``-inf`` when ``q = 0`` whatever ``x``
    (the term ``q e^x`` is 0 then, even where ``x`` overflowed to ``+inf``)."""

    nargs = 2

    def definition(self) -> sp.Expr:
        return sp.log(self.args[0] * sp.exp(self.args[1]))


class Prod0(sp.Function):
    """The product of its arguments, 0 when any factor is 0 (``0 * inf`` from an overflowed
    partial product is 0, not NaN)."""

    def definition(self) -> sp.Expr:
        return sp.Mul(*self.args)


class Maximum(sp.Function):
    """Elementwise ``max(x, y)`` (broadcasting); symbolically ``Max(x, y)``."""

    nargs = 2

    def definition(self) -> sp.Expr:
        return sp.Max(*self.args)


class Minimum(sp.Function):
    """Elementwise ``min(x, y)`` (broadcasting); symbolically ``Min(x, y)``."""

    nargs = 2

    def definition(self) -> sp.Expr:
        return sp.Min(*self.args)


PRIMITIVES: tuple[type[sp.Function], ...] = (
    Log0,
    LogAddExp,
    Expit,
    Log1pHalfSq,
    ExpSat,
    Log1p,
    LogScaled,
    Prod0,
    Maximum,
    Minimum,
)


def expand_primitives(expr: sp.Expr) -> sp.Expr:
    """Replace every stable primitive by its exact symbolic definition."""
    out = expr
    for cls in PRIMITIVES:
        out = out.replace(lambda e, c=cls: isinstance(e, c), lambda e: e.definition())
    return out


def expand_log0(expr: sp.Expr) -> sp.Expr:
    """``Log0(x*y) -> Log0(x) + Log0(y)`` and ``Log0(x**n) -> n*Log0(x)`` for factors sympy
    knows to be nonnegative (valid including ``Log0(0) = -inf``)."""

    def _split(e: sp.Expr) -> sp.Expr:
        arg = e.args[0]
        if isinstance(arg, sp.Mul) and all(f.is_nonnegative for f in arg.args):
            return sp.Add(*(_split(Log0(f)) for f in arg.args))
        if isinstance(arg, sp.Pow) and arg.base.is_nonnegative and arg.exp.is_real:
            return arg.exp * _split(Log0(arg.base))
        return e

    return expr.replace(lambda e: isinstance(e, Log0), _split)


def _np_log0(x: Any) -> Any:
    x = np.asarray(x, dtype=np.float64)
    pos = x > 0
    return np.where(pos, np.log(np.where(pos, x, 1.0)), -np.inf)


def _np_expit(x: Any) -> Any:
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _np_log1p_half_sq(*factors: Any) -> Any:
    fs = np.broadcast_arrays(*(np.abs(np.asarray(f, dtype=np.float64)) for f in factors))
    a = _np_prod0(*fs)
    big = a > 1e150
    small = np.where(big, 0.0, a)
    # For |y| > 1e150, log(1 + y^2/2) = 2 log|y| - log 2 to far below float64 resolution;
    # log|y| is summed factor by factor (the product itself may overflow).
    with np.errstate(divide="ignore"):
        log_y = sum(np.log(np.where(big, f, 1.0)) for f in fs)
    return np.where(big, 2.0 * log_y - np.log(2.0), np.log1p(small * small / 2.0))


def _np_exp_sat(x: Any) -> Any:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > _LOG_MAX, np.inf, np.exp(np.minimum(x, _LOG_MAX)))


def _np_log_scaled(q: Any, x: Any) -> Any:
    q = np.asarray(q, dtype=np.float64)
    pos = q > 0
    with np.errstate(invalid="ignore"):
        return np.where(pos, np.log(np.where(pos, q, 1.0)) + np.where(pos, x, 0.0), -np.inf)


def _np_prod0(*args: Any) -> Any:
    arrs = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in args))
    zero = np.zeros(arrs[0].shape, dtype=bool)
    out = np.ones(arrs[0].shape)
    with np.errstate(over="ignore", invalid="ignore"):
        for a in arrs:
            zero |= a == 0
            out = out * a
    return np.where(zero, 0.0, out)


NUMPY_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "Log1p": np.log1p,
    "LogScaled": _np_log_scaled,
    "Prod0": _np_prod0,
    "Log0": _np_log0,
    "LogAddExp": np.logaddexp,
    "Expit": _np_expit,
    "Log1pHalfSq": _np_log1p_half_sq,
    "ExpSat": _np_exp_sat,
    "Maximum": np.maximum,
    "Minimum": np.minimum,
}


def to_numeric_form(expr: sp.Expr) -> sp.Expr:
    """Map plain ``log``/``exp``/``Max``/``Min`` onto their stable primitives."""
    out = expr.replace(sp.log, Log0).replace(sp.exp, ExpSat)
    out = out.replace(
        lambda e: isinstance(e, (sp.Max, sp.Min)) and len(e.args) == 2,
        lambda e: (Maximum if isinstance(e, sp.Max) else Minimum)(*e.args),
    )
    return out


def lambdify_stable(args: Sequence[sp.Symbol], expr: sp.Expr) -> Callable[..., Any]:
    """Lambdify ``expr`` (stable primitives allowed) into a float64 numpy function."""
    return sp.lambdify(list(args), to_numeric_form(expr), modules=[NUMPY_IMPLEMENTATIONS, "numpy"])


# ------------------------------------------------------------------ validation
FloatArray = NDArray[np.float64]


def as_finite(name: str, value: Any) -> FloatArray:
    """Convert ``value`` to a float64 array; reject NaN and infinities."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number or array of real numbers") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if np.isinf(arr).any():
        raise ValueError(f"{name} must be finite")
    return arr


def probability(name: str, value: Any) -> FloatArray:
    """A probability in [0, 1]."""
    arr = as_finite(name, value)
    if ((arr < 0) | (arr > 1)).any():
        raise ValueError(f"{name} must lie in [0, 1] (it is a probability)")
    return arr


def open_unit(name: str, value: Any) -> FloatArray:
    """A behavior value in the open interval (-1, 1) (``artanh`` must be finite)."""
    arr = as_finite(name, value)
    if ((arr <= -1) | (arr >= 1)).any():
        raise ValueError(f"{name} must lie in the open interval (-1, 1) (artanh is applied)")
    return arr


def nonnegative(name: str, value: Any) -> FloatArray:
    arr = as_finite(name, value)
    if (arr < 0).any():
        raise ValueError(f"{name} must be >= 0")
    return arr


def positive(name: str, value: Any) -> FloatArray:
    arr = as_finite(name, value)
    if (arr <= 0).any():
        raise ValueError(f"{name} must be > 0")
    return arr


def integer_at_least(name: str, value: Any, minimum: int) -> FloatArray:
    """An integer-valued float64 array with every entry ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got a bool")
    arr = as_finite(name, value)
    if ((arr < minimum) | (arr != np.round(arr))).any():
        raise ValueError(f"{name} must be an integer >= {minimum}")
    return arr


def form(value: str, allowed: tuple[str, ...] = ("verified", "published")) -> str:
    if value not in allowed:
        raise ValueError(f"form must be one of {allowed}, got {value!r}")
    return value


def require(condition: Any, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition`` holds elementwise."""
    if not np.all(condition):
        raise ValueError(message)


def result(value: Any, *inputs: FloatArray) -> Any:
    """Broadcast ``value`` against the inputs; a float64 scalar for scalar inputs."""
    shape = np.broadcast_shapes(*(np.shape(a) for a in inputs))
    out = np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), shape))
    return out[()] if out.ndim == 0 else out


# ------------------------------------------------------------------ bound expressions
@dataclass(frozen=True)
class BoundExpression:
    """One numeric bound: its arguments (in the public function's order) and two forms."""

    key: str
    args: tuple[sp.Symbol, ...]
    expr: sp.Expr
    stable: sp.Expr
    floor: sp.Expr | None = None

    @property
    def target(self) -> sp.Expr:
        """What the numeric function computes: ``Max(floor, expr)`` or ``expr``."""
        return self.expr if self.floor is None else sp.Max(self.floor, self.expr)


@cache
def compiled(key: str) -> Callable[..., Any]:
    """The float64 numpy function of the stable form of bound ``key`` (of
    :mod:`steerbound.theory.expressions`), lambdified once."""
    from steerbound.theory import expressions

    bound: BoundExpression = getattr(expressions, key)()
    return lambdify_stable(bound.args, bound.stable)
