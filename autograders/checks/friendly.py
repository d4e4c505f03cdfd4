"""Trainee-facing wording in the kernel: an unanswered exercise, a check that failed.

Two things a trainee reads while working, kept honest here:

* A test cell run before its answer exists stops with Python's
  ``NameError: name 'answer_k6' is not defined``. `install_name_hint` makes IPython
  say what to do instead (write the answer in the cell above and run it). The error
  stays a ``NameError`` for the grader, which reads the exception *type* only.
* A visible check that finds a problem calls `check_failed`; `submit` in the same cell
  then says the answer is not ready, never "ready to submit" under a ✘.
"""

from __future__ import annotations

from typing import Any

_STATE: dict[str, Any] = {"failed_in": None}
_PLAIN = object()      # the "cell" marker outside IPython


def _current_cell() -> Any:
    """The running cell's execution count in IPython, else one shared marker."""
    try:
        from IPython import get_ipython
    except ImportError:
        return _PLAIN
    shell = get_ipython()
    return shell.execution_count if shell is not None else _PLAIN


def check_failed() -> None:
    """Note that a visible check in the running cell found something to fix."""
    _STATE["failed_in"] = _current_cell()


def failed_here() -> bool:
    """True when a check in the running cell failed (the note is then cleared)."""
    hit = _STATE["failed_in"] is not None and _STATE["failed_in"] == _current_cell()
    _STATE["failed_in"] = None
    return hit


def name_hint(name: str | None) -> str:
    """What to do about a name that is not defined yet, in words."""
    if not name:
        return ("Something this cell uses is not defined yet: run the cells above this "
                "one first, in order (Run > Run All Above Selected Cell).")
    example = f'{name} = "a"' if name.startswith("answer") else f"{name} = ..."
    return (f"{name} is not defined yet. If it is your answer, write it in the answer cell "
            f"above (for example {example}) and run that cell, then run this one again. "
            "Otherwise run the cells above this one first, in order "
            "(Run > Run All Above Selected Cell).")


def _handler(shell: Any, etype: type, value: BaseException, tb: Any,
             tb_offset: int | None = None) -> list[str]:
    """IPython custom exception handler: the hint instead of the traceback."""
    stb = [name_hint(getattr(value, "name", None))]
    shell._showtraceback(etype, value, stb)     # an error output the grader still sees
    return stb


def install_name_hint() -> bool:
    """Make IPython word ``NameError`` as `name_hint` (True when installed)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    if NameError not in (getattr(shell, "custom_exceptions", ()) or ()):
        shell.set_custom_exc((NameError,), _handler)
    return True
