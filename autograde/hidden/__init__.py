"""Hidden checks: for each graded exercise, the inputs a student never sees.

An exercise ``name`` is graded by the test cell ``check_<name>`` of its notebook, whose hidden
region calls ``record("<name>", <function>)`` (:mod:`bpcourse.grading`). Its student code
lives in the solution cell with grade id ``<name>``; a hint goes there as a comment.

The inputs are drawn from a generator seeded by (course secret, student, assignment,
exercise), so a hard-coded answer, or one copied from another student, fails.
The expected outputs are computed here, on the trusted side, from :mod:`solutions`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from solutions.mistakes import Mistake


@dataclass(frozen=True)
class Exercise:
    """One graded function of one notebook."""

    name: str                                   # solution cell id; test cell is check_<name>
    reference: Callable                         # from solutions/
    cases: Callable[[np.random.Generator], list]  # rng -> list of kwargs (encodable values)
    mistakes: Sequence[Mistake] = field(default_factory=tuple)
    tol: float = 1e-9                           # rel_error accepted as "equal to the reference"
    #: cases -> hashable: the edge-case structure every student's cases must share (grading
    #: rule 3), e.g. "a zero in the ReLU input", "a probability below 1e-8", "M != K". The
    #: property test also compares types and shapes of every input, so list only what those miss.
    features: Callable[[list], object] | None = None
    #: names of the outputs of a function returning several (e.g. ("loss", "dZ")), for feedback
    outputs: Sequence[str] = ()

    @property
    def test_cell_id(self) -> str:
        """The nbgrader id of the exercise's test cell (the solution cell's id is ``name``)."""
        return f"check_{self.name}"


def seed_for(secret: str, student: str, assignment: str, exercise: str) -> int:
    """A 64-bit seed from the course secret and the submission's identity."""
    digest = hashlib.sha256("\x1f".join([secret, student, assignment, exercise]).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _modules():
    from autograde.hidden import activations, chain_rule, engine, intro, layers, softmax

    return {"intro": intro, "chain_rule": chain_rule, "engine": engine, "activations": activations,
            "layers": layers, "softmax": softmax}


#: assignment -> (topic module, exercise names in notebook order); None = all of the module's
REGISTRY = {
    "00_intro": ("intro", None),
    "01_chain_rule": ("chain_rule", None),
    "02_reverse_mode": ("engine", None),
    "09_softmax_cross_entropy": ("softmax", ["softmax", "logsumexp", "cross_entropy",
                                             "softmax_cross_entropy", "softmax_backward"]),
    "10_temperature": ("softmax", ["softmax_t", "entropy", "softmax_t_cross_entropy"]),
}


def exercises(assignment: str) -> list[Exercise]:
    """The graded exercises of an assignment (empty for an unknown one)."""
    if assignment not in REGISTRY:
        return []
    topic, names = REGISTRY[assignment]
    every = {ex.name: ex for ex in _modules()[topic].EXERCISES}
    return list(every.values()) if names is None else [every[n] for n in names]


def catalog() -> dict[str, Exercise]:
    """Every exercise of every topic, by name — including topics whose notebook is not written
    yet, so that the whole mistake bank is tested."""
    out = {}
    for module in _modules().values():
        for ex in module.EXERCISES:
            assert ex.name not in out, f"duplicate exercise name {ex.name}"
            out[ex.name] = ex
    return out


def make_cases(secret: str, student: str, assignment: str) -> dict[str, list]:
    """Hidden inputs of every exercise of ``assignment`` for ``student`` (not yet encoded)."""
    return {
        ex.name: ex.cases(np.random.default_rng(seed_for(secret, student, assignment, ex.name)))
        for ex in exercises(assignment)
    }
