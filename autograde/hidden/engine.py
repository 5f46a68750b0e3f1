"""Hidden checks of notebook 02: each `_backward` of the engine and `backward()`, in isolation.

Random expression programs (see :mod:`bpcourse.graphs`) are built with the student's Value;
only the operation under test uses the student's code. Inputs are drawn per student.
"""
from __future__ import annotations

import numpy as np

from autograde.hidden import Exercise
from bpcourse.graphs import run_program
from solutions.engine import Value
from solutions.mistakes import engine as m

#: op -> program templates over 3 leaves (nodes 0, 1, 2); `{k}` is a random exponent
TEMPLATES = {
    "add": ["add 0 1; mul 3 0; add 4 3; add 5 2", "add 0 0; mul 3 1; add 4 4"],
    "mul": ["mul 0 1; mul 3 0; add 4 3; mul 5 5", "mul 0 0; mul 3 2; add 4 1"],
    "pow": ["pow 0 {k}; mul 3 1; pow 4 2; add 5 3", "add 0 1; pow 3 {k}; mul 4 2"],
    "exp": ["mul 0 1; exp 3; add 4 3; exp 2; mul 6 5", "exp 0; exp 3; add 4 1"],
    "log": ["log 0; mul 3 1; log 4; add 5 3", "mul 0 1; log 3; add 4 2; log 5"],
    "sigmoid": ["mul 0 1; sigmoid 3; add 4 3; sigmoid 5", "sigmoid 0; mul 3 3; sigmoid 4; add 5 2"],
    "relu": ["add 0 1; relu 3; mul 4 2; relu 5; add 6 4", "relu 0; relu 1; mul 3 4; relu 2; add 5 6"],
}
BACKWARD_TEMPLATES = ["mul 0 1; add 3 0; sigmoid 4; mul 5 3; add 6 2",
                      "add 0 1; mul 3 3; exp 2; mul 5 4; add 6 3; mul 7 0",
                      "mul 0 0; mul 3 1; add 4 3; pow 5 2"]


def _leaves(rng, op):
    if op in ("log", "pow"):
        return rng.uniform(0.5, 1.5, size=3)   # positive: log and fractional powers
    if op == "relu":                           # both sides of the kink, for every student
        return np.array([-rng.uniform(0.3, 1.5), rng.uniform(1.2, 1.8), -rng.uniform(0.3, 1.5)])
    return rng.uniform(-1.5, 1.5, size=3)


def _op_cases(op):
    def cases(rng):
        out = []
        for template in TEMPLATES[op]:
            k = float(rng.choice([2.0, 3.0, -1.0, 0.5]))
            out.append({"program": template.format(k=k), "leaves": _leaves(rng, op)})
        return out
    return cases


def _backward_cases(rng):
    return [{"program": p, "leaves": rng.uniform(-1.5, 1.5, size=3)} for p in BACKWARD_TEMPLATES]


def _probe(op):
    def probe(program, leaves):
        return run_program(Value, program, leaves, student_op=op)
    return probe


def _traversal(program, leaves):
    return run_program(Value, program, leaves, student_backward=True)


EXERCISES = [
    Exercise("add", _probe("add"), _op_cases("add"), m.ADD),
    Exercise("mul", _probe("mul"), _op_cases("mul"), m.MUL),
    Exercise("pow", _probe("pow"), _op_cases("pow"), m.POW),
    Exercise("exp", _probe("exp"), _op_cases("exp"), m.EXP),
    Exercise("log", _probe("log"), _op_cases("log"), m.LOG),
    Exercise("sigmoid", _probe("sigmoid"), _op_cases("sigmoid"), m.SIGMOID),
    Exercise("relu", _probe("relu"), _op_cases("relu"), m.RELU),
    Exercise("backward", _traversal, _backward_cases, m.BACKWARD),
]
