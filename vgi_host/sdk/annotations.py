"""Resolving annotations the way worker code written for the reference SDK spells them.

Reference-era code annotates with generics that are only meaningful to type
checkers: ``pa.Array[Any]``, ``pa.Scalar[Any]``, ``ProcessParams[None]``.
Under ``from __future__ import annotations`` those are strings, and
``typing.get_type_hints`` fails on them because pyarrow's classes are not
subscriptable at runtime.  The host only needs the class behind such a
generic, so this module evaluates annotation strings with subscripts made
lenient: ``X[args]`` is ``X[args]`` when ``X`` supports it and plain ``X``
otherwise.  Everything else evaluates exactly as Python would.
"""

from __future__ import annotations

import ast
import inspect
import sys
import typing
from collections.abc import Callable
from typing import Any

_SUBSCRIPT_HELPER = "__vgi_host_subscript__"


def _subscript(value: Any, item: Any) -> Any:
    """``value[item]``, or ``value`` itself when it is a class that cannot be subscripted."""
    try:
        return value[item]
    except TypeError:
        if isinstance(value, type):
            return value
        raise


class _LenientSubscripts(ast.NodeTransformer):
    """Rewrite every ``X[item]`` in an expression into ``__vgi_host_subscript__(X, item)``."""

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        return ast.copy_location(
            ast.Call(
                func=ast.Name(id=_SUBSCRIPT_HELPER, ctx=ast.Load()),
                args=[node.value, node.slice],
                keywords=[],
            ),
            node,
        )


def evaluate(annotation: Any, namespace: dict[str, Any]) -> Any:
    """Evaluate one annotation (a string under postponed evaluation) leniently."""
    if not isinstance(annotation, str):
        return annotation
    tree = ast.fix_missing_locations(_LenientSubscripts().visit(ast.parse(annotation, mode="eval")))
    code = compile(tree, "<annotation>", "eval")
    return eval(code, {**namespace, _SUBSCRIPT_HELPER: _subscript})


def _namespace_of(owner: Any) -> dict[str, Any]:
    module = sys.modules.get(getattr(owner, "__module__", ""), None)
    namespace: dict[str, Any] = dict(vars(module)) if module is not None else {}
    if isinstance(owner, type):
        namespace.update(vars(owner))
        namespace.setdefault(owner.__name__, owner)
    return namespace


def function_hints(function: Callable[..., Any], owner: type) -> dict[str, Any]:
    """The annotations of ``function`` (a method of ``owner``), extras kept."""
    try:
        return typing.get_type_hints(function, include_extras=True)
    except (NameError, TypeError, SyntaxError):
        pass
    raw = dict(getattr(function, "__annotations__", {}))
    namespace = {**_namespace_of(owner), **dict(getattr(function, "__globals__", {}))}
    return {name: evaluate(value, namespace) for name, value in raw.items()}


def class_hints(cls: type) -> dict[str, Any]:
    """The class-level annotations of ``cls`` and its bases (nearest class winning)."""
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except (NameError, TypeError, SyntaxError):
        pass
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        raw = inspect.get_annotations(klass)
        namespace = _namespace_of(klass)
        hints.update({name: evaluate(value, namespace) for name, value in raw.items()})
    return hints
