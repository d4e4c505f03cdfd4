"""nbgrader configuration for the crm-course course root (this directory).

`course/units/<CODE>/` is the source of the assignment named `<CODE>`. The gradebook is
SQLite in this directory (`gradebook.db`, never committed). Files that hold answer keys,
scoring parameters or the criterion map are never copied into a release: trainees get
notebooks and data only.
"""

c = get_config()  # noqa: F821  (injected by traitlets when this file is loaded)

c.CourseDirectory.source_directory = "units"
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    # never released: criterion map, evaluators and answer keys
    "unit.toml",
    "evaluators.py",
    "*_key*",
    "*.secret",
    ".secret",
]
