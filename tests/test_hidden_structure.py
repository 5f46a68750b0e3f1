"""Grading rule 3: every student's hidden inputs cover the same edge cases.

Hidden inputs are drawn per student (seeded by the course secret, the student id, the
assignment and the exercise), so the *values* differ; their *structure* must not, or the same
code gets different grades for different students (a cross-entropy that clips at 1e-7 passed
for 99 % of the students when only some of them had a tiny probability).

For every exercise of every assignment, over many student ids, the cases must agree on:
the number of cases; each case's argument names, in order; each argument's Python type as the
student's function receives it (an int stays an int); for a test function, which one it is; for
an array, its number of dimensions, which axes have length 1, whether it is square, whether it
holds exact zeros; for a list, its length and its elements' structure; and the exercise's own
``features(cases)`` (what the above cannot see: "a zero in the ReLU input", "a probability
below 1e-8"…), when it declares them.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from autograde import hidden
from bpcourse.cases import decode, encode

SECRET = "a fixed course secret"
EXERCISES = [(a, ex) for a in hidden.assignments() for ex in hidden.exercises(a)]
IDS = [f"{a}:{ex.name}" for a, ex in EXERCISES]
student_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=24)


def structure(value):
    """What must be the same for every student (types and shapes, no values)."""
    if isinstance(value, dict) and "fn" in value:         # a test function, as the spec names it
        return ("function", value["fn"], tuple(sorted((k, structure(v)) for k, v in value["params"].items())))
    received = decode(encode(value))                      # what the student's function receives
    if isinstance(received, list):
        return ("list", len(received), tuple(structure(v) for v in value))
    if isinstance(received, np.ndarray):
        shape = received.shape
        return ("ndarray", received.ndim, tuple(i for i, n in enumerate(shape) if n == 1),
                received.ndim == 2 and shape[0] == shape[1], received.size == 0,
                bool(received.size) and bool(np.any(received == 0)))
    return (type(received).__name__,)


def signature(cases: list) -> tuple:
    return (len(cases), tuple(tuple((name, structure(v)) for name, v in case.items()) for case in cases))


def cases_of(assignment, ex, student):
    """The hidden cases of one exercise, exactly as :func:`autograde.hidden.make_cases` draws them."""
    return hidden.exercise_cases(SECRET, student, assignment, ex)


def test_cases_of_is_make_cases():
    for a in hidden.assignments():
        every = hidden.make_cases(SECRET, "someone", a)
        for ex in hidden.exercises(a):
            assert signature(cases_of(a, ex, "someone")) == signature(every[ex.name])


def describe_difference(a, b) -> str:
    if a[0] != b[0]:
        return f"number of cases {a[0]} vs {b[0]}"
    for i, (ca, cb) in enumerate(zip(a[1], b[1]), start=1):
        if ca != cb:
            return f"case {i}: {ca} vs {cb}"
    return "?"


REFERENCE_STUDENT = "reference-student"


@pytest.mark.parametrize("assignment,ex", EXERCISES, ids=IDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(student=student_ids)
def test_every_student_gets_the_same_structure(assignment, ex, student):
    ref = cases_of(assignment, ex, REFERENCE_STUDENT)
    mine = cases_of(assignment, ex, student)
    a, b = signature(ref), signature(mine)
    assert a == b, f"{ex.name}: {student!r} differs from {REFERENCE_STUDENT!r}: {describe_difference(a, b)}"
    if ex.features is not None:
        fa, fb = ex.features(ref), ex.features(mine)
        hash(fa)
        assert fa == fb, f"{ex.name}: features of {student!r}: {fb!r}, of {REFERENCE_STUDENT!r}: {fa!r}"


@pytest.mark.parametrize("assignment,ex", EXERCISES, ids=IDS)
def test_a_sweep_of_student_ids(assignment, ex):
    """Deterministic too: 300 consecutive ids (a rare structure shows up in a class this size)."""
    ref = signature(cases_of(assignment, ex, REFERENCE_STUDENT))
    feats = ex.features(cases_of(assignment, ex, REFERENCE_STUDENT)) if ex.features else None
    for k in range(300):
        cases = cases_of(assignment, ex, f"student{k}")
        assert signature(cases) == ref, f"{ex.name}: student{k}: {describe_difference(ref, signature(cases))}"
        if ex.features is not None:
            assert ex.features(cases) == feats, f"{ex.name}: student{k}: features differ"


def test_the_property_can_fail():
    """The signature sees the differences rule 3 is about (so the tests above are not vacuous)."""
    base = [{"x": np.ones((3, 2)), "i": 1, "f": {"fn": "poly", "params": {"c": np.ones(3)}}}]
    variants = [
        [],                                                                      # fewer cases
        [{"x": np.ones((3, 2)), "i": 1.0, "f": base[0]["f"]}],                   # int became float
        [{"i": 1, "x": np.ones((3, 2)), "f": base[0]["f"]}],                     # other order
        [{"x": np.ones((3, 3)), "i": 1, "f": base[0]["f"]}],                     # square now
        [{"x": np.ones((1, 2)), "i": 1, "f": base[0]["f"]}],                     # a length-1 axis
        [{"x": np.ones(6), "i": 1, "f": base[0]["f"]}],                          # other ndim
        [{"x": np.zeros((3, 2)), "i": 1, "f": base[0]["f"]}],                    # zeros appear
        [{"x": np.ones((3, 2)), "i": 1, "f": {"fn": "wave", "params": {"a": 1.0, "b": 1.0, "c": 1.0}}}],
        [{"x": [np.ones(2)], "i": 1, "f": base[0]["f"]}],                        # a list now
    ]
    for v in variants:
        assert signature(v) != signature(base), v
    assert signature([{"x": np.full((4, 2), 7.0), "i": 5, "f": {"fn": "poly", "params": {"c": np.ones(3) * 2}}}]) \
        == signature(base)                                                       # values may differ


def test_every_assignment_has_exercises():
    assert all(hidden.exercises(a) for a in hidden.assignments())
