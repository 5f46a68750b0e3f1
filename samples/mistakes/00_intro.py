"""Typical mistakes put into the demo class (student id -> solution cell -> code).

The student ``mistake_forward_difference`` solved everything but uses the forward difference
in ``numerical_derivative``: the visible check and the hidden check must both name it.
"""
MISTAKES = {
    "mistake_forward_difference": {
        "numerical_derivative": '''def numerical_derivative(f, x, h=1e-5):
    """Central difference (f(x + h) - f(x - h)) / (2h) of a scalar function f at x."""
    return (f(x + h) - f(x)) / h''',
    },
}
