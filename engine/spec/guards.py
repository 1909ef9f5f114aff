"""Guards: a safe, typed expression language over facts, checked when the spec loads.

Guards are written in rule-engine's syntax (``concern_level == "significant" and risk != "low"``).
rule-engine parses to its own AST and evaluates that AST: no Python ``eval``, no attribute access
to Python internals. On top of its type checks this module refuses, at load time, names that are
not declared facts, rule-engine's ``$`` built-ins (they read the clock or the host), function
calls other than to the typed functions plugins provide (``regflow_guard_functions``), and enum
comparisons with values the fact cannot take.

Everything a guard costs is bounded. Its size is limited (characters, operators, nesting), so
parsing and evaluating it cannot run out of stack. Regular-expression matches (``fact =~
"pattern"``) run on RE2 (google-re2), whose matching time grows linearly with the text: no
pattern can backtrack catastrophically. rule-engine would evaluate such a match while parsing
when both sides are fixed, and with Python's backtracking ``re`` later; so each match is taken
out of the expression before rule-engine sees it and stands there as a yes/no value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import re2
import rule_engine
import rule_engine.ast as ast

from ..errors import CaseError
from ..suggest import closest
from .model import Fact

_TYPES = {
    "enum": rule_engine.DataType.STRING,
    "text": rule_engine.DataType.STRING,
    "bool": rule_engine.DataType.BOOLEAN,
    "number": rule_engine.DataType.FLOAT,
    "date": rule_engine.DataType.DATETIME,
}


class GuardSyntaxError(ValueError):
    """A guard that cannot be accepted; ``column`` is 1-based within the expression, if known."""

    def __init__(self, message: str, column: int | None = None, suggestion: str | None = None):
        super().__init__(message)
        self.column = column
        self.suggestion = suggestion


#: limits on one guard: real guards use a tenth of them
MAX_GUARD_CHARS = 1_000
MAX_GUARD_OPERATORS = 50
MAX_GUARD_NESTING = 10

_REGEX_OPS = {"EQ_FZM": ("match", True), "EQ_FZS": ("search", True),
              "NE_FZM": ("match", False), "NE_FZS": ("search", False)}
_OPERATORS = {"AND", "OR", "NOT", "EQ", "NE", "GT", "GE", "LT", "LE", "IN", "ADD", "SUB", "MUL",
              "TDIV", "FDIV", "MOD", "POW", "BWAND", "BWOR", "BWXOR", "BWLSH", "BWRSH", "QMARK",
              "COALESCE", "ATTR", "ATTR_SAFE", "FOR", "IF", *_REGEX_OPS}
# what may stand next to ``fact =~ "pattern"`` so that the match is a whole operand
_BEFORE_MATCH = {"LPAREN", "LBRACKET", "AND", "OR", "NOT", "QMARK", "COLON", "COMMA"}
_AFTER_MATCH = {"RPAREN", "RBRACKET", "AND", "OR", "QMARK", "COLON", "COMMA"}
_MATCH_PREFIX = "_m"  # names standing for matches; facts start with a letter, so never clash


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the message is ours, on the spec's line
    return options


@dataclass(frozen=True)
class _Match:
    """``fact =~ "pattern"`` taken out of a guard: stands as the boolean ``name``."""

    name: str
    fact: str
    pattern: Any  # an RE2 pattern
    method: str  # "match" (=~, !~) or "search" (=~~, !~~)
    positive: bool  # False for the negated operators

    def holds(self, value: Any) -> bool:
        found = getattr(self.pattern, self.method)(value if isinstance(value, str) else "")
        return (found is not None) == self.positive


@dataclass(frozen=True)
class GuardFunction:
    """A function guards may call, from a plugin: ``arguments`` and ``returns`` are fact types
    (``"date"``, ``"number"``, ``"text"``, ``"bool"``). ``function`` receives dates as
    :class:`datetime.date` and numbers as :class:`decimal.Decimal`; it must be pure."""

    name: str
    arguments: tuple[str, ...]
    returns: str
    function: Callable[..., Any]
    description: str = ""
    plugin: str = ""  # filled in by regflow: who provides it, for messages

    def data_type(self) -> Any:
        return rule_engine.DataType.FUNCTION(
            self.name, return_type=_TYPES[self.returns],
            argument_types=tuple(_TYPES[a] for a in self.arguments))

    def __call__(self, *args: Any) -> Any:
        plain = [a.date() if isinstance(a, datetime) else a for a in args]
        try:
            result = self.function(*plain)
        except Exception as err:  # someone else's code: name it; the event is refused
            from regflow.plugins.manager import PluginFailure, record_failure

            failure = PluginFailure(self.plugin or "?", f"guard function {self.name}()",
                                    f"{type(err).__name__}: {err}",
                                    "the guard could not be evaluated, so nothing was recorded")
            record_failure(failure)
            raise GuardFunctionFailed(str(failure)) from None
        if self.returns == "date" and isinstance(result, date) and not isinstance(result, datetime):
            return datetime(result.year, result.month, result.day, tzinfo=UTC)
        if self.returns == "number" and not isinstance(result, bool) and isinstance(result, int | float):
            return Decimal(str(result))
        return result


class GuardFunctionFailed(CaseError):
    """A plugin's guard function raised while a guard was evaluated."""


def guard_functions() -> dict[str, GuardFunction]:
    """Every function plugins offer to guards, by name (a later-registered plugin wins)."""
    from dataclasses import replace

    from regflow.plugins.manager import call_each

    out: dict[str, GuardFunction] = {}
    for plugin, functions in reversed(call_each("regflow_guard_functions",
                                                "guards cannot call its functions")):
        for function in functions:
            if function.returns in _TYPES and all(a in _TYPES for a in function.arguments):
                out[function.name] = replace(function, plugin=plugin)
    return out


class Guard:
    """A compiled guard: ``guard.holds(facts)``."""

    __slots__ = ("_facts", "_functions", "_known", "_matches", "_order", "_rule", "names", "text")

    def __init__(self, text: str, rule: rule_engine.Rule, facts: dict[str, Fact],
                 matches: tuple[_Match, ...] = (),
                 functions: dict[str, GuardFunction] | None = None):
        self.text = text
        self._rule = rule
        self._facts = facts
        self._matches = matches
        self._functions = {n: f for n, f in (functions or {}).items() if n not in facts}
        #: the facts this guard reads
        self.names = frozenset({n for n in _symbols(rule.statement.expression)
                                if not n.startswith(_MATCH_PREFIX) and n not in self._functions}
                               | {m.fact for m in matches})
        self._order = tuple(sorted(self.names))
        self._known: dict[tuple, bool] = {}  # a guard is a pure function of the facts it reads

    @property
    def constant(self) -> bool:
        """True when the guard reads no fact: it always gives the same answer."""
        return not self.names

    @property
    def expression(self) -> ast.ExpressionBase:
        """The parsed expression (for translations, e.g. to ECMAScript for SCXML); a regular
        expression match stands in it as a yes/no symbol named like :attr:`matches`."""
        return self._rule.statement.expression

    @property
    def matches(self) -> dict[str, str]:
        """The symbols standing for regular-expression matches, with the fact each reads."""
        return {m.name: m.fact for m in self._matches}

    def holds(self, values: dict[str, Any]) -> bool:
        """True when the guard holds; a comparison with a date not yet known does not hold."""
        key = tuple(values.get(n) for n in self._order)
        known = self._known.get(key)
        if known is None:
            read = {**self._functions, **guard_values(self._facts, values)}
            for match in self._matches:
                read[match.name] = match.holds(values.get(match.fact))
            try:
                known = bool(self._rule.evaluate(read))
            except rule_engine.errors.FunctionCallError as err:
                if isinstance(err.error, GuardFunctionFailed):
                    raise err.error from None  # a plugin failed: refuse, do not guess
                known = False
            except (rule_engine.EvaluationError, ArithmeticError):
                known = False
            if len(self._known) < 10_000:
                self._known[key] = known
        return known

    def __repr__(self) -> str:
        return f"Guard({self.text!r})"


def _empty(fact: Fact) -> Any:
    return {"enum": "", "text": "", "bool": False, "number": Decimal(0), "date": None}[fact.type]


def guard_values(facts: dict[str, Fact], values: dict[str, Any]) -> dict[str, Any]:
    """Fact values as rule-engine reads them; a fact with no value reads as empty."""
    out: dict[str, Any] = {}
    for name, fact in facts.items():
        value = values.get(name)
        if value is None:
            out[name] = _empty(fact)
        elif fact.type == "date" and isinstance(value, date) and not isinstance(value, datetime):
            out[name] = datetime(value.year, value.month, value.day, tzinfo=UTC)
        elif fact.type == "number":
            out[name] = Decimal(str(value))
        else:
            out[name] = value
    return out


def _context(facts: dict[str, Fact], matches: tuple[_Match, ...] = (),
             functions: dict[str, GuardFunction] | None = None) -> rule_engine.Context:
    types = {name: f.data_type() for name, f in (functions or {}).items()}
    types.update({name: _TYPES[f.type] for name, f in facts.items() if f.type in _TYPES})
    types.update({m.name: rule_engine.DataType.BOOLEAN for m in matches})
    return rule_engine.Context(
        type_resolver=rule_engine.type_resolver_from_dict(types), default_timezone="UTC"
    )


_LITERALS = (
    ast.StringExpression, ast.FloatExpression, ast.BooleanExpression, ast.DatetimeExpression
)


def _children(node: ast.ExpressionBase):
    """Sub-expressions of ``node``; some node classes keep them in ``__slots__``."""
    names = list(getattr(node, "__dict__", {}))
    for cls in type(node).__mro__:
        names.extend(getattr(cls, "__slots__", ()))
    for name in dict.fromkeys(names):
        value = getattr(node, name, None)
        if isinstance(value, ast.ExpressionBase):
            yield value
        elif isinstance(value, tuple | list):
            yield from (v for v in value if isinstance(v, ast.ExpressionBase))


def _symbols(node: ast.ExpressionBase):
    if isinstance(node, ast.SymbolExpression):
        yield node.name
    for child in _children(node):
        yield from _symbols(child)


def _check_tree(node: ast.ExpressionBase, facts: dict[str, Fact],
                functions: dict[str, GuardFunction]) -> None:
    if isinstance(node, ast.SymbolExpression) and node.scope is not None:
        raise GuardSyntaxError(f"'${node.name}' is not allowed: guards may only read facts")
    if isinstance(node, ast.FunctionCallExpression) and not (
            isinstance(node.function, ast.SymbolExpression) and node.function.scope is None
            and node.function.name in functions and node.function.name not in facts):
        offered = ", ".join(f"{n}()" for n in functions)
        raise GuardSyntaxError("function calls are not allowed in guards" + (
            f", except to the functions plugins provide: {offered}" if offered else ""))
    pairs: list[tuple[ast.ExpressionBase, ast.ExpressionBase]] = []
    if isinstance(node, ast.ComparisonExpression):
        pairs = [(node.left, node.right), (node.right, node.left)]
    elif isinstance(node, ast.ContainsExpression) and isinstance(node.container, ast.ArrayExpression):
        pairs = [(node.member, item) for item in node.container.value]
    for symbol, literal in pairs:
        if not (isinstance(symbol, ast.SymbolExpression) and isinstance(literal, _LITERALS)):
            continue
        fact = facts.get(symbol.name)
        if fact is None:
            continue
        if literal.result_type != _TYPES[fact.type]:
            kinds = {"FLOAT": "the number", "STRING": "the text", "BOOLEAN": "the value",
                     "DATETIME": "the date"}
            shown = str(literal.value).lower() if isinstance(literal.value, bool) else (
                f'"{literal.value}"' if isinstance(literal.value, str) else str(literal.value))
            hint = ' (write a date as d"2027-01-31")' if fact.type == "date" else ""
            raise GuardSyntaxError(
                f"fact '{fact.name}' ({fact.type}) cannot be compared with "
                f"{kinds.get(literal.result_type.name, 'the value')} {shown}{hint}"
            )
        if fact.type == "enum" and literal.value not in fact.values:
            near = closest(literal.value, fact.values)
            raise GuardSyntaxError(
                f"'{literal.value}' is not a value of enum fact '{fact.name}' "
                f"(values: {', '.join(fact.values)})",
                suggestion=f'"{near}"' if near else None,
            )
    for child in _children(node):
        _check_tree(child, facts, functions)


def compile_guard(text: str, facts: dict[str, Fact],
                  functions: dict[str, GuardFunction] | None = None) -> Guard:
    """Compile ``text`` against the declared facts and the functions plugins offer (default:
    :func:`guard_functions`), or raise :class:`GuardSyntaxError`."""
    if not isinstance(text, str) or not text.strip():
        raise GuardSyntaxError("a guard must be a non-empty expression")
    functions = guard_functions() if functions is None else functions
    if len(text) > MAX_GUARD_CHARS:
        raise GuardSyntaxError(f"a guard may have at most {MAX_GUARD_CHARS:,} characters, this "
                               f"one has {len(text):,}: split the rule over states or facts")
    tokens = _tokens(text)
    matches: tuple[_Match, ...] = ()
    if tokens is not None:  # else rule-engine reports the syntax error below
        _check_size(tokens)
        text_for_engine, matches = _take_out_matches(text, tokens, facts)
    else:
        text_for_engine = text
    try:
        rule = rule_engine.Rule(text_for_engine, context=_context(facts, matches, functions))
    except rule_engine.SymbolResolutionError as err:
        if re.search(rf"\b{re.escape(err.symbol_name)}\s*\(", text):
            offered = ", ".join(f"{n}()" for n in functions) or "none is installed"
            near = closest(err.symbol_name, functions)
            raise GuardSyntaxError(
                f"unknown function '{err.symbol_name}': function calls are not allowed in "
                f"guards, except to the functions plugins provide ({offered})",
                column=_find(text, err.symbol_name),
                suggestion=f"'{near}'" if near else None) from None
        near = closest(err.symbol_name, facts)
        raise GuardSyntaxError(
            f"unknown fact '{err.symbol_name}' in guard",
            column=_find(text, err.symbol_name),
            suggestion=f"'{near}'" if near else None,
        ) from None
    except rule_engine.AttributeResolutionError as err:
        raise GuardSyntaxError(
            f"attribute '{err.attribute_name}' is not allowed: guards may only read facts",
            column=_find(text, str(err.attribute_name)),
        ) from None
    except rule_engine.RuleSyntaxError as err:
        token = err.token
        if token is None:
            raise GuardSyntaxError("syntax error: the expression ends too early") from None
        raise GuardSyntaxError(
            f"syntax error at '{token.value}'", column=token.lexpos + 1
        ) from None
    except rule_engine.errors.FunctionCallError as err:
        name = err.function_name or "?"
        found = functions.get(name)
        takes = f": {name}() takes ({', '.join(found.arguments)})" if found else ""
        raise GuardSyntaxError(f"function {name}(): {err.message}{takes}",
                               column=_find(text, name)) from None
    except rule_engine.EvaluationError as err:  # type errors found while compiling
        raise GuardSyntaxError(
            f"type error ({err.message}): compare facts with values of their own type: enum "
            'and text facts with "quoted" values, numbers with numbers, bool facts with true or '
            'false, date facts with date literals written d"2027-01-31"') from None
    except rule_engine.EngineError as err:
        raise GuardSyntaxError(getattr(err, "message", str(err))) from None
    except ArithmeticError as err:  # fixed numbers worked out while parsing
        raise GuardSyntaxError(f"arithmetic on fixed numbers fails: {err}") from None
    except RecursionError:  # a backstop: the size limits keep guards far from it
        raise GuardSyntaxError("the expression is nested too deeply") from None
    _check_tree(rule.statement.expression, facts, functions)
    result = rule.statement.expression.result_type
    if result not in (rule_engine.DataType.BOOLEAN, rule_engine.DataType.UNDEFINED):
        words = {"FLOAT": "a number", "STRING": "text", "DATETIME": "a date"}
        raise GuardSyntaxError("a guard must be true or false, this one gives "
                               + words.get(result.name, result.name.lower()))
    return Guard(text, rule, facts, matches, functions)


def _tokens(text: str) -> list | None:
    """rule-engine's own tokens of ``text`` (None if it cannot read them)."""
    lexer = rule_engine.Rule.parser._lexer.clone()
    lexer.input(text)
    try:
        return list(iter(lexer.token, None))
    except rule_engine.RuleSyntaxError:
        return None


def _check_size(tokens: list) -> None:
    operators = [t for t in tokens if t.type in _OPERATORS]
    if len(operators) > MAX_GUARD_OPERATORS:
        raise GuardSyntaxError(
            f"a guard may have at most {MAX_GUARD_OPERATORS} operators, this one has "
            f"{len(operators)}: split the rule over states or facts",
            column=operators[MAX_GUARD_OPERATORS].lexpos + 1)
    depth = 0
    for token in tokens:
        if token.type in ("LPAREN", "LBRACKET", "LBRACE"):
            depth += 1
            if depth > MAX_GUARD_NESTING:
                raise GuardSyntaxError(f"brackets nested more than {MAX_GUARD_NESTING} deep",
                                       column=token.lexpos + 1)
        elif token.type in ("RPAREN", "RBRACKET", "RBRACE"):
            depth -= 1


def _take_out_matches(text: str, tokens: list, facts: dict[str, Fact]
                      ) -> tuple[str, tuple[_Match, ...]]:
    """``text`` with each ``fact =~ "pattern"`` replaced by a boolean name of the same length
    (columns in later messages stay right), and the matches taken out."""
    matches: list[_Match] = []
    out = text
    for i, token in enumerate(tokens):
        if token.type not in _REGEX_OPS:
            continue
        before = tokens[i - 2].type if i >= 2 else None
        after = tokens[i + 2].type if i + 2 < len(tokens) else None
        fact_token = tokens[i - 1] if i >= 1 else None
        pattern_token = tokens[i + 1] if i + 1 < len(tokens) else None
        if (fact_token is None or fact_token.type != "SYMBOL" or pattern_token is None
                or pattern_token.type != "STRING" or (before and before not in _BEFORE_MATCH)
                or (after and after not in _AFTER_MATCH)):
            raise GuardSyntaxError(
                f"write a pattern match as FACT {token.value} \"pattern\": a fact on the left, "
                "a fixed pattern in quotes on the right (in brackets when it is part of more)",
                column=token.lexpos + 1)
        name = fact_token.value
        fact = facts.get(name)
        if fact is None:
            near = closest(name, facts)
            raise GuardSyntaxError(f"unknown fact '{name}' in guard",
                                   column=fact_token.lexpos + 1,
                                   suggestion=f"'{near}'" if near else None)
        if fact.type not in ("text", "enum"):
            raise GuardSyntaxError(f"'{token.value}' matches text, and '{name}' is a "
                                   f"{fact.type} fact", column=token.lexpos + 1)
        pattern = rule_engine.Rule(pattern_token.value).evaluate(None)
        try:
            compiled = re2.compile(pattern, options=_re2_options())
        except re2.error as err:
            reason = err.args[0].decode() if err.args and isinstance(err.args[0], bytes) else err
            raise GuardSyntaxError(
                f"the pattern {pattern!r} cannot be used: {reason} (patterns run on RE2, "
                "which has no back-references or look-arounds)",
                column=pattern_token.lexpos + 1) from None
        start = fact_token.lexpos
        end = pattern_token.lexpos + len(pattern_token.value)
        stand_in = f"{_MATCH_PREFIX}{len(matches)}".ljust(end - start, "_")
        method, positive = _REGEX_OPS[token.type]
        matches.append(_Match(stand_in, name, compiled, method, positive))
        out = out[:start] + stand_in + out[end:]
    return out, tuple(matches)


def _find(text: str, word: str) -> int | None:
    index = text.find(word)
    return index + 1 if index >= 0 else None


_TOKEN = re.compile(r'"[^"]*"|\'[^\']*\'|[A-Za-z_$][A-Za-z0-9_]*|==|!=|<=|>=|\S')
_WORDS = {"==": "is", "!=": "is not", "and": "and", "or": "or", "not": "not",
          "true": "yes", "false": "no"}


def guard_words(text: str, facts: dict[str, Fact]) -> str:
    """A guard as a person reads it: facts by their labels, ``==`` as "is", values without
    underscores, e.g. ``concern == "significant"`` -> ``Level of concern is significant``."""
    out = []
    for token in _TOKEN.findall(text):
        if token in facts:
            out.append(facts[token].label)
        elif token in _WORDS:
            out.append(_WORDS[token])
        elif token[:1] in "\"'":
            out.append(token[1:-1].replace("_", " "))
        else:
            out.append(token)
    words = " ".join(out).replace(" in [ ", " is one of: ").replace(" ]", "").replace(" ,", ",")
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", words))
