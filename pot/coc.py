"""Chain of Code helpers: split a program into statements and simulate what cannot run.

A program is run one top-level statement at a time. A statement that fails
because a helper cannot run (an undefined function, ``NotImplementedError``...)
is handed to the model, which answers with literal assignments for the
variables the statement would have set; those run in the kernel instead and
the program carries on with the next statement.
"""

from __future__ import annotations

import ast

from pydantic import BaseModel, ConfigDict

SIMULATABLE_ERRORS = frozenset(
    {"NameError", "NotImplementedError", "AttributeError", "ImportError", "ModuleNotFoundError"}
)
"""Errors meaning "this helper cannot run here": the statement is simulated, not repaired."""

MAX_SIMULATIONS = 12
"""At most this many statements of one program are simulated."""

VARIABLES_SNIPPET = (
    "print('\\n'.join(f'{_k} = {repr(_v)[:300]}' for _k, _v in list(globals().items()) "
    "if not _k.startswith('_') and _k not in ('In', 'Out', 'get_ipython', 'exit', 'quit', "
    "'open') and not callable(_v) and type(_v).__name__ != 'module'))"
)
"""Code that prints the kernel's user variables as ``name = repr`` lines (reprs capped)."""


class Statement(BaseModel):
    """One top-level statement of a program."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    lineno: int
    end_lineno: int
    targets: list[str]


def split_statements(program: str) -> list[Statement] | None:
    """The top-level statements of ``program``, or None when it does not parse.

    Decorators stay with the function or class they decorate.
    """
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return None
    lines = program.splitlines()
    statements = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        last = node.end_lineno or node.lineno
        source = "\n".join(lines[first - 1 : last])
        statements.append(
            Statement(source=source, lineno=first, end_lineno=last, targets=assigned_names(node))
        )
    return statements


def assigned_names(node: ast.AST) -> list[str]:
    """Names a statement binds or changes (assignments, loop targets, ``x.append``...)."""
    names: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.append(child.id)
        elif (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Attribute)
            and isinstance(child.func.value, ast.Name)
            and child.func.attr in {"append", "extend", "add", "update", "insert", "pop"}
        ):
            names.append(child.func.value.id)
        elif isinstance(child, ast.Subscript | ast.Attribute) and isinstance(child.ctx, ast.Store):
            base = child.value
            if isinstance(base, ast.Name):
                names.append(base.id)
    # Loop variables of a for-statement are rarely wanted afterwards; keep them last.
    loop_targets = set()
    for child in ast.walk(node):
        if isinstance(child, ast.For | ast.comprehension):
            loop_targets.update(n.id for n in ast.walk(child.target) if isinstance(n, ast.Name))
    ordered = [name for name in dict.fromkeys(names) if name not in loop_targets]
    return ordered


def is_simulatable(error_name: str) -> bool:
    """True when an error means a helper could not run (so the model simulates it)."""
    return error_name in SIMULATABLE_ERRORS


def keep_simulation(code: str, targets: list[str]) -> str | None:
    """The usable part of a simulation reply, or None when nothing in it is usable.

    Only assignments to the statement's own ``targets`` are kept (or, for a
    statement that assigns nothing, its ``print`` calls): a small model often
    echoes every variable it was shown, or redefines the helper, and neither
    may run in place of the statement.

    Args:
        code: The Python block the model wrote.
        targets: The names the statement assigns (:func:`assigned_names`).

    Returns:
        Code to run instead of the statement.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    wanted = set(targets)
    kept: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and wanted:
            names = {
                n.id
                for n in ast.walk(node)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            if names and names <= wanted:
                kept.append(node)
        elif not wanted and _is_print(node):
            kept.append(node)
    return (
        "\n".join(ast.get_source_segment(code, node) or ast.unparse(node) for node in kept) or None
    )


def _is_print(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "print"
    )
