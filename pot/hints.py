"""Errors whose message does not say what to change, followed by what would.

What an object has, said after an ``AttributeError`` on it.

Small models reach for attributes a type does not have: ``timedelta.strftime`` or
``timedelta.hour`` (a time difference is a duration, not a clock time), ``list.popleft``
(a deque's), ``tuple.sort``; the traceback names the type but not what it has, and the
repair writes the same attribute again (the 0.5B did, 30 times in 9 time-difference
problems). So the error is followed by the type's public attributes, methods marked
``()``: ``Hint: a datetime.timedelta has days, max, microseconds, min, resolution,
seconds, total_seconds()``.

The error is the kernel's, reported as text from another process (as
:mod:`pot.typos` reads ``NameError``), so its message is what there is to read. Only
builtin types, types of the standard library and of modules pot's process has imported
already are looked up (no third-party module is imported for a hint); an attribute of ``None`` gets
:data:`NONE_HINT`; and a type with more than
:data:`MOST_NAMES` public attributes gets none (a list that long is noise to a small
model). A ``StopIteration`` with no message (``next()`` over a search that matched
nothing) gets :data:`NEXT_HINT`.
"""

from __future__ import annotations

import builtins
import re
import sys
from pydoc import ErrorDuringImport, locate

MOST_NAMES = 40
"""A type with more public attributes than this gets no hint."""

NONE_HINT = (
    "Hint: the value is None: a function that returns nothing (no return, or a method "
    "like list.sort() that changes in place), or a search that found no match"
)
"""Said after an attribute of None was asked for."""

NEXT_HINT = (
    "Hint: next() found no item: nothing matched the condition; check the condition "
    "against the data, or give next() a default"
)
"""Said after a ``StopIteration`` with no message: the traceback says nothing else."""

_NO_ATTRIBUTE = re.compile(
    r"^(?:'(?P<object>[\w.]+)' object|type object '(?P<type>[\w.]+)') has no attribute '\w+'"
)


def error_hint(error_name: str, message: str) -> str | None:
    """``Hint: a T has a, b, c()`` for an ``AttributeError`` on an instance or class of a
    type that can be looked up (:mod:`pot.hints`), :data:`NONE_HINT` for one on None,
    :data:`NEXT_HINT` for a bare ``StopIteration``; None for any other error."""
    if error_name == "StopIteration" and not message.strip():
        return NEXT_HINT
    if error_name != "AttributeError":
        return None
    found = _NO_ATTRIBUTE.match(message.strip())
    if found is None:
        return None
    name = found.group("object") or found.group("type")
    if name == "NoneType":
        return NONE_HINT
    kind = _known_type(name)
    if kind is None:
        return None
    names = sorted(attribute for attribute in dir(kind) if not attribute.startswith("_"))
    if not names or len(names) > MOST_NAMES:
        return None
    shown = [f"{attribute}()" if _is_method(kind, attribute) else attribute for attribute in names]
    article = "an" if name[0].lower() in "aeiou" else "a"
    return f"Hint: {article} {name} has {', '.join(shown)}"


def _known_type(name: str) -> type | None:
    """The type ``name`` names, when it is a builtin or its module is of the standard
    library or already imported; None otherwise (no third-party module is imported here)."""
    if "." not in name:
        found = getattr(builtins, name, None)
        return found if isinstance(found, type) else None
    module = name.split(".", 1)[0]
    if module not in sys.stdlib_module_names and module not in sys.modules:
        return None
    try:
        found = locate(name)
    except ErrorDuringImport:  # a module that fails to import says nothing about the type
        return None
    return found if isinstance(found, type) else None


def _is_method(kind: type, attribute: str) -> bool:
    value = getattr(kind, attribute, None)
    return callable(value) and not isinstance(value, type)
