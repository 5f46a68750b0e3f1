"""autograde — the instructor side of backprop-course: release, grading pipeline, bundle.

Where things live:

- :mod:`autograde.cli` — the ``bpcourse`` command (release, grade, bundle, doctor);
- :mod:`autograde.source` — text sources (jupytext percent scripts) to nbgrader notebooks;
- :mod:`autograde.course` — an nbgrader course directory and its configuration;
- :mod:`autograde.release` — ``source/`` to ``notebooks/`` and the sample class;
- :mod:`autograde.hidden` — the hidden checks of each assignment (inputs, tolerances, mistakes);
- :mod:`autograde.verify` — compares a kernel's recorded outputs with the reference (trusted);
- :mod:`autograde.sandbox` — the bubblewrap kernel that runs student code;
- :mod:`autograde.grade` — the grading pipeline over nbgrader (intake, workers, verdicts, CSV).
"""
