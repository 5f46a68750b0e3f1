"""Shared hypothesis strategies: draw shapes, arrays and student ids, not only seeds, so that a
failure shrinks to a small case (an empty or 1×1 array, a one-letter student id).

As minitorch's ``tests/strategies.py``: tests import what they need from here, e.g.
``from strategies import float_arrays, student_ids`` (``tests/`` is on ``sys.path``, see
``conftest.py``).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

#: floats the course's inputs and outputs hold: finite and of a size a gradient can have
finite_floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
#: any float64, NaN and ±inf included (what a broken student's function may return)
any_floats = st.floats(allow_nan=True, allow_infinity=True)

#: the course's dtypes: what inputs are made of and what a student's result may come back as
DTYPES = (np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_)


def shapes(min_dims: int = 0, max_dims: int = 4, max_side: int = 4, min_side: int = 0):
    """Array shapes, from ``()`` (a 0-d array) to ``max_dims`` axes; sides may be 0."""
    return array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def float_arrays(shape=None, elements=finite_floats, **shape_kw):
    """float64 arrays of a drawn shape (or of ``shape``, a shape or a strategy of shapes)."""
    return arrays(np.float64, shape if shape is not None else shapes(**shape_kw), elements=elements)


@st.composite
def course_arrays(draw, **shape_kw):
    """Arrays of any dtype in :data:`DTYPES`, with values that dtype can hold exactly."""
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    if dtype.kind == "f":
        elements = st.floats(-1e4, 1e4, allow_nan=False, width=dtype.itemsize * 8)
    elif dtype.kind == "i":
        elements = st.integers(-1000, 1000)
    else:
        elements = st.booleans()
    return draw(arrays(dtype, shapes(**shape_kw), elements=elements))


def nested_values(leaves=None, max_leaves: int = 6):
    """What a hidden input may be: a non-scalar array, or a list of such values nested to any
    depth (e.g. the weight matrices of a network, a list of lists of arrays)."""
    leaves = leaves if leaves is not None else float_arrays(min_dims=1, max_dims=3)
    return st.recursive(leaves, lambda inner: st.lists(inner, min_size=1, max_size=3), max_leaves=max_leaves)


#: student ids as nbgrader folder names: short, lower-case, any of them
student_ids = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
