"""Every checker answers whatever a student types: a Feedback in words, never an exception.

The checkers are found by introspection over ``cnnhelpers.exercises.*``, so a new checker is
covered without touching this file. Build-it checkers, whose answer is a function the student
wrote, are left out: a module lists them in its ``CODE_CHECKERS`` set, or their argument is
named or annotated as a function.
"""

import importlib
import inspect
import math
import pkgutil
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cnnhelpers.exercises
from cnnhelpers.exercises import Feedback

CODE_PARAMETERS = {"function", "func", "fn", "code", "implementation", "student_function"}


def takes_code(function) -> bool:
    """A Build-it checker: its argument is a function the student wrote (by name or by annotation)."""
    parameters = inspect.signature(function).parameters.values()
    return any(p.name in CODE_PARAMETERS or "Callable" in str(p.annotation) for p in parameters)


def all_checkers():
    """(name, function) of every ``check_*`` defined in a module of cnnhelpers.exercises, Build-it ones left out."""
    modules = [importlib.import_module(f"cnnhelpers.exercises.{info.name}")
               for info in pkgutil.iter_modules(cnnhelpers.exercises.__path__)]
    code_checkers = set().union(*(getattr(module, "CODE_CHECKERS", ()) for module in modules))
    found = {}
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if (name.startswith("check_") and function.__module__ == module.__name__
                    and name not in code_checkers and not takes_code(function)):
                found[f"{module.__name__.rsplit('.', 1)[-1]}.{name}"] = function
    return sorted(found.items())


CHECKERS = all_checkers()
IDS = [name for name, _ in CHECKERS]


def test_every_notebook_module_has_checkers():
    assert {name.split(".")[0] for name in IDS} >= {"kernels", "padding", "stride", "depth", "pooling", "cnn"}


def plain_function(x):
    return x


class BrokenRepr:
    def __repr__(self):
        raise RuntimeError("no repr")


# What a student can type, one of each kind named in issue 13 and the review of issue 12.
TYPED = [
    None, True, False, np.True_, math.nan, -math.nan, math.inf, -math.inf, -0.0, 0, -1, -7.5, 10**400, -(10**400),
    10**5000, 1e308, 5e-324, 1 + 2j, np.float32(math.nan), np.float64(3.0), np.int64(12), np.array(7),
    np.array(math.nan), np.array([7]), np.array(True), Fraction(1, 3), "", "3", " 12 ", "twelve", "nan", "same",
    "A", "a", "Z", "[[1, 2], [3, 4]]", b"3", [], [[]], [1], [1, 2], [[1, 2], [3]], [[1, 2], [3, 4]], [1, None],
    [True, False], [10**400], [[1, "a"]], (np.ones(2), np.ones(3)), (np.ones(2), np.ones(2)), (3, 3), (12, 13),
    (None, None), ([1, 2], 3), np.ones((4, 4)), np.ones((3, 3, 3)), np.zeros(0), np.full((2, 2), math.nan),
    np.array([["a", "b"], ["c", "d"]]), np.array([1 + 1j, 2]), np.array([object(), 1], dtype=object),
    np.ones((1, 3, 1, 1)) / 3, np.ones((4, 4), dtype=np.float16), np.ones((2, 2), dtype=">f4"),
    np.datetime64("2026-01-01"), np.ma.masked_array([1, 2], mask=[0, 1]), {}, {"a": 1}, {1, 2}, range(3),
    plain_function, print, len, type, object(), BrokenRepr(), Ellipsis, slice(1, 2),
]


def call(checker, answer):
    """The checker with ``answer`` for each argument in turn, then for all of them."""
    count = len(inspect.signature(checker).parameters)
    results = [checker(*[answer] * count)]
    if count > 1:
        for i in range(count):
            args = [1] * count
            args[i] = answer
            results.append(checker(*args))
    return results


def assert_answers_in_words(feedback):
    assert isinstance(feedback, Feedback)
    assert isinstance(feedback.message, str) and feedback.message
    assert "Traceback" not in feedback.message
    assert isinstance(feedback._repr_html_(), str) and repr(feedback)


@pytest.mark.parametrize("name, checker", CHECKERS, ids=IDS)
def test_every_typed_answer_gets_a_feedback(name, checker):
    for answer in TYPED:
        for feedback in call(checker, answer):
            assert_answers_in_words(feedback)


@pytest.mark.parametrize("name, checker", CHECKERS, ids=IDS)
def test_none_is_not_answered_yet(name, checker):
    assert call(checker, None)[0].misconception == "not_answered"


@pytest.mark.parametrize("name, checker", CHECKERS, ids=IDS)
@pytest.mark.parametrize("answer", [True, math.nan, math.inf], ids=["True", "nan", "inf"])
def test_yes_no_and_non_finite_values_are_not_numbers(name, checker, answer):
    for feedback in call(checker, answer):
        assert not feedback.ok


# Garbage, generated: numbers of every size and kind, text, and nests of them (lists, tuples, arrays).
NUMBERS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10**500), max_value=10**500)
           | st.floats() | st.complex_numbers() | st.fractions() | st.decimals())
SCALAR_DTYPES = (hnp.boolean_dtypes() | hnp.integer_dtypes() | hnp.unsigned_integer_dtypes() | hnp.floating_dtypes()
                 | hnp.complex_number_dtypes() | hnp.unicode_string_dtypes() | hnp.byte_string_dtypes())
ARRAYS = hnp.arrays(SCALAR_DTYPES, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))


def typed_answer(index):
    return TYPED[index]


# (indices, not the answers themselves: hypothesis reprs its strategies, and 10**5000 has no repr)
LEAVES = (NUMBERS | st.text(max_size=12) | st.binary(max_size=6) | ARRAYS
          | st.integers(0, len(TYPED) - 1).map(typed_answer))
GARBAGE = st.recursive(
    LEAVES,
    lambda inner: (st.lists(inner, max_size=5) | st.lists(inner, max_size=5).map(tuple)
                   | st.dictionaries(st.text(max_size=3), inner, max_size=3)
                   | st.lists(inner, min_size=1, max_size=4).map(lambda items: np.array(items + [None], dtype=object))),
    max_leaves=20,
)
EXAMPLES_PER_CHECKER = 40


@pytest.mark.parametrize("name, checker", CHECKERS, ids=IDS)
@settings(max_examples=EXAMPLES_PER_CHECKER, deadline=None, suppress_health_check=list(HealthCheck))
@given(answer=GARBAGE)
def test_generated_garbage_gets_a_feedback(name, checker, answer):
    for feedback in call(checker, answer):
        assert_answers_in_words(feedback)


def test_feedback_html_escapes_the_message():
    html = Feedback(False, "got the text '<b>' & more")._repr_html_()
    assert "&lt;b&gt;" in html and "&amp; more" in html and "<b>'" not in html


@pytest.mark.parametrize("name, checker", CHECKERS, ids=IDS)
@pytest.mark.parametrize("answer", [np.float32, np.float64, np.int64, np.array], ids=["f32", "f64", "i64", "0-d"])
def test_numpy_scalars_and_0d_arrays_are_read_as_numbers(name, checker, answer):
    # A checker answers the same to 12 and to np.int64(12) / np.array(12): same verdict, same misconception.
    for value in (1, 12, 400):
        for plain, numpy in zip(call(checker, value), call(checker, answer(value)), strict=True):
            assert (numpy.ok, numpy.misconception) == (plain.ok, plain.misconception)
