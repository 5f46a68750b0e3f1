"""The reference implementation that hidden checks compare against. Instructor only.

One module per topic; every function is float64 numpy with shapes in its docstring.
Typical mistakes live beside the hidden checks, as student code (:mod:`autograde.hidden`).
Nothing here is shipped to students or imported inside a grading kernel.
"""
