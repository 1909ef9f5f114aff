"""The guard language: typed, checked at load time, and unable to reach Python."""

import pytest

from regflow.engine import SpecError
from regflow.engine.spec.guards import GuardSyntaxError, compile_guard
from regflow.engine.spec.model import Fact

FACTS = {
    "concern": Fact("concern", "enum", "Concern", ("none", "serious", "significant")),
    "risk": Fact("risk", "enum", "Risk", ("low", "medium", "high")),
    "days": Fact("days", "number", "Days"),
    "same_inspector": Fact("same_inspector", "bool", "Same inspector"),
    "published_on": Fact("published_on", "date", "Published on"),
    "authority": Fact("authority", "text", "Authority"),
}


@pytest.mark.parametrize(("expression", "values", "expected"), [
    ('concern == "significant"', {"concern": "significant"}, True),
    ('concern == "significant"', {"concern": "serious"}, False),
    ('concern == "significant"', {}, False),  # no value yet reads as empty
    ('concern in ["serious", "significant"] and risk != "low"', {"concern": "serious", "risk": "high"}, True),
    ("days >= 3", {"days": 3}, True),
    ("days >= 3", {"days": 2}, False),
    ("not same_inspector", {}, True),
    ('published_on < d"2027-01-01"', {"published_on": __import__("datetime").date(2026, 6, 1)}, True),
    ('published_on < d"2027-01-01"', {}, False),  # a date not yet known never satisfies
    ('authority =~ "Cardiff.*"', {"authority": "Cardiff Council"}, True),
])
def test_guards_evaluate_over_facts(expression, values, expected):
    assert compile_guard(expression, FACTS).holds(values) is expected


@pytest.mark.parametrize(("expression", "fragment"), [
    ("__import__('os').system('echo pwned')", "unknown function '__import__': function calls are not allowed"),
    ("concern.__class__.__mro__", "attribute '__class__' is not allowed"),
    ("days.__class__", "attribute '__class__' is not allowed"),
    ("$now > published_on", "'$now' is not allowed"),
    ("$parse_datetime('2020-01-01') == published_on", "not allowed"),
    ("open('/etc/passwd')", "unknown function 'open': function calls are not allowed"),
    ('exec("import os")', "unknown function 'exec': function calls are not allowed"),
    ("concern == 'significant'; import os", "syntax error"),
    ("lambda: 1", "syntax error"),
])
def test_injection_attempts_are_refused_at_load_time(expression, fragment):
    with pytest.raises(GuardSyntaxError) as info:
        compile_guard(expression, FACTS)
    assert fragment in str(info.value)


@pytest.mark.parametrize(("expression", "fragment", "suggestion"), [
    ('concen == "serious"', "unknown fact 'concen'", "'concern'"),
    ('concern == "signficant"', "not a value of enum fact 'concern'", '"significant"'),
    ('risk in ["low", "hgh"]', "not a value of enum fact 'risk'", '"high"'),
    ('days == "three"', 'cannot be compared with the text "three"', None),
    ('concern == 3', "cannot be compared with the number 3", None),
    ('published_on > "2020-01-01"', 'date literals written d"2027-01-31"', None),
    ("days > published_on", "type error", None),
    ("concern", "must be true or false", None),
    ("days >", "syntax error", None),
    ("", "non-empty", None),
])
def test_mistakes_are_explained(expression, fragment, suggestion):
    with pytest.raises(GuardSyntaxError) as info:
        compile_guard(expression, FACTS)
    assert fragment in str(info.value)
    assert info.value.suggestion == suggestion


def test_syntax_error_column_points_into_the_file(problems):
    from conftest import REVIEW, line_of

    found = problems(("guard = 'concern == \"significant\"'", "guard = 'concern == \"significant\" andd x'"))
    (p,) = [p for p in found if "syntax error" in p.message]
    line = REVIEW.read_text().splitlines()[line_of(REVIEW.read_text(), "guard = 'concern") - 1]
    # column of the offending word: the value starts after "guard = '", then 27 characters in
    assert p.line == line_of(REVIEW.read_text(), "guard = 'concern")
    assert p.column == line.index("'") + 1 + len('concern == "significant" ') + 1


def test_a_guard_in_a_spec_cannot_run_code(tmp_path, variant):
    marker = tmp_path / "pwned"
    with pytest.raises(SpecError):
        variant(("guard = 'concern == \"significant\"'",
                 f"guard = '__import__(\"os\").system(\"touch {marker}\")'"))
    assert not marker.exists()


def test_guard_reports_the_facts_it_reads():
    assert compile_guard('concern == "serious" and not same_inspector', FACTS).names == {
        "concern", "same_inspector"}


def test_every_fact_a_guard_reads_is_found_even_inside_lists():
    guard = compile_guard('same_inspector and concern in ["serious", "significant"] '
                          'and risk in ["high"]', FACTS)
    assert guard.names == {"same_inspector", "concern", "risk"}
    # answers are kept per fact values: a different value of any read fact is a new answer
    assert guard.holds({"same_inspector": True, "concern": "serious", "risk": "high"})
    assert not guard.holds({"same_inspector": True, "concern": "none", "risk": "high"})
    assert not guard.holds({"same_inspector": True, "concern": "serious", "risk": "low"})


def test_forbidden_names_are_found_inside_lists_too():
    with pytest.raises(GuardSyntaxError, match="not allowed"):
        compile_guard("published_on in [$now]", FACTS)


def test_a_guard_in_plain_words(review):
    from regflow.engine.spec.guards import guard_words

    assert guard_words('concern == "significant"', review.facts) == "Level of concern is significant"
    assert guard_words('not further_notice or concern != "none"', review.facts) == (
        f"not {review.facts['further_notice'].label} or Level of concern is not none")
    assert guard_words('concern in ["serious", "significant"]', review.facts) == (
        "Level of concern is one of: serious, significant")
