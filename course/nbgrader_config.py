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

# Released answer cells say in words what to put there, in English and 繁體中文, and stop
# with one sentence if run unchanged (not nbgrader's `raise NotImplementedError()`):
# formgrader's "Generate" writes them; `crm-course release` writes each unit's languages.
try:
    from autograders.answer_stub import clear_solutions_config

    for _name, _value in clear_solutions_config(("en", "zh-Hant")).items():
        setattr(c.ClearSolutions, _name, _value)
except ImportError:     # nbgrader run outside the project's environment: its own stubs
    pass

# Feedback: formgrader's "Generate Feedback" and `crm-course feedback` both run nbgrader's
# converter with the project's exporter (released test cells only, no course secret,
# inert outputs, the verdict table on top, no MathJax from the internet), so they write
# the same page to the same feedback/<trainee>/<UNIT>/<notebook>.html.
c.GenerateFeedback.exporter_class = "autograders.feedback.FeedbackExporter"

# The exchange lives inside the course root (formgrader otherwise looks for
# /srv/nbgrader/exchange and shows a "does not exist" banner); created on first load.
import os  # noqa: E402

# On a class hub the exchange is shared (CRM_EXCHANGE_ROOT, docs/deploy.md).
_exchange = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".exchange")
if os.environ.get("CRM_EXCHANGE_ROOT"):
    _exchange = os.environ["CRM_EXCHANGE_ROOT"]
else:
    os.makedirs(_exchange, exist_ok=True)
c.Exchange.root = _exchange
