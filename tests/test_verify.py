"""autograde.hidden + autograde.verify: hidden inputs per student, verdicts, the mistake bank.

The kernel side is simulated by running a function through bpcourse.grading.record in a
temporary folder, exactly as a hidden test cell does during grading.
"""
import json
import os

import numpy as np
import pytest

from autograde import hidden
from autograde.source import grade_ids, read_source
from autograde.verify import GENERIC_HINT, read_outputs, verify
from bpcourse.cases import CASES_FILE, encode
from bpcourse.grading import record

A = "00_intro"
EXERCISES = {ex.name: ex for ex in hidden.exercises(A)}
CATALOG = hidden.catalog()   # every topic, notebooks written or not


def recorded(tmp_path, ex, cases, fn):
    """Run ``fn`` the way the grading kernel does and read back what it wrote."""
    encoded = {ex.name: [{k: encode(v) for k, v in c.items()} for c in cases]}
    (tmp_path / CASES_FILE).write_text(json.dumps(encoded))
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        record(ex.name, fn)
    finally:
        os.chdir(cwd)
    return read_outputs(str(tmp_path), ex.name)


def cases_for(ex, student="s1"):
    return ex.cases(np.random.default_rng(hidden.seed_for("secret", student, "any", ex.name)))


def test_every_test_cell_has_a_hidden_spec_and_back():
    nb = read_source(A)
    assert sorted(grade_ids(nb, graded=True)) == sorted(ex.grade_id for ex in EXERCISES.values())
    assert set(EXERCISES) <= set(grade_ids(nb, graded=False))
    for ex in EXERCISES.values():
        cell = next(c for c in nb.cells if c.get("id") == ex.grade_id)
        assert f'record("{ex.name}", {ex.name})' in cell.source


def test_hidden_inputs_depend_on_student_and_secret():
    a = hidden.make_cases("secret", "s1", A)
    assert json.dumps(encode_all(a)) == json.dumps(encode_all(hidden.make_cases("secret", "s1", A)))
    assert json.dumps(encode_all(a)) != json.dumps(encode_all(hidden.make_cases("secret", "s2", A)))
    assert json.dumps(encode_all(a)) != json.dumps(encode_all(hidden.make_cases("other", "s1", A)))


def encode_all(cases):
    return {n: [{k: encode(v) for k, v in c.items()} for c in cs] for n, cs in cases.items()}


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_reference_passes_and_gets_no_hint(tmp_path, name):
    ex = CATALOG[name]
    cases = cases_for(ex)
    v = verify(ex, cases, recorded(tmp_path, ex, cases, ex.reference))
    assert v.passed and v.mistake is None and "пройдена" in v.message


MISTAKES = [(name, m) for name, ex in sorted(CATALOG.items()) for m in ex.mistakes]


@pytest.mark.parametrize("name,mistake", MISTAKES, ids=[f"{n}-{m.name}" for n, m in MISTAKES])
def test_every_mistake_is_recognised_as_itself(tmp_path, name, mistake):
    ex = CATALOG[name]
    cases = cases_for(ex, student="mistaken")
    v = verify(ex, cases, recorded(tmp_path, ex, cases, mistake.fn))
    assert not v.passed
    assert v.mistake == mistake.name, v.message
    assert mistake.hint in v.message


def _perturbed(value, rng):
    if isinstance(value, (tuple, list)):
        return type(value)(_perturbed(v, rng) for v in value)
    return np.asarray(value) * 1.37 + rng.normal()


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_random_wrong_answer_gets_the_generic_message(tmp_path, name):
    ex = CATALOG[name]
    cases = cases_for(ex)
    rng = np.random.default_rng(0)

    def wrong(**kwargs):
        return _perturbed(ex.reference(**kwargs), rng)

    v = verify(ex, cases, recorded(tmp_path, ex, cases, wrong))
    assert not v.passed and v.mistake is None
    assert GENERIC_HINT in v.message and "вход №" in v.message


def test_the_mistake_bank_covers_the_typical_mistakes():
    """The kinds of mistake issue 3 lists each have at least one variant somewhere."""
    names = {m.name for ex in CATALOG.values() for m in ex.mistakes}
    for kind in ["dX_missing_transpose", "missing_1_over_M", "flipped_sign", "derivative_from_z_formula_on_a",
                 "forgot_activation_derivative", "bias_wrong_axis", "bias_not_summed", "missing_1_over_T",
                 "unstable"]:
        assert kind in names, kind


def test_missing_outputs_blank_and_shape_errors(tmp_path):
    ex = EXERCISES["squared_error"]
    cases = cases_for(ex)
    assert not verify(ex, cases, None).passed

    def blank(t, o):
        raise NotImplementedError()

    v = verify(ex, cases, recorded(tmp_path, ex, cases, blank))
    assert not v.passed and "не реализована" in v.message

    ex = EXERCISES["numerical_gradient"]
    cases = cases_for(ex)
    v = verify(ex, cases, recorded(tmp_path, ex, cases, lambda f, x, h=1e-5: np.zeros(x.size + 1)))
    assert not v.passed and "форма результата" in v.message


def test_hard_coded_answer_from_another_student_fails(tmp_path):
    """Outputs computed on one student's inputs do not pass on another's."""
    ex = EXERCISES["rel_error"]
    theirs = cases_for(ex, student="friend")
    answers = iter([ex.reference(**c) for c in theirs])
    mine = cases_for(ex, student="me")
    v = verify(ex, mine, recorded(tmp_path, ex, mine, lambda a, b: next(answers)))
    assert not v.passed


def test_messages_reveal_no_expected_values(tmp_path):
    ex = EXERCISES["numerical_derivative"]
    cases = cases_for(ex)
    expected = [ex.reference(**{k: v for k, v in c.items()}) for c in hidden_decoded(cases)]
    v = verify(ex, cases, recorded(tmp_path, ex, cases, lambda f, x, h=1e-5: 1.0))
    for value in expected:
        assert f"{value:.4g}" not in v.message


def hidden_decoded(cases):
    from bpcourse.cases import decode
    return [{k: decode(encode(v)) for k, v in c.items()} for c in cases]


def test_output_file_that_is_too_large_or_not_json_is_rejected(tmp_path):
    out = tmp_path / ".bpcourse_out"
    out.mkdir()
    (out / "x.json").write_text("{not json")
    assert read_outputs(str(tmp_path), "x") is None
    (out / "y.json").write_text(json.dumps({"results": []}) + " " * 5_000_000)
    assert read_outputs(str(tmp_path), "y") is None


@pytest.mark.parametrize("name,mistake", MISTAKES, ids=[f"{n}-{m.name}" for n, m in MISTAKES])
def test_every_mistake_is_detectable_for_every_student(tmp_path, name, mistake):
    """The hidden inputs of *any* student must tell each variant from the reference: a variant
    that happens to agree on someone's inputs would pass for them."""
    ex = CATALOG[name]
    for k in range(12):
        cases = cases_for(ex, student=f"student{k}")
        v = verify(ex, cases, recorded(tmp_path, ex, cases, mistake.fn))
        assert not v.passed, f"{mistake.name} passes for student{k}"
