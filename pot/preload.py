"""What pot's kernels import before the model's first program runs.

Small models use the usual names (``symbols``, ``sqrt``, ``Fraction``,
``permutations``, ``Counter``, ``date``, and ``List``/``Dict`` in type hints...)
without importing them; ToRA-style
harnesses run code with these imports done. Importing them once per kernel
(in the pool's warm-up, not in the problem's time) means a missing import
never costs a repair. The model's own imports still win: they simply rebind.

Chosen by what reads unambiguously: ``datetime`` is the module (the model's
``datetime.date(...)`` and ``datetime.datetime(...)`` both work), ``pi`` is
``math.pi`` (a float prints as a number; sympy's ``pi`` would print ``pi``),
``sqrt`` is sympy's (exact: ``sqrt(16)`` is ``4``, ``sqrt(8)`` is ``2*sqrt(2)``),
``sin``, ``cos``, ``exp``, ``log`` and the other functions both libraries have are
sympy's for sympy's objects (``integrate(x**3*sin(x), x)``), NumPy's for arrays and
math's for plain numbers (``sin(0.5)`` prints ``0.479...``, not ``sin(0.5)``),
``integrate``, ``diff``, ``limit`` and ``oo`` are sympy's,
and sympy's one-letter names (``N``, ``S``, ``E``, ``I``, ``O``, ``Q``) are
left out because programs use them as variables.

The ``plain`` baseline preloads nothing (a user's own script would not).
"""

from __future__ import annotations

PRELOAD = """\
import math, cmath, itertools, functools, collections, re, string, statistics, random, ast, json
import datetime, calendar, fractions, decimal, heapq, bisect, operator
from math import ceil, comb, factorial, floor, gcd, isqrt, lcm, perm, pi, prod
from fractions import Fraction
from decimal import Decimal
from itertools import (accumulate, combinations, combinations_with_replacement, count,
                       groupby, permutations, product)
from functools import cache, lru_cache, reduce
from collections import Counter, OrderedDict, defaultdict, deque, namedtuple
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Set, Tuple, Union
import sympy
import sympy as sp
from sympy import (Eq, Integer, Matrix, Poly, Rational, Symbol, binomial, divisors, expand,
                   factor, factorint, isprime, nsimplify, primerange, simplify, solve,
                   sqrt, symbols, sympify)
from sympy import Abs, Function, diff, integrate, limit, oo, series, summation
try:
    import numpy
    import numpy as np
except ImportError:
    pass


def _either(name, array_name=None):
    number, symbolic, basic = getattr(math, name), getattr(sympy, name), sympy.Basic
    arrays = globals().get("numpy")  # absent where NumPy is not installed
    array = getattr(arrays, array_name or name) if arrays is not None else None

    def function(*args):
        if any(isinstance(arg, basic) for arg in args):  # bound now: a program may rebind
            return symbolic(*args)
        if array is not None and any(isinstance(arg, arrays.ndarray) for arg in args):
            return array(*args)
        return number(*args)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"sympy.{name} for sympy's objects, numpy's for arrays, else math.{name}"
    return function


sin, cos, tan, exp, log, sinh, cosh, tanh = map(
    _either, ("sin", "cos", "tan", "exp", "log", "sinh", "cosh", "tanh")
)
asin, acos, atan = (_either(n, "arc" + n[1:]) for n in ("asin", "acos", "atan"))
del _either
"""
"""Imported in pot's kernels ahead of time (pools, ``pot.solve``, the persona)."""
