"""Release a unit: nbgrader's ``generate_assignment`` on ``units/<CODE>/``.

The student version goes to ``release/<CODE>/``: the notebooks without solutions or
hidden tests (each answer cell says in words, in the unit's languages, what to put in it:
`autograders.answer_stub`), and the unit's helper modules; never ``unit.toml`` or ``grading/``
(evaluators, answer keys, reference solutions; ``CourseDirectory.ignore``). The
gradebook learns the unit's notebooks and graded cells. The first release also creates
the course secret.
"""

from __future__ import annotations

import logging
from pathlib import Path

from autograders.commands.errors import CourseError
from autograders.course import Course

log = logging.getLogger(__name__)


def release_unit(course: Course, code: str) -> Path:
    """Generate the student version of one unit and return its directory.

    Raises:
        CourseError: unknown unit, or nbgrader rejected the source notebooks (the
            message carries nbgrader's own explanation).
    """
    from autograders.languages import copy_record, unit_languages

    languages = unit_languages(course.unit_dir(code))
    course.read_secret(create=True)
    api = course.nbgrader_api(answer_languages=languages)   # answer cells in its languages
    result = api.generate_assignment(code, force=True, create=True)
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "").strip().splitlines()
        tail = "\n".join(detail[-8:])
        raise CourseError(f"nbgrader could not release {code}:\n{tail}")
    out = course.release_dir / code
    leaked = private_files(out)
    if leaked:  # belt and braces: a config that leaks keys must fail loudly
        raise CourseError(f"release of {code} contains files that must stay private: {leaked}")
    if len(languages) > 1:
        copy_record(course, out)   # each trainee's language, read by the notebooks' kernel
    return out


def private_files(released: Path) -> list[str]:
    """Files under a release directory that must never reach a trainee (relative paths).

    ``grading/``, ``unit.toml`` or ``INSTRUCTOR.md`` at any depth, a file named
    ``evaluators.py``, a secret,
    or a Python module that registers evaluators (``@evaluator(`` at the start of a line:
    an answer key that was put beside the notebooks instead of in ``grading/``).
    """
    from autograders.unitspec import GRADING_DIR, evaluator_registrations

    found = []
    for path in sorted(Path(released).rglob("*")):
        rel = path.relative_to(released)
        if (GRADING_DIR in rel.parts
                or path.name in ("unit.toml", "evaluators.py", "INSTRUCTOR.md")
                or path.name.endswith(".secret")
                or (path.is_file() and path.suffix == ".py" and evaluator_registrations(path))):
            found.append(str(rel))
    return found


def release(course: Course, unit: str, lang: str | None = None,
            trainees: list[str] | None = None) -> list[Path]:
    """Release one unit or ``all`` units; returns the release directories.

    With `lang`, first record it as the language of `trainees` (or the course default)
    in ``languages.toml`` (`autograders.languages`), which every release carries.
    """
    codes = course.resolve_units(unit)
    if lang is not None:
        from autograders.languages import record_language

        for code in codes:
            record_language(course, code, lang, trainees)
    return [release_unit(course, code) for code in codes]
