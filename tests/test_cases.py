"""bpcourse.cases: what crosses the sandbox boundary, as plain JSON, in both directions."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from bpcourse.cases import FUNCTIONS, decode, encode, encode_output, is_multi

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
float_arrays = arrays(np.float64, array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4), elements=finite)


def through_json(value):
    return decode(json.loads(json.dumps(encode(value))))


@given(float_arrays)
def test_arrays_of_any_shape_round_trip_exactly(a):
    b = through_json(a)
    if a.ndim == 0:
        assert isinstance(b, (float, np.ndarray)) and float(b) == float(a)
    else:
        assert isinstance(b, np.ndarray) and b.dtype == np.float64 and b.shape == a.shape
        np.testing.assert_array_equal(b, a)


@given(arrays(np.int64, array_shapes(min_dims=1, max_dims=3, max_side=4), elements=st.integers(-1000, 1000)))
def test_integer_arrays_arrive_as_float64_arrays(a):
    b = through_json(a)
    assert b.dtype == np.float64 and b.shape == a.shape
    np.testing.assert_array_equal(b, a)


@given(st.integers(-2**53, 2**53))
def test_an_int_stays_an_int(n):
    for value in (n, np.int64(n)):
        out = through_json(value)
        assert type(out) is int and out == n


@given(finite)
def test_a_float_stays_a_float(x):
    out = through_json(x)
    assert type(out) is float and out == x
    out = through_json(np.float64(x))
    assert type(out) is float and out == x


@pytest.mark.parametrize("value", [True, False, None, "mul 0 1; add 2 0", ""])
def test_plain_values_are_themselves(value):
    out = through_json(value)
    assert out == value and type(out) is type(value)


@given(st.lists(float_arrays.filter(lambda a: a.ndim > 0), min_size=1, max_size=4))
def test_a_list_of_arrays_round_trips(arrays_):
    out = through_json(arrays_)
    assert isinstance(out, list) and len(out) == len(arrays_)
    for a, b in zip(arrays_, out):
        assert b.shape == a.shape
        np.testing.assert_array_equal(a, b)


def test_nested_lists_round_trip():
    value = [np.ones((2, 3)), [np.zeros(2), np.arange(3.0)], np.eye(2)]
    out = through_json(value)
    assert isinstance(out[1], list) and out[1][1].tolist() == [0.0, 1.0, 2.0]
    assert out[0].shape == (2, 3) and out[2].shape == (2, 2)


def _fn(name, **params):
    return through_json({"fn": name, "params": params})


FN_PARAMS = {
    "poly": {"c": np.array([0.5, -1.0, 2.0, 0.3])},
    "poly_prime": {"c": np.array([0.5, -1.0, 2.0, 0.3])},
    "wave": {"a": 1.5, "b": 2.5, "c": -0.4},
    "wave_prime": {"a": 1.5, "b": 2.5, "c": -0.4},
}


def test_every_test_function_is_covered():
    assert set(FUNCTIONS) == set(FN_PARAMS) | {"mix"}


@pytest.mark.parametrize("name", sorted(FN_PARAMS))
@settings(max_examples=25, deadline=None)
@given(x=arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=4), elements=st.floats(-3, 3)))
def test_elementwise_test_functions_accept_scalars_and_arrays_alike(name, x):
    f = _fn(name, **FN_PARAMS[name])
    on_array = np.asarray(f(x))
    assert on_array.shape == x.shape
    on_scalars = np.vectorize(lambda v: float(f(float(v))))(x)
    np.testing.assert_allclose(on_array, on_scalars, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["poly", "wave"])
@settings(max_examples=25, deadline=None)
@given(x=st.floats(-2, 2))
def test_the_derivatives_are_derivatives(name, x):
    f, df = _fn(name, **FN_PARAMS[name]), _fn(f"{name}_prime", **FN_PARAMS[name])
    h = 1e-5
    assert abs((f(x + h) - f(x - h)) / (2 * h) - df(x)) <= 1e-6 * (1 + abs(df(x)))


@settings(max_examples=25, deadline=None)
@given(x=arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=4), elements=st.floats(-3, 3)))
def test_mix_is_a_scalar_function_of_an_array(x):
    a, b = np.full(x.shape, 1.5), np.full(x.shape, -0.5)
    f = _fn("mix", a=a, b=b, c=0.7)
    value = f(x)
    assert isinstance(value, float)
    assert value == pytest.approx(np.sum(1.5 * x * x - 0.5 * np.sin(x)) + 0.7 * np.sum(x) ** 2)


def test_unknown_test_function_is_refused():
    with pytest.raises(ValueError, match="unknown test function"):
        decode({"fn": "os.system", "params": {}})


# --- encode_output: what a student's function returned ----------------------------------------

def test_output_of_an_array_keeps_type_dtype_shape_and_values():
    out = encode_output(np.arange(6.0).reshape(2, 3))
    assert out == {"type": "ndarray", "dtype": "float64", "shape": [2, 3],
                   "value": [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]}
    assert json.loads(json.dumps(out)) == out


def test_output_of_float32_says_so():
    out = encode_output(np.ones(3, dtype=np.float32))
    assert out["dtype"] == "float32" and out["type"] == "ndarray"
    out = encode_output(np.float32(0.5))
    assert out["dtype"] == "float32" and out["shape"] == []
    assert encode_output(np.ones(2, dtype=np.float16))["dtype"] == "float16"


def test_output_of_a_list_is_a_list():
    out = encode_output([1.0, 2.0, 3.0])
    assert out["type"] == "list" and out["shape"] == [3]
    out = encode_output(2.5)
    assert out["type"] == "float" and out["shape"] == [] and out["value"] == 2.5
    assert encode_output(3)["type"] == "int"


def test_several_outputs_nest():
    value = (0.5, np.ones((2, 2)), [np.zeros(1), np.zeros(2)])
    assert is_multi(value) and not is_multi((0.5, 1.0)) and not is_multi(np.ones(3))
    out = encode_output(value)
    assert out["type"] == "tuple" and len(out["items"]) == 3
    assert out["items"][0]["shape"] == [] and out["items"][1]["shape"] == [2, 2]
    assert out["items"][2]["type"] == "list" and [i["shape"] for i in out["items"][2]["items"]] == [[1], [2]]


@pytest.mark.parametrize("value,word", [(None, "None"), ({"a": 1}, "dict"), ("1.5", "str"),
                                        (object(), "object"), ([np.ones(2), "x"], None)])
def test_non_numeric_outputs_are_an_error_not_a_crash(value, word):
    out = encode_output(value)
    json.dumps(out)
    leaves = out.get("items", [out])
    assert any("error" in leaf for leaf in leaves)
    if word:
        assert word in out["error"] and "value" not in out


def test_ragged_output_is_an_error():
    out = encode_output([np.ones(2), np.ones(3)])   # several outputs: each is fine
    assert [i["shape"] for i in out["items"]] == [[2], [3]]
    out = encode_output(np.array([np.ones(2), np.ones(3)], dtype=object))
    assert "error" in out


# --- drawn from the shared strategies (tests/strategies.py): any dtype, NaN/inf, nesting -------

from strategies import any_floats, course_arrays, float_arrays as drawn_floats, nested_values  # noqa: E402


@given(course_arrays(min_dims=1))
def test_an_array_of_any_course_dtype_arrives_as_float64_of_the_same_values(a):
    b = through_json(a)
    assert isinstance(b, np.ndarray) and b.dtype == np.float64 and b.shape == a.shape
    np.testing.assert_array_equal(b, a.astype(np.float64))


@given(drawn_floats(elements=any_floats))
def test_nan_and_infinities_cross_the_boundary(a):
    b = through_json(a)
    np.testing.assert_array_equal(np.asarray(b), a)       # NaN equals NaN here, ±inf keep their sign
    for x in a.flat[:3]:
        y = through_json(float(x))
        assert type(y) is float and (y == x or (np.isnan(x) and np.isnan(y)))


def _same(a, b):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert isinstance(b, np.ndarray) and b.shape == a.shape
        np.testing.assert_array_equal(b, a)


@given(nested_values())
def test_nested_lists_of_arrays_keep_their_structure(value):
    _same(value, through_json(value))


def test_a_network_as_a_list_of_layers_round_trips():   # [[W1, b1], [W2, b2]]: not one array
    layers = [[np.ones((2, 3)), np.zeros(3)], [np.ones((3, 1)), np.zeros(1)]]
    _same(layers, through_json(layers))


@given(st.lists(finite, min_size=1, max_size=5), drawn_floats(min_dims=1, max_dims=2))
def test_a_tuple_of_numbers_is_one_array_a_tuple_with_an_array_is_a_list(numbers, a):
    out = through_json(tuple(numbers))
    assert isinstance(out, np.ndarray) and out.tolist() == [float(x) for x in numbers]
    out = through_json((a, numbers[0]))
    assert isinstance(out, list) and out[1] == numbers[0]
    np.testing.assert_array_equal(out[0], a)


@pytest.mark.parametrize("value", [object(), {"a": 1}, 2 + 1j, np.array(["a", "b"]), {1, 2}],
                         ids=["object", "dict", "complex", "strings", "set"])
def test_what_is_not_numbers_is_refused_on_the_way_in(value):
    with pytest.raises((TypeError, ValueError)):
        encode(value)


@pytest.mark.parametrize("data", [
    {"array": [1.0, 2.0, 3.0], "shape": [2]},                                   # values and shape disagree
    {"fn": "__class__", "params": {}}, {"fn": "eval", "params": {"source": "1"}},   # not a test function
    {"fn": "poly", "params": {"c": {"array": [1.0], "shape": [1]}, "extra": 1}},  # not its parameters
])
def test_malformed_data_is_refused_on_the_way_out(data):
    with pytest.raises((TypeError, ValueError)):
        decode(json.loads(json.dumps(data)))


@given(course_arrays())
def test_output_of_any_dtype_says_its_dtype_shape_and_values(a):
    out = json.loads(json.dumps(encode_output(a)))
    assert out["type"] == "ndarray" and out["dtype"] == str(a.dtype) and out["shape"] == list(a.shape)
    np.testing.assert_array_equal(np.asarray(out["value"], dtype=np.float64).reshape(a.shape), a.astype(np.float64))


@given(drawn_floats(elements=any_floats, min_dims=1))
def test_output_with_nan_or_inf_is_still_encoded(a):
    out = json.loads(json.dumps(encode_output(a)))
    assert "error" not in out
    np.testing.assert_array_equal(np.asarray(out["value"]).reshape(a.shape), a)
