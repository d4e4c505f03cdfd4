"""nbgrader configuration for the crm-course course root (this directory).

`course/units/<CODE>/` is the source of the assignment named `<CODE>`: its notebooks and
helper modules are released; its `grading/` folder (evaluators, answer keys, reference
solutions) and `unit.toml` (the criterion map) never are. The gradebook is SQLite in this
directory (`gradebook.db`, never committed).
"""

c = get_config()  # noqa: F821  (injected by traitlets when this file is loaded)

c.CourseDirectory.source_directory = "units"
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    # a company saved by running a notebook here (crm_sim.ui.session.my_world)
    ".crm_world",
    # never released: criterion map, evaluators, answer keys and reference solutions
    "grading",
    "unit.toml",
    "evaluators.py",
    "*_key*",
    "*.secret",
    ".secret",
]
