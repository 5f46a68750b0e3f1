"""bpcourse — the student-side helpers of backprop-course.

What a notebook imports:

- :mod:`bpcourse.gradcheck` — ``rel_error`` and numerical (central-difference) gradients;
- :mod:`bpcourse.checks` — visible checks with specific messages in Russian;
- :mod:`bpcourse.grading` — runs a function on the hidden inputs during grading and writes
  its outputs out for the grader (no reference code, no expected values inside);
- :mod:`bpcourse.cases` — how hidden inputs and outputs are encoded as plain JSON.

Nothing in this package knows the reference solutions: it ships to students.
"""
from bpcourse.gradcheck import rel_error, numerical_gradient, numerical_gradient_array

__all__ = ["rel_error", "numerical_gradient", "numerical_gradient_array"]
