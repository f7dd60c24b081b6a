"""The nbgrader course end to end, offline in a temporary folder.

``make_assignments`` builds the course from the series; nbgrader releases every assignment (the
solutions must be stripped) and autogrades fake students whose notebooks the test writes:
everything right, everything wrong, half right, an infinite loop, a deleted test cell.
"""

import ast
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

nbgrader = pytest.importorskip("nbgrader", reason="the classroom extra (pip install -e '.[classroom]') is missing")

import nbformat  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402
from nbgrader.apps.api import NbGraderAPI  # noqa: E402
from nbgrader.coursedir import CourseDirectory  # noqa: E402
from traitlets.config import Config  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from classroom.make_assignments import build_course, find_checkers  # noqa: E402
from classroom.solutions import ANSWERS  # noqa: E402
from cnnhelpers import reference  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
QUICK = "03_stride"  # the assignment the special submissions use: its notebook runs quickly
LOOP_TIMEOUT = 10  # seconds per cell for the infinite-loop submission (the course allows 180)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:  # nbgrader runs alembic (installed beside this Python) from PATH
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        yield from _course(tmp_path_factory)


def _course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    exercises = build_course(NOTEBOOKS, root)
    api = grader(root, timeout=180)
    for assignment in exercises:
        result = api.generate_assignment(assignment)
        assert result["success"], result["log"]
    yield root, api, exercises


def grader(root, timeout):
    """nbgrader's Python API on the course in ``root``, each cell allowed ``timeout`` seconds."""
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = "cnnhelpers"
    config.Execute.timeout = timeout
    config.ClearSolutions.code_stub = {"python": STUB}
    config.OverwriteCells.add_missing_cells = True  # as in classroom/course/nbgrader_config.py
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def released_stub(source: str):
    """Where nbgrader's stub is in a released cell: at the top level, or indented in a Build-it function."""
    first, second = STUB.splitlines()
    return re.search(rf"^([ \t]*){re.escape(first)}\n\1{re.escape(second)}", source, re.MULTILINE)


def cells_by_id(notebook):
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in notebook.cells if "nbgrader" in cell.metadata}


def model_answer(source_cell) -> str:
    return re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n?", "", source_cell.source)


def wrong_answer(test_cell) -> str:
    """``answer = -1`` for each variable the test cell's checker reads: wrong for every exercise."""
    call = next(node for node in ast.walk(ast.parse(test_cell.source))
                if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("check_"))
    return "\n".join(f"{arg.id} = -1" for arg in call.args)


def submit(course, student, assignment, edit):
    """Write ``student``'s submission: the released notebook with ``edit(grade_id, cell, source_cell)`` applied."""
    root, _, _ = course
    name = f"{assignment}.ipynb"
    released = nbformat.read(root / "release" / assignment / name, as_version=4)
    source = cells_by_id(nbformat.read(root / "source" / assignment / name, as_version=4))
    for grade_id, cell in cells_by_id(released).items():
        if cell.metadata["nbgrader"]["solution"]:
            assert released_stub(cell.source) and "BEGIN SOLUTION" not in cell.source, "the release kept a solution"
            test_cell = source[grade_id.replace("_answer", "_test")]
            cell.source = edit(grade_id, cell, source[grade_id], test_cell)
    released.cells = [cell for cell in released.cells if cell.source is not None]
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(released, folder / name)


def autograde(course, student, assignment, api=None):
    root = course[0]
    result = (api or course[1]).autograde(assignment, student)
    assert result["success"], result["log"]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return submission.score, submission.max_score


def points(course, assignment):
    return [exercise.points for exercise in course[2][assignment]]


def test_every_numbered_notebook_with_exercises_is_an_assignment(course):
    root, _, exercises = course
    assert sorted(exercises) == ["01_kernels", "02_padding", "03_stride", "04_depth", "05_pooling", "06_full_cnn"]
    found = [exercise for found in exercises.values() for exercise in found]
    # 23 exercises with a value to give, and the 9 Build-it functions of notebooks 01-06
    assert sum(not e.build_it for e in found) == 23
    assert sorted(e.grade_id for e in found if e.build_it) == [
        "conv1d", "conv2d", "conv2d", "conv2d", "conv2d_backward", "correlate2d_fast", "correlate2d_loops",
        "max_pool2d", "max_pool2d_backward"]
    for assignment in exercises:
        released = (root / "release" / assignment / f"{assignment}.ipynb").read_text()
        assert "BEGIN SOLUTION" not in released and "NotImplementedError" in released


# 02, 03 and 04 grow one Build-it conv2d (02 padding, 03 stride, 04 channels): 03 stands for the three,
# which keeps CI short; every assignment is still released and checked above.
@pytest.mark.parametrize("assignment", ["01_kernels", "03_stride", "05_pooling", "06_full_cnn"])
def test_a_student_with_everything_right_gets_full_marks_and_feedback(course, assignment):
    root, api, _ = course
    submit(course, "right", assignment, lambda grade_id, cell, source, test: model_answer(source))
    score, max_score = autograde(course, "right", assignment)
    assert (score, max_score) == (sum(points(course, assignment)),) * 2
    result = api.generate_feedback(assignment, "right")
    assert result["success"], result["log"]
    feedback = (root / "feedback" / "right" / assignment / f"{assignment}.html").read_text()
    assert "AssertionError" not in feedback
    checkers = find_checkers()
    for exercise in course[2][assignment]:  # each checker's verdict on the model answer is in the feedback
        if exercise.build_it:  # the model answer is the reference function the checker is named after
            answers = [getattr(reference, exercise.checker.removeprefix("check_"))]
        else:
            answers = [ANSWERS[exercise.checker]()[name] for name in exercise.names]
        verdict = checkers[exercise.checker](*answers, **exercise.options)
        assert verdict, verdict.message
        assert re.match(r"[\w ,.]+", verdict.message).group(0) in feedback


@pytest.mark.parametrize("assignment", [QUICK])
def test_a_student_with_everything_wrong_scores_zero_and_reads_why(course, assignment):
    root, api, _ = course
    def wrong(grade_id, cell, source, test):
        stub = released_stub(cell.source)
        # a value: -1 for each variable the checker reads; a Build-it function: return -1
        answer = stub.group(1) + "return -1" if stub.group(1) else wrong_answer(test)
        return cell.source[:stub.start()] + answer + cell.source[stub.end():]

    submit(course, "wrong", assignment, wrong)
    assert autograde(course, "wrong", assignment) == (0, sum(points(course, assignment)))
    result = api.generate_feedback(assignment, "wrong")
    assert result["success"], result["log"]
    feedback = (root / "feedback" / "wrong" / assignment / f"{assignment}.html").read_text()
    assert feedback.count("AssertionError") >= len(course[2][assignment])  # each test cell says why it failed


@pytest.mark.parametrize("assignment", [QUICK])
def test_a_student_with_half_the_exercises_right_gets_their_points(course, assignment):
    answered = [f"{exercise.grade_id}_answer" for exercise in course[2][assignment]]
    first_half = answered[:len(answered) // 2]

    def half(grade_id, cell, source, test):
        return model_answer(source) if grade_id in first_half else cell.source  # the rest left as released

    submit(course, "half", assignment, half)
    expected = sum(points(course, assignment)[:len(first_half)])
    assert 0 < expected < sum(points(course, assignment))
    assert autograde(course, "half", assignment) == (expected, sum(points(course, assignment)))


def test_an_infinite_loop_is_interrupted_and_scores_zero(course):
    def loop(grade_id, cell, source, test):
        return "while True:\n    pass" if grade_id == "strided_output_size_answer" else cell.source

    submit(course, "loop", QUICK, loop)
    started = time.monotonic()
    assert autograde(course, "loop", QUICK, grader(course[0], LOOP_TIMEOUT)) == (0, sum(points(course, QUICK)))
    assert time.monotonic() - started < 120  # interrupted after LOOP_TIMEOUT, then the rest of the notebook ran
    graded = nbformat.read(course[0] / "autograded" / "loop" / QUICK / f"{QUICK}.ipynb", as_version=4)
    looped = cells_by_id(graded)["strided_output_size_answer"]
    errors = [output.get("ename") for output in looped.outputs if output.output_type == "error"]
    assert errors and errors[0] in {"KeyboardInterrupt", "CellTimeoutError"}, looped.outputs


def test_a_deleted_test_cell_is_put_back_and_graded(course):
    root, _, _ = course

    def answer_then_delete(grade_id, cell, source, test):
        return model_answer(source)

    submit(course, "deleter", QUICK, answer_then_delete)
    path = root / "submitted" / "deleter" / QUICK / f"{QUICK}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [cell for cell in notebook.cells
                      if cell.metadata.get("nbgrader", {}).get("grade_id") != "strided_output_size_test"]
    nbformat.write(notebook, path)
    score, max_score = autograde(course, "deleter", QUICK)
    graded = cells_by_id(nbformat.read(root / "autograded" / "deleter" / QUICK / f"{QUICK}.ipynb", as_version=4))
    # nbgrader put the locked test cell back from the gradebook, said so, and ran it
    assert graded["strided_output_size_test"].source.startswith("# This cell (id:strided_output_size_test) was missing")
    assert (score, max_score) == (sum(points(course, QUICK)),) * 2


def test_the_build_it_layout_becomes_a_function_to_write():
    """A stub cell ``def conv2d(...)`` and a cell ``check_conv2d(conv2d)`` become solution + test cells."""
    import numpy as np

    from classroom.make_assignments import convert_notebook
    from cnnhelpers import conv2d

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell('def conv2d(x, w, b, stride, padding):\n    """Your loops here."""\n'
                                  "    raise NotImplementedError"),
        nbformat.v4.new_code_cell("check_conv2d(conv2d)"),
    ]
    checker = _Checker()
    converted, exercises = convert_notebook(notebook, {"check_conv2d": checker}, "demo")
    assert [(e.names, e.build_it, e.points) for e in exercises] == [(["conv2d"], True, 5)]
    solution = next(c for c in converted.cells if c.metadata.get("nbgrader", {}).get("solution"))
    assert solution.source.startswith('def conv2d(x, w, b, stride, padding):\n    """Your loops here."""\n'
                                      "    ### BEGIN SOLUTION\n")
    namespace = {"np": np}
    exec(solution.source, namespace)  # the model solution, with the reference helper it needs (_pad)
    x, w = np.random.default_rng(0).normal(size=(2, 3, 6, 5)), np.random.default_rng(1).normal(size=(4, 3, 3, 3))
    assert np.allclose(namespace["conv2d"](x, w, None, 2, 1), conv2d(x, w, stride=2, padding=1))
    test = next(c for c in converted.cells if c.metadata.get("nbgrader", {}).get("grade"))
    assert test.metadata["nbgrader"]["locked"] and "check_conv2d(conv2d)" in test.source


class _Checker:
    """A stand-in for the Build-it checker another module will provide."""

    __module__ = "cnnhelpers.exercises.build"

    def __call__(self, function):
        return True


def test_make_assignments_refuses_an_answer_its_checker_rejects(monkeypatch, tmp_path):
    from classroom import solutions
    monkeypatch.setitem(solutions.ANSWERS, "check_strided_output_size", lambda: {"answer": -1})
    with pytest.raises(AssertionError, match="check_strided_output_size rejects"):
        build_course([ROOT / "notebooks" / "03_stride.ipynb"], tmp_path)
    shutil.rmtree(tmp_path, ignore_errors=True)
