"""Kernel side of grading: hand an answer to the grader as plain data.

`submit` is the only grading code that runs inside the trainee's kernel. It decides
nothing: it converts the value (see `serialize`) and, during a grading run, writes it
next to the run's nonce for this cell. The grader later trusts the file only if the nonce
matches the one it inserted into this very cell, so a cell that did not run as written
leaves no valid artefact.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from autograders.checks.friendly import failed_here, install_name_hint
from autograders.checks.serialize import SubmitError, to_plain

install_name_hint()   # a test cell run before its answer says what to do, in words

ARTIFACT_DIR_ENV = "CRM_ARTIFACT_DIR"
MAX_ARTIFACT_BYTES = 10_000_000
_GRADE_ID = re.compile(r"[A-Za-z0-9_.-]{1,100}")
# The lines `submit` prints, in each language a unit's text may be in. English unless a
# unit's released helper calls `use_language` with the language its trainee reads.
MESSAGES = {
    "en": {"ready": "✔ {grade_id} is ready to submit",
           "not_ready": "✘ {grade_id} is not ready yet: fix what the check above lists, then "
                        "run this cell again",
           "refused": "✘ {grade_id}: {error}"},
    "zh-Hant": {"ready": "✔ {grade_id} 已可提交",
                "not_ready": "✘ {grade_id} 仍未可提交：請先修正上面檢查列出的問題，"
                             "再執行這個儲存格",
                "refused": "✘ {grade_id}：{error}"},
}
_LANGUAGE = {"lang": "en"}


def use_language(lang: str) -> str:
    """Print `submit`'s lines in `lang` from now on (in this kernel); the language used.

    Called by a unit's released helper with the language its trainee reads; the
    framework itself knows no unit. A language without messages stays English.
    """
    _LANGUAGE["lang"] = lang if lang in MESSAGES else "en"
    return _LANGUAGE["lang"]


def _line(key: str, **values: str) -> str:
    return MESSAGES[_LANGUAGE["lang"]][key].format(**values)


def artifact_name(grade_id: str) -> str:
    """The artefact file name of a cell (also checked by the grader)."""
    return f"{grade_id}.json"


def submit(grade_id: str, value: Any, *, nonce: str | None = None) -> None:
    """Validate `value` as a graded answer and, when grading, record it for the grader.

    Outside grading (no nonce) this only checks the value and prints
    "✔ <grade_id> is ready to submit" or what is wrong, so the trainee can fix it before
    handing in; after a visible check in the same cell found a problem
    (`autograders.checks.friendly.check_failed`) it says the answer is not ready.
    During grading the grader rewrites the test cell to pass a nonce; the
    plain value (or the reason it was refused) is written to
    ``$CRM_ARTIFACT_DIR/<grade_id>.json``.

    Args:
        grade_id: the test cell's nbgrader grade_id.
        value: the answer (DataFrame, dict, list, number, text, function...).
        nonce: set only by the grader; never pass it yourself.
    """
    if not isinstance(grade_id, str) or not _GRADE_ID.fullmatch(grade_id):
        print(f"✘ submit: grade_id {grade_id!r} is not a cell name; leave the test cell as "
              "it was released")
        return
    error = None
    plain: Any = None
    try:
        plain = to_plain(value, grade_id)
        text = json.dumps(plain, allow_nan=False)
        if len(text) > MAX_ARTIFACT_BYTES:
            error = (f"the answer is {len(text):,} bytes as data; the limit is "
                     f"{MAX_ARTIFACT_BYTES:,}. Submit only what the question asks for")
    except SubmitError as exc:
        error = str(exc)
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. a failing to_dict()
        error = f"the value could not be converted to data ({type(exc).__name__})"
    if nonce is None:
        if error:
            print(_line("refused", grade_id=grade_id, error=error))
        elif failed_here():
            print(_line("not_ready", grade_id=grade_id))
        else:
            print(_line("ready", grade_id=grade_id))
        return
    record = {"grade_id": grade_id, "nonce": str(nonce)}
    if error:
        record["error"] = error
        print(f"✘ {grade_id}: {error}")
    else:
        record["value"] = plain
    _write(grade_id, record)


def _write(grade_id: str, record: dict) -> None:
    """Write the artefact atomically (a half-written file must not look valid)."""
    directory = os.environ.get(ARTIFACT_DIR_ENV) or "."
    path = os.path.join(directory, artifact_name(grade_id))
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh, allow_nan=False)
    os.replace(tmp, path)
