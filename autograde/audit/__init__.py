"""The grader's mutation audit: do the hidden checks catch wrong student code?

``python -m autograde.audit`` (``make audit``) takes, for every graded exercise of every
assignment in :func:`autograde.hidden.assignments`, the solution cell of the source notebook as a
student would write it, mutates the code inside ``### BEGIN SOLUTION`` … ``### END SOLUTION``
one change at a time (:mod:`autograde.audit.mutate`: operators, constants, axes, ``keepdims``,
transposes, ``+=`` → ``=``, dropped terms and statements, swapped arguments and variables,
comparison flips, float32 casts, max ↔ min, sum ↔ mean, off-by-one indices and ranges,
``reversed`` dropped), and runs each mutant *as the student's code* in-process
(:mod:`autograde.audit.notebook`): the notebook's cells up to the exercise in one namespace,
the mutated cell, then

* the hidden channel: the test cell's hidden region tells which callable the notebook grades;
  the real ``bpcourse.grading.record`` runs it on the hidden inputs of three students and the
  trusted :func:`autograde.verify.verify` judges. A mutant is *caught* when the verdict fails
  for every student; failing for only some is a grading-rule-3 violation (*uneven*);
* the visible channel: the test cell itself, run once with ``record`` capturing (the hidden
  region comes first); caught when the cell raises.

A mutant the hidden channel does not catch is a *survivor*. It is *equivalent (same outputs)*
when its operator can be an identity for every valid input (:data:`mutate.MAY_BE_IDENTITY`) and
its outputs equal the unmutated solution's (to 1e-12) on the hidden inputs of 20 students; every other
survivor is either listed in ``autograde/audit_survivors.toml`` with the reviewed reason why it
is equivalent, or it is a hole in the hidden checks. Equivalent mutants are left out of the
shares. The audit fails (exit status 1) when an exercise's hidden checks catch less than 95 %
of its non-equivalent mutants, or a survivor is not reviewed, or a mutant is uneven.

Why not mutmut or cosmic-ray: both mutate files of an installed package and judge a mutant by a
test command's exit status. Here the code under test is one cell of a notebook built from a
jupytext script, only its solution region may change, and a mutant must be judged per channel
and per student (hidden verdicts for three student ids, the visible cell separately), hundreds
of times in a couple of minutes — neither tool can drive such a run, so the mutator is a small
one of our own on Python's ``ast``.

Each mutant runs in a forked child with a time limit, so a mutant that loops or corrupts the
interpreter's state affects nothing else; exercises are spread over worker processes.
"""
from autograde.audit.run import BAR, SURVIVORS_FILE, ExerciseReport, audit, audit_exercise, reviewed

__all__ = ["BAR", "SURVIVORS_FILE", "ExerciseReport", "audit", "audit_exercise", "reviewed"]
