"""Build the nbgrader course from the series: one assignment per numbered notebook with exercises.

Run ``make assignments`` (or ``python -m classroom.make_assignments``). It writes
``classroom/course/source/<notebook>/<notebook>.ipynb``; then nbgrader's ``generate_assignment``
makes the student version in ``classroom/course/release/`` with the solutions stripped.

How an exercise is recognised, from the notebook's code alone (no tags needed):

- the **checker cell** is a code cell whose last statement calls ``check_<name>(<variables>)``;
- the **answer** is what gives those variables their placeholder: ``answer = None`` (or
  ``dense, conv = None, None``) earlier in the same cell or in the code cell just before (an
  *answer exercise*), or ``def <name>(...): ...`` there (a *Build-it exercise*: the student writes
  the function and the checker is called with it, ``check_conv2d(conv2d)``).

Each exercise becomes two nbgrader cells (anything else in the checker cell, imports and prints,
stays as a plain cell before them):

- a **solution cell**: the placeholder line, then ``### BEGIN SOLUTION`` / ``### END SOLUTION``
  around the model answer (from :mod:`classroom.solutions` for answers; for Build-it, the body of
  the function of the same name in ``cnnhelpers.reference``, with the reference helpers it calls);
  the release step replaces the region with ``# YOUR CODE HERE`` / ``raise NotImplementedError()``;
- a **locked autograder test cell** worth :func:`classroom.solutions.points_for` points, which
  imports the checker afresh (a student who redefines ``check_...`` in the notebook cannot fool
  it) and asserts its verdict: a ``Feedback`` is truthy only when the answer is right, and its
  message is the failure text the student sees in the feedback.

The script refuses to write a course whose model answers its own checkers reject.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import pkgutil
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository's classroom and cnnhelpers
    sys.path.insert(0, str(ROOT))

import cnnhelpers.exercises  # noqa: E402
from classroom.solutions import ANSWERS, points_for  # noqa: E402
from cnnhelpers import reference  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
COURSE = ROOT / "classroom" / "course"
SCHEMA_VERSION = 3


@dataclass
class Exercise:
    """One exercise found in a notebook."""

    checker: str  # "check_output_value"
    module: str  # "cnnhelpers.exercises.kernels"
    names: list[str]  # the variables passed to the checker: ["answer"], ["dense", "conv"], ["conv2d"]
    build_it: bool  # True when the student writes a function
    points: int
    grade_id: str  # nbgrader's name of its cells: "<grade_id>_answer" and "<grade_id>_test"
    options: dict  # the checker's keyword arguments in the notebook: {"up_to": "padding"}


def find_checkers() -> dict[str, object]:
    """Every ``check_...`` function of ``cnnhelpers.exercises``, by name."""
    checkers = {}
    for info in pkgutil.iter_modules(cnnhelpers.exercises.__path__):
        module = importlib.import_module(f"cnnhelpers.exercises.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("check_") and callable(value) and value.__module__ == module.__name__:
                checkers[name] = value
    return checkers


def _check_call(statement: ast.stmt) -> tuple[str, list[str], dict] | None:
    """``("check_x", ["answer"], {})`` when the statement is ``check_x(answer)``, else None.

    Keyword arguments with literal values are kept: ``check_conv2d(conv2d, up_to="padding")``
    gives ``("check_conv2d", ["conv2d"], {"up_to": "padding"})``.
    """
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    if not (isinstance(call.func, ast.Name) and call.func.id.startswith("check_")):
        return None
    if not all(isinstance(arg, ast.Name) for arg in call.args):
        return None
    try:
        options = {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords}
    except ValueError:  # a keyword whose value is not a literal: not an exercise call we can grade
        return None
    if None in options:  # **kwargs
        return None
    return call.func.id, [arg.id for arg in call.args], options


def _is_placeholder(statement: ast.stmt, names: list[str]) -> bool:
    """True for ``answer = None`` / ``a, b = None, None`` assigning exactly ``names``, or ``def name``."""
    if isinstance(statement, ast.FunctionDef):
        return [statement.name] == names
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
        return False
    target, value = statement.targets[0], statement.value
    targets = [target] if isinstance(target, ast.Name) else getattr(target, "elts", [])
    values = [value] if not isinstance(value, ast.Tuple) else value.elts
    return ([getattr(t, "id", None) for t in targets] == names
            and all(isinstance(v, ast.Constant) and v.value is None for v in values))


def _parse(source: str) -> list[ast.stmt] | None:
    try:
        return ast.parse(source).body
    except SyntaxError:  # IPython magics (%matplotlib): never an exercise cell
        return None


def _lines(source: str, statements: list[ast.stmt]) -> str:
    """The source text of consecutive top-level statements (with the comments on their lines)."""
    if not statements:
        return ""
    lines = source.splitlines()
    first = statements[0].lineno - 1
    if isinstance(statements[0], ast.FunctionDef) and statements[0].decorator_list:
        first = statements[0].decorator_list[0].lineno - 1
    return "\n".join(lines[first:statements[-1].end_lineno]).strip("\n")


def _literal(value) -> str:
    """A Python literal a student could have typed: ``7``, ``"C"``, ``[[3.0, 5.0], ...]``."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        value = json.loads(json.dumps(value), parse_float=lambda s: int(float(s)) if float(s).is_integer()
                           else round(float(s), 10))
    return repr(value)


def answer_solution(checker_name: str, names: list[str]) -> str:
    """The solution region's code for an answer exercise: ``answer = 7`` (one line per variable set)."""
    if checker_name not in ANSWERS:
        raise KeyError(f"classroom/solutions.py has no model answer for {checker_name}: add one to ANSWERS")
    values = ANSWERS[checker_name]()
    if sorted(values) != sorted(names):
        raise ValueError(f"{checker_name}: the notebook's answer variables are {names}, "
                         f"classroom/solutions.py gives {sorted(values)}")
    return f"{', '.join(names)} = {', '.join(_literal(values[name]) for name in names)}"


def _reference_functions_used(function) -> list:
    """``function`` and every function of ``cnnhelpers.reference`` it calls, helpers first."""
    found, queue = [], [function]
    while queue:
        current = queue.pop()
        if current in found:
            continue
        found.append(current)
        for name in current.__code__.co_names:
            helper = getattr(reference, name, None)
            if inspect.isfunction(helper) and helper.__module__ == reference.__name__:
                queue.append(helper)
    return found[::-1]


def _body_without_docstring(function) -> str:
    """The body of ``function`` as source at indentation 0."""
    source = textwrap.dedent(inspect.getsource(function))
    node = ast.parse(source).body[0]
    body = node.body[1:] if (isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
                             and isinstance(node.body[0].value.value, str)) else node.body
    lines = source.splitlines()
    return textwrap.dedent("\n".join(lines[body[0].lineno - 1:body[-1].end_lineno]))


def build_it_solution(stub: ast.FunctionDef, stub_source: str, operation: str) -> str:
    """The stub's signature and docstring, then the reference function's body as the solution region.

    The model solution is the reference function the checker names (``check_correlate2d`` ->
    ``reference.correlate2d``), whatever the stub is called (``correlate2d_loops``).

    Reference helpers it calls (``_pad``) are defined inside the region, so the released cell is
    the student's stub plus nbgrader's ``# YOUR CODE HERE`` marker.
    """
    model = getattr(reference, operation, None)
    if not inspect.isfunction(model):
        raise KeyError(f"Build-it function {stub.name} ({operation}) has no model solution in cnnhelpers.reference")
    lines = stub_source.splitlines()
    has_docstring = (isinstance(stub.body[0], ast.Expr) and isinstance(stub.body[0].value, ast.Constant)
                     and isinstance(stub.body[0].value.value, str))
    keep_until = stub.body[0].end_lineno if has_docstring else stub.body[0].lineno - 1
    head = lines[stub.lineno - 1 - (len(stub.decorator_list)):keep_until]  # def line(s) and docstring
    indent = " " * stub.body[0].col_offset
    region = []
    for helper in _reference_functions_used(model)[:-1]:
        region += textwrap.dedent(inspect.getsource(helper)).splitlines() + [""]
    region += _body_without_docstring(model).splitlines()
    body = [indent + "### BEGIN SOLUTION"] + [indent + line if line else "" for line in region]
    return "\n".join(head + body + [indent + "### END SOLUTION"])


def _nbgrader(cell, **fields):
    cell.metadata["nbgrader"] = {"schema_version": SCHEMA_VERSION, "task": False, **fields}
    return cell


def convert_notebook(notebook, checkers: dict, assignment: str) -> tuple[object, list[Exercise]]:
    """The nbgrader source version of ``notebook`` and the exercises found in it."""
    cells, exercises = [], []
    for cell in notebook.cells:
        statements = _parse(cell.source) if cell.cell_type == "code" else None
        call = _check_call(statements[-1]) if statements else None
        if call is None:
            cells.append(cell)
            continue
        checker_name, names, options = call
        if checker_name not in checkers:
            raise KeyError(f"{assignment}: {checker_name} is not a checker in cnnhelpers.exercises")
        # the placeholder: in this cell, or the whole previous code cell (Build-it layout)
        before = statements[:-1]
        index = next((i for i, s in enumerate(before) if _is_placeholder(s, names)), None)
        if index is not None:
            placeholder, stub_source = before[index], cell.source
            prelude = _lines(cell.source, before[:index])
            middle = _lines(cell.source, before[index + 1:])
        else:
            previous = cells[-1] if cells and cells[-1].cell_type == "code" else None
            previous_statements = (_parse(previous.source) if previous is not None else None) or []
            matching = [s for s in previous_statements if _is_placeholder(s, names)]
            if not matching:
                raise ValueError(f"{assignment}: {checker_name}({', '.join(names)}) has no placeholder "
                                 f"(`{names[0]} = None` or `def {names[0]}(...)`) in its cell or the cell before")
            cells.pop()  # the stub cell becomes the solution cell
            placeholder, stub_source = matching[0], previous.source
            at = previous_statements.index(placeholder)
            prelude = "\n".join(filter(None, [_lines(stub_source, previous_statements[:at]),
                                               _lines(stub_source, previous_statements[at + 1:]),
                                               _lines(cell.source, before)]))
            middle = ""
        build_it = isinstance(placeholder, ast.FunctionDef)
        # a Build-it stub names its cells (01 checks correlate2d_loops and correlate2d_fast with one checker)
        grade_id = placeholder.name if build_it else checker_name.removeprefix("check_")
        exercise = Exercise(checker_name, checkers[checker_name].__module__, names, build_it,
                            points_for(checker_name, build_it), grade_id, options)
        if prelude:
            metadata = {key: value for key, value in cell.metadata.items() if key != "nbgrader"}
            cells.append(nbformat.v4.new_code_cell(prelude, metadata=metadata))
        if build_it:
            solution = build_it_solution(placeholder, stub_source, checker_name.removeprefix("check_"))
        else:
            solution = "\n".join([_lines(stub_source, [placeholder]), "### BEGIN SOLUTION",
                                  answer_solution(checker_name, names), "### END SOLUTION"])
        if middle:
            solution += "\n" + middle
        cells.append(_nbgrader(nbformat.v4.new_code_cell(solution), grade=False, solution=True, locked=False,
                               grade_id=f"{grade_id}_answer"))
        test = (f"from {exercise.module} import {checker_name}\n\n"
                f"feedback = {checker_name}({', '.join([*names, *(f'{k}={v!r}' for k, v in options.items())])})\n"
                f"assert feedback, feedback.message\n"
                f"feedback")
        cells.append(_nbgrader(nbformat.v4.new_code_cell(test), grade=True, solution=False, locked=True,
                               grade_id=f"{grade_id}_test", points=exercise.points))
        exercises.append(exercise)
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook = nbformat.from_dict({**notebook, "cells": cells})
    notebook.metadata.pop("widgets", None)  # saved widget state: the released notebook runs afresh
    return notebook, exercises


def verify(notebook, exercises: list[Exercise], checkers: dict) -> None:
    """Run every solution region against its checker; raise when one is not accepted."""
    for exercise in exercises:
        cell = next(c for c in notebook.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == f"{exercise.grade_id}_answer")
        namespace = {"np": np}
        exec(compile(cell.source, exercise.checker, "exec"), namespace)  # noqa: S102 (our own model answer)
        verdict = checkers[exercise.checker](*(namespace[name] for name in exercise.names), **exercise.options)
        if not verdict:
            raise AssertionError(f"{exercise.checker} rejects the model answer: {verdict.message}")


def build_course(notebooks: list[Path], course: Path) -> dict[str, list[Exercise]]:
    """Write the course's source folder and nbgrader_config.py; returns the exercises per assignment."""
    checkers = find_checkers()
    source = course / "source"
    if source.exists():
        shutil.rmtree(source)
    found = {}
    for path in notebooks:
        assignment = path.stem
        notebook = nbformat.read(path, as_version=4)
        converted, exercises = convert_notebook(notebook, checkers, assignment)
        if not exercises:
            print(f"{assignment}: no exercises, no assignment")
            continue
        verify(converted, exercises, checkers)
        target = source / assignment / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(converted, target)
        found[assignment] = exercises
        total = sum(e.points for e in exercises)
        print(f"{assignment}: {len(exercises)} exercises, {total} points -> {target}")
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=COURSE, help="course folder (default classroom/course)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/[0-9]*.ipynb")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    build_course(notebooks, args.course)


if __name__ == "__main__":
    main()


__all__ = ["Exercise", "build_course", "convert_notebook", "find_checkers", "main", "verify"]
