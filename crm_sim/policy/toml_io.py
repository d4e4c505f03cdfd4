"""Read and write a `ContactPolicy` as TOML, the format an instructor can edit by hand.

Reading uses the standard library's `tomllib`. Writing is done here: a policy has one
fixed shape (top-level values, a ``[privacy]`` table, ``[[segments]]`` with nested
``[[segments.channels]]``) whose values are only text, numbers, booleans and lists of
text, so a twenty-line writer is simpler than a new dependency in every trainee kernel.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from crm_sim.errors import PolicyError


def dumps(policy: Any) -> str:
    """The policy as TOML text; `loads(dumps(p)) == p`."""
    data = policy.to_dict()
    lines = [f"{k} = {_value(v)}" for k, v in data.items() if k not in ("privacy", "segments")]
    lines += ["", "[privacy]"]
    lines += [f"{k} = {_value(v)}" for k, v in data["privacy"].items()]
    for seg in data["segments"]:
        lines += ["", "[[segments]]"]
        lines += [f"{k} = {_value(v)}" for k, v in seg.items() if k != "channels"]
        for rule in seg["channels"]:
            lines += ["", "[[segments.channels]]"]
            lines += [f"{k} = {_value(v)}" for k, v in rule.items()]
    return "\n".join(lines) + "\n"


def loads(text: str) -> Any:
    """A checked `ContactPolicy` from TOML text; PolicyError for bad TOML or values."""
    from crm_sim.policy.model import ContactPolicy

    if not isinstance(text, str):
        raise PolicyError("policy TOML", type(text).__name__, "text", "pass the file's text")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("policy TOML", str(exc), "valid TOML",
                          "fix the line named, or save the policy from the designer") from exc
    data.setdefault("segments", [])
    return ContactPolicy.from_dict(data)


def save(policy: Any, path: str | Path) -> Path:
    """Write the policy to a .toml file (atomically: a temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps(policy), encoding="utf-8")
    tmp.replace(path)
    return path


def load(path: str | Path) -> Any:
    """Read a policy saved with `save`."""
    path = Path(path)
    if not path.is_file():
        raise PolicyError("path", str(path), "an existing .toml file",
                          "save the policy first: crm_sim.policy.save_toml(policy, path)")
    return loads(path.read_text(encoding="utf-8"))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        # json escapes quotes, backslashes and control characters as TOML does; DEL too
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise PolicyError("policy TOML", type(value).__name__, "text, numbers, booleans, lists",
                      "store only plain values in a policy")
