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
    # the instructor's guide of a unit: rubrics, role-play customer cards
    "INSTRUCTOR.md",
]

# Feedback: formgrader's "Generate Feedback" and `crm-course feedback` both run nbgrader's
# converter with the project's exporter (released test cells only, no course secret,
# inert outputs, the verdict table on top, no MathJax from the internet), so they write
# the same page to the same feedback/<trainee>/<UNIT>/<notebook>.html.
c.GenerateFeedback.exporter_class = "autograders.feedback.FeedbackExporter"

# The exchange lives inside the course root (formgrader otherwise looks for
# /srv/nbgrader/exchange and shows a "does not exist" banner); created on first load.
import os  # noqa: E402

_exchange = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".exchange")
os.makedirs(_exchange, exist_ok=True)
c.Exchange.root = _exchange
