"""Guards in ECMAScript, for SCXML's ECMAScript data model.

A guard is a rule-engine expression over typed facts; this walks the expression tree that
rule-engine parsed (never the text) and writes the same test in ECMAScript. A fact is read
through ``fact('name', name)``: the value the event carries if it sets it, else the data
model's variable of that name (SCXML evaluates ``cond`` before a transition's assignments,
while regflow tests a guard on the facts with the event's applied). Dates are ISO strings
(``"2027-01-31"``), which order like dates; a date not yet known is ``null`` and, as in
regflow, ordering it against a date fails. What has no faithful translation (calls to plugin
functions, regular expressions, times of day) raises :class:`Untranslatable` with the reason.
"""

from __future__ import annotations

from datetime import datetime

import rule_engine.ast as ast

from regflow.engine.spec.guards import _MATCH_PREFIX, Guard


class Untranslatable(ValueError):
    """A guard with no faithful ECMAScript form; the message says why."""


#: Defines ``fact(name, current)`` in the SCXML document's ``<script>``.
FACT_FUNCTION = ("function fact(name, current) { var d = _event.data; "
                 "return (d && d[name] !== undefined) ? d[name] : current; }")

#: ECMAScript's reserved words: a fact named like one gets a trailing underscore as a variable.
RESERVED = frozenset(("break", "case", "catch", "class", "const", "continue", "debugger",
    "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for",
    "function", "if", "import", "in", "instanceof", "new", "null", "return", "super", "switch",
    "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "let",
    "static", "implements", "interface", "package", "private", "protected", "public", "await",
    "arguments", "eval", "undefined", "NaN", "Infinity", "fact"))


def variable(fact: str) -> str:
    """The data model variable that holds ``fact`` (its name, unless that is reserved)."""
    return f"{fact}_" if fact in RESERVED else fact

_COMPARE = {"eq": "===", "ne": "!==", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_ARITHMETIC = {"add": "+", "sub": "-", "mul": "*", "tdiv": "/", "mod": "%"}


def js_string(text: str) -> str:
    """``text`` as a single-quoted ECMAScript string (readable inside XML attributes)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def to_ecmascript(guard: Guard) -> str:
    """The guard as an ECMAScript boolean expression, or :class:`Untranslatable`."""
    return _js(guard.expression)


def literal(value) -> str:
    """A fact value (as regflow stores it) as an ECMAScript literal."""
    if value is None:
        return "null"
    if hasattr(value, "isoformat"):
        return js_string(value.isoformat()[:10])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return js_string(str(value))


def _js(node: ast.ExpressionBase) -> str:
    if isinstance(node, ast.SymbolExpression):
        if node.scope is not None:
            raise Untranslatable(f"'${node.name}' has no ECMAScript form")
        if node.name.startswith(_MATCH_PREFIX):  # regflow matches regular expressions on RE2
            raise Untranslatable("a regular-expression match (RE2 syntax) has no faithful "
                                 "ECMAScript form")
        return f"fact({js_string(node.name)}, {variable(node.name)})"
    if isinstance(node, ast.BooleanExpression):
        return "true" if node.value else "false"
    if isinstance(node, ast.StringExpression):
        return js_string(node.value)
    if isinstance(node, ast.FloatExpression):
        return format(node.value.normalize(), "f")
    if isinstance(node, ast.DatetimeExpression):
        value: datetime = node.value
        if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
            raise Untranslatable(f"the time of day in {value.isoformat()} has no ECMAScript "
                                 "form here (facts are dates)")
        return js_string(value.date().isoformat())
    if isinstance(node, ast.ArrayExpression):
        return "[" + ", ".join(_js(v) for v in node.value) + "]"
    if isinstance(node, ast.LogicExpression):
        op = {"and": "&&", "or": "||"}[node.type]
        return f"({_js(node.left)} {op} {_js(node.right)})"
    if isinstance(node, ast.UnaryExpression):
        if node.type == "not":
            return f"!({_js(node.right)})"
        if node.type == "uminus":
            return f"(-{_js(node.right)})"
    if isinstance(node, ast.ArithmeticComparisonExpression):
        left, right, op = _js(node.left), _js(node.right), _COMPARE[node.type]
        # rule-engine cannot order a date that is not known yet: the guard does not hold
        return f"({left} !== null && {right} !== null && {left} {op} {right})"
    if isinstance(node, ast.ComparisonExpression) and node.type in _COMPARE:
        return f"({_js(node.left)} {_COMPARE[node.type]} {_js(node.right)})"
    if isinstance(node, ast.ContainsExpression):
        if not isinstance(node.container, ast.ArrayExpression):
            raise Untranslatable("'in' over text has no faithful ECMAScript form here")
        return f"({_js(node.container)}.indexOf({_js(node.member)}) >= 0)"
    if isinstance(node, ast.ArithmeticExpression | ast.AddExpression | ast.SubtractExpression):
        op = _ARITHMETIC.get(node.type)
        if op is None:
            raise Untranslatable(f"the operator '{node.type}' has no ECMAScript form here")
        return f"({_js(node.left)} {op} {_js(node.right)})"
    if isinstance(node, ast.TernaryExpression):
        return f"({_js(node.condition)} ? {_js(node.case_true)} : {_js(node.case_false)})"
    if isinstance(node, ast.FunctionCallExpression):
        name = getattr(node.function, "name", "?")
        raise Untranslatable(f"it calls {name}(), a plugin's Python function, which has no "
                             "ECMAScript form")
    raise Untranslatable(f"{type(node).__name__} has no ECMAScript form here")
