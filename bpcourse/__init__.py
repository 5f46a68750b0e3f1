"""bpcourse — the student-side helpers of backprop-course.

What a notebook imports:

- :mod:`bpcourse.gradcheck` — ``rel_error`` and numerical (central-difference) gradients;
- :mod:`bpcourse.checks` — visible checks with specific messages in Russian (importing it also
  shows Python warnings on stdout as a short note: nbgrader scores a test cell with stderr
  output 0, and a harmless warning must not cost a correct answer; in a kernel, a failed check's
  traceback starts with its Russian message and shows no frame of this package, and an
  unfinished exercise's ``NotImplementedError`` names the exercise);
- :mod:`bpcourse.grading` — runs a function on the hidden inputs during grading and writes
  its outputs out for the grader (no reference code, no expected values inside);
- :mod:`bpcourse.cases` — how hidden inputs and outputs are encoded as plain JSON;
- :mod:`bpcourse.ru` — Russian plurals for messages with counts.

Nothing in this package knows the reference solutions: it ships to students.
"""
from bpcourse.gradcheck import rel_error, numerical_gradient, numerical_gradient_array

__all__ = ["rel_error", "numerical_gradient", "numerical_gradient_array"]
