"""Where the course lives, and the nbgrader API bound to it.

Every course-level command resolves one course root (``--course PATH``, else the
``CRM_COURSE_ROOT`` environment variable, else ``./course``), so tests and the demo work
on a copied course and never write into the repository's ``course/``.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from autograders.commands.errors import CourseError

ENV_VAR = "CRM_COURSE_ROOT"
SOURCE_DIR = "units"
# Files of a unit directory that must never reach trainees: the criterion map and the
# unit's grading/ folder (evaluators, answer keys, reference solutions).
NEVER_RELEASED = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "grading",
                  "unit.toml", "evaluators.py", "*_key*", "*.secret", ".secret",
                  "INSTRUCTOR.md"]
# A trainee id becomes a directory name and a gradebook key: keep it boring.
TRAINEE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
UNIT_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def validate_trainee_id(trainee_id: str) -> str | None:
    """Return why a trainee id is unusable (spaces, unicode, separators, '..'), or None."""
    if TRAINEE_ID_RE.fullmatch(trainee_id):
        return None
    return (f"trainee id {trainee_id!r} is not allowed: use 1-64 ASCII letters, digits, "
            "'-' or '_' (no spaces, accents, path separators or '..'), e.g. 'T001'")


@dataclass(frozen=True)
class Course:
    """A resolved course root and the paths of its working areas."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def units_dir(self) -> Path:
        """Source notebooks, one directory per unit code."""
        return self.root / SOURCE_DIR

    @property
    def release_dir(self) -> Path:
        """Student versions written by ``generate_assignment``."""
        return self.root / "release"

    @property
    def submitted_dir(self) -> Path:
        """Collected submissions: ``submitted/<trainee>/<UNIT>/<nb>.ipynb``."""
        return self.root / "submitted"

    @property
    def autograded_dir(self) -> Path:
        """Sanitised executed notebooks: ``autograded/<trainee>/<UNIT>/<nb>.ipynb``."""
        return self.root / "autograded"

    @property
    def feedback_dir(self) -> Path:
        """Per-trainee feedback HTML."""
        return self.root / "feedback"

    @property
    def reports_dir(self) -> Path:
        """Competency, cohort, item-analysis, export and similarity reports."""
        return self.root / "reports"

    @property
    def gradebook_path(self) -> Path:
        """Nbgrader's SQLite gradebook."""
        return self.root / "gradebook.db"

    @property
    def status_db_path(self) -> Path:
        """Our own SQLite file: grading statuses and the resume journal."""
        return self.root / "grading.sqlite"

    @property
    def backups_dir(self) -> Path:
        """Gradebook backups taken before every grading run."""
        return self.root / ".backups"

    @property
    def secret_path(self) -> Path:
        """The course secret from which hidden seeds derive (never released)."""
        return self.root / ".secret"

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the gradebook."""
        return f"sqlite:///{self.gradebook_path}"

    def unit_dir(self, code: str) -> Path:
        """Source directory of one unit; raises CourseError naming the known units."""
        if not UNIT_CODE_RE.fullmatch(code):
            raise CourseError(f"unit {code!r} is not a valid unit code (e.g. 'ITCSCR304A')")
        path = self.units_dir / code
        if not path.is_dir():
            known = ", ".join(self.unit_codes()) or "none"
            raise CourseError(f"unknown unit {code!r}: known units are {known}; "
                              f"units live in {self.units_dir}/<CODE>/")
        return path

    def unit_codes(self) -> list[str]:
        """Every unit directory that holds at least one notebook, sorted."""
        if not self.units_dir.is_dir():
            return []
        return sorted(p.name for p in self.units_dir.iterdir()
                      if p.is_dir() and any(p.glob("*.ipynb")))

    def resolve_units(self, unit: str) -> list[str]:
        """Expand ``all`` to every unit, or check one unit code exists."""
        if unit == "all":
            codes = self.unit_codes()
            if not codes:
                raise CourseError(f"no units with notebooks under {self.units_dir}")
            return codes
        self.unit_dir(unit)
        return [unit]

    def notebooks(self, code: str) -> list[str]:
        """Notebook names (without .ipynb) of a unit's source, sorted."""
        return sorted(p.stem for p in self.unit_dir(code).glob("*.ipynb"))

    def read_secret(self, *, create: bool = False) -> str:
        """The course secret; generated (0600) on first use when ``create`` is set."""
        if self.secret_path.exists():
            return self.secret_path.read_text().strip()
        if not create:
            raise CourseError(f"course secret {self.secret_path} is missing: run "
                              "`crm-course release UNIT` first (it generates the secret)")
        value = secrets.token_hex(32)
        fd = os.open(self.secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value + "\n")
        os.chmod(self.secret_path, stat.S_IRUSR | stat.S_IWUSR)
        return value

    def nbgrader_api(self, answer_languages: tuple[str, ...] = ("en",)):
        """An ``NbGraderAPI`` whose CourseDirectory root is this course.

        The course's ``nbgrader_config.py`` is loaded when present; the settings the
        pipeline depends on (source directory, never-released files, gradebook URL, the
        released answer cells' words in `answer_languages`: `autograders.answer_stub`)
        are then enforced so a stale config cannot leak answer keys or release nbgrader's
        ``raise NotImplementedError()`` to trainees.
        """
        ensure_alembic_on_path()
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        config = Config()
        cfg_file = self.root / "nbgrader_config.py"
        if cfg_file.exists():
            config.merge(PyFileConfigLoader(cfg_file.name, path=str(self.root)).load_config())
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.source_directory = SOURCE_DIR
        ignore = list(config.CourseDirectory.get("ignore", []))
        config.CourseDirectory.ignore = ignore + [p for p in NEVER_RELEASED if p not in ignore]
        config.CourseDirectory.db_url = self.db_url
        from autograders.answer_stub import clear_solutions_config

        for name, value in clear_solutions_config(answer_languages).items():
            setattr(config.ClearSolutions, name, value)
        exchange = self.root / ".exchange"   # local stand-in until a JupyterHub exchange
        exchange.mkdir(exist_ok=True)
        config.Exchange.root = str(exchange)
        coursedir = CourseDirectory(config=config)
        return NbGraderAPI(coursedir=coursedir, config=config)


def ensure_alembic_on_path() -> None:
    """Make nbgrader's ``alembic`` subprocess findable when the venv is not activated.

    nbgrader's ``Gradebook`` runs the ``alembic`` executable to create a new database;
    ``.venv/bin/crm-course`` run without activating the venv would not find it. Only
    PATH of this process is extended, and only when alembic is missing from it.
    """
    if shutil.which("alembic") is None:
        bindir = str(Path(sys.executable).parent)
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    _alembic_head_in_process()


def _alembic_head_in_process() -> None:
    """Let a new gradebook read nbgrader's alembic head here, not in an ``alembic`` process.

    Why: nbgrader starts ``alembic heads`` (a Python that imports all of nbgrader) for every
    new gradebook, 2-5 s of each first release or grading run; the head is a constant of
    the installed nbgrader, read from its migration scripts without running them.
    """
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "_crm_in_process", False):
        return
    stock = nbgrader.api.get_alembic_version

    @functools.cache
    def head() -> str:
        try:
            from alembic.config import Config
            from alembic.script import ScriptDirectory
            from nbgrader.dbutil import _temp_alembic_ini

            with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
                found = ScriptDirectory.from_config(Config(ini)).get_current_head()
        except Exception:  # noqa: BLE001 - any alembic surprise: nbgrader's own way
            found = None
        return found or stock()

    head._crm_in_process = True
    head._crm_stock = stock
    nbgrader.api.get_alembic_version = head


def resolve_course(path: str | os.PathLike | None = None, *, must_exist: bool = True) -> Course:
    """Resolve the course root from an argument, ``CRM_COURSE_ROOT`` or ``./course``.

    Raises:
        CourseError: the root does not exist or has no ``units/`` directory.
    """
    raw = path if path not in (None, "") else os.environ.get(ENV_VAR) or "course"
    root = Path(raw).expanduser().resolve()
    if must_exist and not (root / SOURCE_DIR).is_dir():
        raise CourseError(f"course root {root} not found (no {SOURCE_DIR}/ directory inside): "
                          f"pass --course PATH or set {ENV_VAR}")
    return Course(root)
