"""nbgrader configuration of the book's course directory (run nbgrader from here)."""

from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader provides get_config)

c.CourseDirectory.course_id = "activations"
c.CourseDirectory.root = str(Path(__file__).resolve().parent)
# generous: a solution runs in about 5 s on one core; a stuck cell must not hang grading
c.ExecutePreprocessor.timeout = 120
c.Execute.timeout = 120
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
