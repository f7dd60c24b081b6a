"""nbgrader configuration of the cnnhelpers course (the course root is this folder).

``make assignments`` writes ``source/<assignment>/`` from the series; the other folders
(``release``, ``submitted``, ``autograded``, ``feedback``) and ``gradebook.db`` are nbgrader's.
"""

from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)

c.CourseDirectory.course_id = "cnnhelpers"
c.CourseDirectory.root = str(Path(__file__).resolve().parent)

# Autograding runs every cell of a student's notebook. A cell gets this long, then it is interrupted
# and grading goes on (an infinite loop costs its exercise, it does not hang the grader). The
# slowest cell of the series (notebook 06's training) takes well under a minute on a 2-core machine.
c.Execute.timeout = 180
c.Execute.interrupt_on_timeout = True

# A student who deletes a locked test cell still gets it graded: nbgrader puts it back from the
# gradebook (with a comment saying so) and runs it. nbgrader 0.9's default is to leave it out.
c.OverwriteCells.add_missing_cells = True

# The released solution region: nbgrader's default stub (students delete the raise line).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
