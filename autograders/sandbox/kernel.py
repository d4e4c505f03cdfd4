"""The kernel a submission runs in: stock ipykernel without its debugger.

Why: importing debugpy is about 0.13 s of CPU in every kernel start (a quarter of
ipykernel's own start-up), and a grading kernel is never debugged. ipykernel guards
that import with ImportError, so marking debugpy absent simply leaves the debugger off.
Everything else is ``python -m ipykernel_launcher``, line for line.
"""

from __future__ import annotations

import sys
from pathlib import Path

NAME = "crm-grading"


def spec() -> dict:
    """The kernelspec (kernel.json) that starts this module."""
    return {"argv": [sys.executable, "-m", "autograders.sandbox.kernel", "-f",
                     "{connection_file}"],
            "display_name": "Python 3 (grading)", "language": "python",
            "metadata": {"debugger": False}}


def main() -> None:
    """Launch the kernel as ipykernel_launcher does, with debugpy marked absent."""
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]        # ipykernel puts the cwd back (InteractiveShellApp.init_path)
    sys.modules["debugpy"] = None  # type: ignore[assignment]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
