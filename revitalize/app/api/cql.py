"""CQL2-text basic filtering (``filter=``) on a collection's properties.

pygeoapi parses the text with pygeofilter; here the tree is checked against a whitelist — comparisons,
BETWEEN, LIKE, IN and IS NULL on known properties, combined with AND / OR / NOT; no functions, spatial,
temporal or array operators (``bbox`` and ``datetime`` cover those) — and then evaluated with pygeofilter's
native evaluator on each feature's properties. The whitelist matters: the evaluator compiles the tree into a
Python expression, and a function call would become a call of any Python built-in.
"""

from __future__ import annotations

from collections.abc import Callable

from pygeofilter import ast, values
from pygeofilter.backends.native.evaluate import NativeEvaluator

ALLOWED = (ast.And, ast.Or, ast.Not, ast.Comparison, ast.Between, ast.Like, ast.In, ast.IsNull, ast.Attribute)


def problems(node: object, fields: set[str]) -> list[tuple[str, dict]]:
    """What in the parsed filter is not basic CQL2 on ``fields``, as (i18n key, parameters); empty when the
    filter may be evaluated."""
    out: list[tuple[str, dict]] = []
    if isinstance(node, ast.Node):
        if not isinstance(node, ALLOWED):
            out.append(("api.err.cql_node", {"node": type(node).__name__}))
            return out
        if isinstance(node, ast.Attribute) and node.name not in fields:
            out.append(("api.err.cql_property", {"found": repr(node.name)[:60]}))
        for sub in node.get_sub_nodes():
            out += problems(sub, fields)
    elif isinstance(node, list):
        for sub in node:
            out += problems(sub, fields)
    elif not isinstance(node, values.LITERALS) and node is not None:
        out.append(("api.err.cql_node", {"node": type(node).__name__}))
    return out


def _single_in(node: object) -> object:
    """``x IN (v)`` as ``x = v`` (the evaluator would test ``x in (v)``, a substring test on text)."""
    if isinstance(node, ast.In) and len(node.sub_nodes) == 1:
        return (ast.NotEqual if node.not_ else ast.Equal)(node.lhs, node.sub_nodes[0])
    if isinstance(node, ast.Not):
        return ast.Not(_single_in(node.sub_node))
    if isinstance(node, ast.Combination):
        return type(node)(_single_in(node.lhs), _single_in(node.rhs))
    return node


def matcher(node: object, fields: set[str]) -> Callable[[dict], bool]:
    """A predicate on a feature's properties; call :func:`problems` first (this assumes none)."""
    attribute_map = {f: f for f in fields}
    predicate = NativeEvaluator(attribute_map=attribute_map, use_getattr=False).evaluate(_single_in(node))

    def match(properties: dict) -> bool:
        try:
            return bool(predicate(properties))
        except TypeError:  # a comparison with a missing (None) value: not a match
            return False

    return match
