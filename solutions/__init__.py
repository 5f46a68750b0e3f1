"""The reference implementation that hidden checks compare against. Instructor only.

One module per topic; every function is float64 numpy with shapes in its docstring.
:mod:`solutions.mistakes` holds the typical wrong variants used to name a student's mistake.
Nothing here is shipped to students or imported inside a grading kernel.
"""
