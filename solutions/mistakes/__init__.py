"""The mistake bank: typical wrong variants of graded functions, each with a Russian hint.

Given a student's outputs on the hidden inputs, the grader computes every variant's outputs
on the same inputs and names the first variant they match (:mod:`autograde.verify`). A variant
is written as the smallest change to the reference, so that it is obviously *that* mistake.
One module per topic, one list per graded function (``SOFTMAX``, ``LINEAR_LAYER`` …).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Mistake:
    """One typical wrong variant of a graded function."""

    name: str          # short identifier, e.g. "forward_difference"
    fn: Callable       # same signature as the reference
    hint: str          # Russian, names the mistake without giving the answer away
