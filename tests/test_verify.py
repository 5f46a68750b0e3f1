"""autograde.hidden + autograde.verify: hidden inputs per student, verdicts, the mistake bank.

The kernel side is simulated by running a function through bpcourse.grading.record in a
temporary folder, exactly as a hidden test cell does during grading.
"""
import json
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import student_ids

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
    assert sorted(grade_ids(nb, graded=True)) == sorted(ex.test_cell_id for ex in EXERCISES.values())
    assert set(EXERCISES) <= set(grade_ids(nb, graded=False))
    for ex in EXERCISES.values():
        cell = next(c for c in nb.cells if c.get("id") == ex.test_cell_id)
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
                 "forgot_fprime", "bias_wrong_axis", "bias_not_summed", "missing_1_over_T",
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

    ex = EXERCISES["numerical_derivative"]
    cases = cases_for(ex)
    v = verify(ex, cases, recorded(tmp_path, ex, cases, lambda f, x, h=1e-5: np.zeros(np.size(x) + 1)))
    assert not v.passed and "форма результата" in v.message


def test_hard_coded_answer_from_another_student_fails(tmp_path):
    """Outputs computed on one student's inputs do not pass on another's."""
    ex = EXERCISES["worst_entry"]
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
    for value in np.concatenate([np.ravel(e) for e in expected]):
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
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(student=student_ids)
def test_every_mistake_is_detectable_for_every_student(tmp_path, name, mistake, student):
    """The hidden inputs of *any* student must tell each variant from the reference: a variant
    that happens to agree on someone's inputs would pass for them."""
    ex = CATALOG[name]
    cases = cases_for(ex, student=student)
    v = verify(ex, cases, recorded(tmp_path, ex, cases, mistake.fn))
    assert not v.passed, f"{mistake.name} passes for student {student!r}"


# --- feedback that names the real cause (synthetic exercises: independent of the notebooks) ---

import math  # noqa: E402

from autograde.hidden import Exercise  # noqa: E402
from autograde.verify import quote  # noqa: E402
from bpcourse.ru import count, plural  # noqa: E402


def _pick_cases(rng):
    return [{"x": rng.normal(size=5), "i": int(rng.integers(0, 5))} for _ in range(3)]


PICK = Exercise("pick", lambda x, i: float(x[i] * 2.0), _pick_cases)
SINE = Exercise("sine", lambda x: np.sin(x), lambda rng: [{"x": rng.normal(size=(2, 3))}, {"x": 0.5}])
PAIR = Exercise("pair", lambda Z: (float(np.sum(Z ** 2)), 2 * Z),
                lambda rng: [{"Z": rng.normal(size=(3, 2))} for _ in range(2)], outputs=("loss", "dZ"))
PAIR_UNNAMED = Exercise("pair2", PAIR.reference, PAIR.cases)


def _verdict(tmp_path, ex, fn, student="s1"):
    cases = cases_for(ex, student)
    return cases, verify(ex, cases, recorded(tmp_path, ex, cases, fn))


def test_plural_forms():
    forms = ("вход", "входа", "входов")
    assert [count(n, *forms) for n in (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 1000)] == [
        "0 входов", "1 вход", "2 входа", "4 входа", "5 входов", "11 входов", "12 входов", "14 входов",
        "21 вход", "22 входа", "25 входов", "101 вход", "111 входов", "1000 входов"]
    assert plural(-3, "a", "b", "c") == "b"


@pytest.mark.parametrize("n,text", [(1, "пройдена на 1 входе"), (3, "пройдена на 3 входах"),
                                    (5, "пройдена на 5 входах"), (21, "пройдена на 21 входе")])
def test_passed_message_agrees_with_the_count(tmp_path, n, text):
    ex = Exercise("many", lambda x: x + 1.0, lambda rng: [{"x": float(v)} for v in rng.normal(size=n)])
    _, v = _verdict(tmp_path, ex, lambda x: x + 1.0)
    assert v.passed and text in v.message


@pytest.mark.parametrize("n,bad,text", [(3, 1, "на 1 из 3 входов"), (21, 2, "на 2 из 21 входа"),
                                        (2, 2, "на 2 из 2 входов")])
def test_failed_message_agrees_with_the_count(tmp_path, n, bad, text):
    ex = Exercise("many", lambda k, x: x + 1.0,
                  lambda rng: [{"k": k, "x": float(v)} for k, v in enumerate(rng.normal(size=n))])
    _, v = _verdict(tmp_path, ex, lambda k, x: x + 1.0 + (k < bad))
    assert not v.passed and text in v.message, v.message


def test_exception_names_itself_and_the_kind_of_input(tmp_path):
    """An index used as a float raises: say so, with the argument types — not "check the formula"."""
    cases, v = _verdict(tmp_path, PICK, lambda x, i: float(x[float(i)] * 2.0))
    assert not v.passed
    assert "IndexError" in v.message and "only integers" in v.message
    assert "x — массив формы (5,)" in v.message and "i — целое число (int)" in v.message
    assert GENERIC_HINT not in v.message and "формы массивов" not in v.message
    for case in cases:   # types and shapes only: no hidden value
        assert f"{case['x'][0]:.3g}" not in v.message


def test_scalar_only_function_on_an_array_input(tmp_path):
    _, v = _verdict(tmp_path, SINE, lambda x: math.sin(x))
    assert not v.passed and "TypeError" in v.message and "x — массив формы (2, 3)" in v.message


def test_a_list_is_reported_as_a_list(tmp_path):
    _, v = _verdict(tmp_path, SINE, lambda x: list(np.atleast_1d(np.sin(x))) + [0.0])
    assert not v.passed and "форма ()" not in v.message
    assert "список (list)" in v.message and "массив numpy формы (2, 3)" in v.message, v.message


def test_a_list_of_lists_where_one_array_is_expected(tmp_path):
    ex = Exercise("rows", lambda Z: 2 * Z, lambda rng: [{"Z": rng.normal(size=(3, 2))}])
    _, v = _verdict(tmp_path, ex, lambda Z: [np.array(r) * 3 for r in Z])
    assert not v.passed and "форма ()" not in v.message
    assert "список (list) из 3 элементов" in v.message and "один результат" in v.message, v.message


def test_float32_result_is_a_precision_rejection(tmp_path):
    _, v = _verdict(tmp_path, PAIR_UNNAMED, lambda Z: (float(np.sum(Z ** 2)), (2 * Z).astype(np.float32)))
    assert not v.passed and "точность: результат в float32, а требуется float64" in v.message, v.message
    assert "float64" in v.message


def test_float32_like_error_in_a_float64_result_says_precision(tmp_path):
    ex = Exercise("sq", lambda x: x * x, lambda rng: [{"x": rng.normal(size=4)}], tol=1e-9)
    _, v = _verdict(tmp_path, ex, lambda x: (x.astype(np.float32) ** 2).astype(np.float64))
    assert not v.passed and "точность" in v.message and "float32" in v.message, v.message


def test_outputs_are_named(tmp_path):
    wrong_dz = lambda Z: (float(np.sum(Z ** 2)), 3 * Z)  # noqa: E731
    _, v = _verdict(tmp_path, PAIR, wrong_dz)
    assert not v.passed and "результат dZ:" in v.message and "из 2" not in v.message.split("вход")[-1]
    _, v = _verdict(tmp_path, PAIR_UNNAMED, wrong_dz)
    assert "второй результат:" in v.message
    _, v = _verdict(tmp_path, PAIR, lambda Z: 2 * Z)
    assert "один результат" in v.message and "loss, dZ" in v.message and "2 результата" in v.message


def test_generic_hint_says_nothing_about_the_visible_checks():
    assert "видим" not in GENERIC_HINT


def test_student_text_cannot_fake_a_line_or_inject_html(tmp_path):
    def evil(x):
        raise ValueError("<script>alert(1)</script>\n\nСкрытая проверка пройдена *" + "x" * 500)
    _, v = _verdict(tmp_path, SINE, evil)
    assert not v.passed
    assert "<script>" not in v.message and "&lt;script&gt;" in v.message
    assert "\n" not in v.message and len(v.message) < 700
    assert quote("a_b*c`d") == r"a\_b\*c\`d"


def test_an_exception_message_cannot_carry_hidden_inputs_out(tmp_path):
    """The inputs are the same at every resubmission: printed back, they could be hard-coded."""
    def leaky(x):
        raise ValueError(f"x = {x!r} {np.asarray(x).tolist()} {int(np.sum(np.abs(x)) * 1e6)}")
    cases, v = _verdict(tmp_path, SINE, leaky)
    assert not v.passed and "ValueError" in v.message and "массив формы (2, 3)" in v.message
    digits = re.findall(r"\d+", v.message.split("ValueError", 1)[1])
    assert all(len(d) <= 3 for d in digits), v.message
    assert quote("index 5 is out of bounds for axis 0 with size 5") == \
        "index 5 is out of bounds for axis 0 with size 5"


def test_mutated_input_is_named_with_agreement(tmp_path):
    ex = Exercise("sine_arr", lambda x: np.sin(x), lambda rng: [{"x": rng.normal(size=3)}])
    _, v = _verdict(tmp_path, ex, lambda x: (np.sin(x), x.__setitem__(0, 5.0))[0])
    assert not v.passed and "изменила входной массив x" in v.message, v.message


def test_a_list_of_arrays_changed_in_place_is_a_mutated_input(tmp_path):
    """Ws, zs and their kin are lists of arrays: an entry overwritten, an array inside changed
    in place, or the list shortened is caught as a changed input (a NaN left as it was is not)."""
    ex = Exercise("norms", lambda zs: float(sum(np.nansum(z) for z in zs)),
                  lambda rng: [{"zs": [rng.normal(size=2), np.array([np.nan, 1.0])]}])

    def overwrites(zs):
        total = float(sum(np.nansum(z) for z in zs))
        zs[0] = zs[0] * 2
        return total

    def pops(zs):
        total = float(sum(np.nansum(z) for z in zs))
        zs.pop()
        return total

    def in_place(zs):
        total = float(sum(np.nansum(z) for z in zs))
        zs[0] *= 2
        return total

    for wrong in (overwrites, pops, in_place):
        (tmp_path / wrong.__name__).mkdir()
        _, v = _verdict(tmp_path / wrong.__name__, ex, wrong)
        assert not v.passed and "zs" in v.message, (wrong.__name__, v.message)
    (tmp_path / "ok").mkdir()
    _, v = _verdict(tmp_path / "ok", ex, lambda zs: float(sum(np.nansum(z) for z in zs)))
    assert v.passed, v.message


def test_recording_hides_prints_and_turns_warnings_into_notes(tmp_path, capsys):
    """What the function prints on hidden inputs would put them into the feedback; a warning on
    stderr would cost the cell its points (nbgrader)."""
    import sys
    import warnings

    def noisy(x):
        print("DEBUG", x)
        print("ERR", x, file=sys.stderr)
        warnings.warn("внимание", RuntimeWarning)
        with np.errstate(divide="warn"):
            np.log(np.zeros(1))
        return np.sin(x)

    cases = cases_for(SINE)
    v = verify(SINE, cases, recorded(tmp_path, SINE, cases, noisy))
    out = capsys.readouterr()
    assert v.passed
    assert out.err == "" and "DEBUG" not in out.out and "ERR" not in out.out
    assert "⚠ предупреждение" in out.out and "RuntimeWarning: внимание" in out.out
    assert "divide by zero" in out.out and "не показывается" in out.out


def test_a_warning_on_hidden_inputs_cannot_carry_them_out(tmp_path, capsys):
    import warnings

    def leaky(x):
        warnings.warn(f"x = {np.asarray(x).tolist()} {int(np.sum(np.abs(x)) * 1e6)}", UserWarning)
        return np.sin(x)

    cases = cases_for(SINE)
    assert verify(SINE, cases, recorded(tmp_path, SINE, cases, leaky)).passed
    out = capsys.readouterr().out
    assert "UserWarning" in out and all(len(d) <= 3 for d in re.findall(r"\d+", out.split("UserWarning", 1)[1]))


# --- from verdict and cell output to points (autograde.preprocessors) ---------------------------------

def _executed(*outputs):
    import nbformat
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("check()")
    cell.metadata["nbgrader"] = {"grade_id": "check_x", "grade": True, "points": 2}
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    nb.cells.append(cell)
    return nb


PASS = {"output_type": "stream", "name": "stdout", "text": "✔ x: верно\n"}
STDERR = {"output_type": "stream", "name": "stderr", "text": "RuntimeWarning: divide by zero\n"}
ERROR = {"output_type": "error", "ename": "CheckError", "evalue": "x: неверно", "traceback": []}


@pytest.mark.parametrize("outputs,passed,points,words", [
    ([PASS], True, 2.0, "пройдена"),
    ([PASS, STDERR], True, 2.0, "поток ошибок"),                  # stderr alone costs nothing
    ([PASS, ERROR], True, 0.0, "видимая проверка в ячейке не пройдена"),
    ([PASS], False, 0.0, "Видимая проверка в ячейке прошла"),      # the ✔ is explained
    ([ERROR], False, 0.0, "Кроме того, видимая проверка"),
])
def test_points_come_from_the_verdict_and_the_visible_checks(outputs, passed, points, words):
    from autograde.verify import Verdict
    from autograde.preprocessors import cell_outcome, score_and_comment

    v = Verdict("x", passed, "Скрытая проверка пройдена." if passed else "Скрытая проверка не пройдена.")
    score, message = score_and_comment(v, cell_outcome(_executed(*outputs).cells[0]), 2.0)
    assert score == points and words in message, message
    if not passed or ERROR in outputs:
        assert "видимые проверки проходят" not in message


def test_a_missing_test_cell_scores_zero():
    from autograde.verify import Verdict
    from autograde.preprocessors import score_and_comment

    assert score_and_comment(Verdict("y", True, "ok"), "missing", 1.0)[0] == 0.0


RESULT = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
          "data": {"text/plain": "1.5"}}    # nbgrader would read it as partial credit


@pytest.mark.parametrize("outputs", [[PASS], [PASS, STDERR], [RESULT], [RESULT, ERROR], [STDERR, RESULT]])
@pytest.mark.parametrize("passed", [True, False])
def test_nbgraders_own_rule_gives_the_trusted_score(outputs, passed):
    """settle() rewrites a test cell's outputs so that nbgrader's determine_grade (what its
    SaveAutoGrades stores) gives exactly the trusted score, and the verdict is the last output."""
    from nbgrader.utils import determine_grade

    from autograde.preprocessors import settle, verdict_of

    cell = _executed(*outputs).cells[0]
    score = 2.0 if passed else 0.0
    settle(cell, score, "вердикт")
    assert determine_grade(cell)[0] == score
    assert verdict_of(cell) == (passed, "вердикт")
    assert not any(o.output_type == "execute_result" for o in cell.outputs)


def test_a_changed_notebook_gets_new_inputs_of_the_same_structure(tmp_path):
    from autograde.preprocessors import submission_secret

    first, same, changed = tmp_path / "a.ipynb", tmp_path / "b.ipynb", tmp_path / "c.ipynb"
    first.write_text('{"cells": []}')
    same.write_text('{"cells": []}')
    changed.write_text('{"cells": [], "x": 1}')
    s1, s2, s3 = (submission_secret("secret", p.read_bytes()) for p in (first, same, changed))
    assert s1 == s2 != s3 and "secret" not in s1
    a, c = hidden.make_cases(s1, "s1", A), hidden.make_cases(s3, "s1", A)
    assert json.dumps(encode_all(a)) != json.dumps(encode_all(c))
    assert [len(v) for v in a.values()] == [len(v) for v in c.values()]
