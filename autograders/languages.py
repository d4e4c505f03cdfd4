"""Which language each trainee reads a unit in, recorded by ``crm-course release --lang``.

The course keeps one record, ``<course>/languages.toml``: a ``default`` and a table
``[trainees]`` of trainee id -> language. Every release copies it beside the released
notebooks, where the trainee's kernel reads it (`crm_sim.ui.language.current_language`):
one release serves a mixed cohort, and a trainee can still switch in the notebook. The
languages a unit offers are its unit.toml's ``languages`` (English only when absent);
the framework knows nothing else of the unit.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from autograders.commands.errors import CourseError
from autograders.course import Course, validate_trainee_id
from crm_sim.ui.language import ENGLISH, LANGUAGES, RECORD_FILE


def unit_languages(unit_dir: Path) -> tuple[str, ...]:
    """The languages a unit's trainee text is written in (its unit.toml ``languages``)."""
    try:
        data = tomllib.loads((Path(unit_dir) / "unit.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return (ENGLISH,)
    langs = data.get("languages", [ENGLISH])
    if not isinstance(langs, list) or not all(isinstance(x, str) for x in langs):
        return (ENGLISH,)
    return tuple(langs)


def read_record(course: Course) -> dict:
    """The course's language record: ``{"default": lang, "trainees": {id: lang}}``."""
    path = course.root / RECORD_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CourseError(f"{path} is not valid TOML ({exc}); fix or delete it") from exc
    trainees = data.get("trainees", {})
    return {"default": data.get("default", ENGLISH),
            "trainees": dict(trainees) if isinstance(trainees, dict) else {}}


def _toml(record: dict) -> str:
    lines = ["# Language of each trainee's text, written by `crm-course release --lang`.",
             f'default = "{record["default"]}"', "", "[trainees]"]
    lines += [f'"{tid}" = "{lang}"' for tid, lang in sorted(record["trainees"].items())]
    return "\n".join(lines) + "\n"


def record_language(course: Course, code: str, lang: str,
                    trainees: list[str] | None = None) -> dict:
    """Record `lang` for `trainees` (or as the course default when none is named).

    Raises:
        CourseError: a language the unit's text is not written in, or a bad trainee id.
    """
    offered = unit_languages(course.unit_dir(code))
    if lang not in LANGUAGES or lang not in offered:
        raise CourseError(f"unit {code} has no text in {lang!r}: choose one of "
                          f"{', '.join(offered)} (unit.toml 'languages')")
    record = read_record(course)
    if trainees:
        for tid in trainees:
            problem = validate_trainee_id(tid)
            if problem:
                raise CourseError(problem)
            record["trainees"][tid] = lang
    else:
        record["default"] = lang
    (course.root / RECORD_FILE).write_text(_toml(record), encoding="utf-8")
    return record


def copy_record(course: Course, released: Path) -> Path | None:
    """Put the course's language record beside a unit's released notebooks (if any)."""
    source = course.root / RECORD_FILE
    if not source.exists():
        return None
    target = Path(released) / RECORD_FILE
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return target
