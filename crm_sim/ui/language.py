"""Trainee text in the trainee's own language, read from a unit's text file.

Why a data file: a unit's narrative, questions and options live in one TOML file in the
unit folder (``text.toml``), every entry in every language the unit offers, so a
translator edits data, a test can prove that no entry lacks a language, and the code
that shows the text knows nothing of any unit::

    [day_intro]
    en = "A day at the records desk ..."
    zh-Hant = "記錄櫃檯的一天 ……"

    [q_k1.options.a]            # nested keys: ``text.get("q_k1.options.a")``
    en = "..."
    zh-Hant = "..."

Which language a trainee sees (`current_language`), first match wins:

1. ``CRM_LANG`` in the environment (a JupyterHub profile can set it);
2. ``.crm_lang`` in the workspace: the switch in the notebook (`set_language`);
3. ``languages.toml`` in the workspace, written by ``crm-course release --lang``:
   ``default = "en"`` and ``[trainees] T005 = "zh-Hant"``;
4. English.

JupyterLab's own menus follow the language pack chosen in *Settings → Language*;
`set_language` also writes that setting (``locale``) for the trainee, which is what the
menu does, so one switch changes both (after a page reload).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crm_sim.errors import FieldError

ENGLISH = "en"
LANGUAGES = (ENGLISH, "zh-Hant")
# JupyterLab locale of each language (the PyPI language pack that provides it).
LAB_LOCALES = {ENGLISH: "en", "zh-Hant": "zh_TW"}
LAB_PACKS = {"zh-Hant": "jupyterlab-language-pack-zh-TW"}
LANG_ENV = "CRM_LANG"
SWITCH_FILE = ".crm_lang"
RECORD_FILE = "languages.toml"
LAB_PLUGIN = Path("@jupyterlab") / "translation-extension" / "plugin.jupyterlab-settings"


def check_language(lang: Any, allowed: tuple[str, ...] = LANGUAGES) -> str:
    """`lang` if it is one of `allowed`, else a FieldError naming the choices."""
    if lang not in allowed:
        raise FieldError("language", lang, ", ".join(allowed), f'e.g. "{allowed[-1]}"')
    return lang


def workspace() -> Path:
    """The trainee's workspace: ``CRM_WORLD_DIR`` when set, else the notebook's folder."""
    return Path(os.environ.get("CRM_WORLD_DIR", "").strip() or ".")


def recorded_language(record: Path, trainee: str) -> str | None:
    """The language ``crm-course release`` recorded for `trainee` in `record`, if any."""
    try:
        data = tomllib.loads(record.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    trainees = data.get("trainees", {})
    lang = trainees.get(trainee) if isinstance(trainees, dict) else None
    lang = lang or data.get("default")
    return lang if lang in LANGUAGES else None


def current_language(base: str | Path | None = None) -> str:
    """The language this trainee reads (see the module docstring for the order)."""
    env = os.environ.get(LANG_ENV, "").strip()
    if env in LANGUAGES:
        return env
    base = Path(base) if base is not None else workspace()
    try:
        switched = (base / SWITCH_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        switched = ""
    if switched in LANGUAGES:
        return switched
    from crm_sim.ui.session import trainee_id

    return recorded_language(base / RECORD_FILE, trainee_id()) or ENGLISH


def lab_settings_file() -> Path:
    """JupyterLab's user setting of its interface language (what Settings → Language writes)."""
    root = os.environ.get("JUPYTERLAB_SETTINGS_DIR", "").strip()
    if not root:
        from jupyter_core.paths import jupyter_config_dir

        root = str(Path(jupyter_config_dir()) / "lab" / "user-settings")
    return Path(root) / LAB_PLUGIN


def set_lab_locale(lang: str, *, only_if_unset: bool = False) -> Path | None:
    """Set JupyterLab's interface language for this user; the path written, or None.

    Args:
        lang: one of `LANGUAGES`.
        only_if_unset: leave a setting the trainee already made alone (used when the
            language comes from the course's record, not from the trainee's own switch).

    A settings file that cannot be read as JSON (JupyterLab allows comments) or a home
    that cannot be written is left as it is: the menu still works.
    """
    path = lab_settings_file()
    settings: dict[str, Any] = {}
    if path.exists():
        if only_if_unset:
            return None
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(settings, dict):
            return None
    settings["locale"] = LAB_LOCALES[check_language(lang)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    except OSError:
        return None
    return path


def set_language(lang: str, *, lab: bool = True, base: str | Path | None = None) -> str:
    """The switch in the notebook: show this trainee's text in `lang` from now on.

    Writes ``.crm_lang`` in the workspace (every notebook of the course reads it) and,
    with `lab`, JupyterLab's interface language. Returns what to do next, in `lang`.
    """
    check_language(lang)
    base = Path(base) if base is not None else workspace()
    try:
        (base / SWITCH_FILE).write_text(lang + "\n", encoding="utf-8")
    except OSError as exc:
        raise FieldError("workspace", str(base), "a folder you can write",
                         "run the notebook from your own copy of the unit") from exc
    if lab:
        set_lab_locale(lang)
    if lang == ENGLISH:
        return "Language: English. Re-run the notebook's cells (Run → Run All Cells); " \
               "reload the page for JupyterLab's menus in English."
    return "語言：繁體中文。請重新執行筆記本的儲存格（執行 → 執行所有儲存格）；" \
           "重新載入網頁後，JupyterLab 的選單也會以中文顯示。"


def _is_text(node: Any) -> bool:
    return isinstance(node, Mapping) and bool(node) and all(k in LANGUAGES for k in node)


class UnitText:
    """A unit's trainee text in every language (`text.toml`), shown in one of them.

    Args:
        path: the unit's text file.
        lang: the language to show (default: `current_language()`).

    Raises:
        FieldError: the file is missing or is not valid TOML.
    """

    def __init__(self, path: str | Path, lang: str | None = None):
        self.path = Path(path)
        try:
            self.data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise FieldError("text file", str(self.path), "a readable TOML file",
                             "release the unit's text.toml beside its notebooks") from exc
        self.lang = check_language(lang) if lang is not None else current_language()

    def _node(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise FieldError("text key", key, "a key of " + self.path.name,
                                 "check the spelling of the key")
            node = node[part]
        return node

    def get(self, key: str, **values: Any) -> str:
        """The entry `key` (dotted for nested tables) in this language, formatted with `values`."""
        node = self._node(key)
        if not _is_text(node):
            raise FieldError("text key", key, "an entry with one string per language",
                             "name a leaf entry, e.g. q_k1.question")
        text = node.get(self.lang) or node[ENGLISH]
        return text.format(**values) if values else text

    def table(self, key: str) -> dict[str, str]:
        """A table of entries (e.g. the options of a question) as ``{name: text}``."""
        node = self._node(key)
        if not isinstance(node, Mapping) or _is_text(node):
            raise FieldError("text key", key, "a table of entries", "e.g. q_k1.options")
        return {name: self.get(f"{key}.{name}") for name in node}

    def show(self, key: str, **values: Any) -> None:
        """Display the entry as Markdown (a narrative cell in the trainee's language)."""
        from IPython.display import Markdown, display

        display(Markdown(self.get(key, **values)))

    def entries(self) -> dict[str, Mapping[str, str]]:
        """Every leaf entry, ``{dotted key: {language: text}}`` (for checks and tests)."""
        out: dict[str, Mapping[str, str]] = {}

        def walk(node: Any, prefix: str) -> None:
            if _is_text(node):
                out[prefix] = node
            elif isinstance(node, Mapping):
                for name, child in node.items():
                    walk(child, f"{prefix}.{name}" if prefix else str(name))
            else:
                out[prefix] = {}

        walk(self.data, "")
        return out

    def missing(self, languages: tuple[str, ...] = LANGUAGES) -> list[str]:
        """``key (language)`` for every entry lacking a language or holding a blank text."""
        gaps = []
        for key, node in self.entries().items():
            for lang in languages:
                value = node.get(lang) if isinstance(node, Mapping) else None
                if not isinstance(value, str) or not value.strip():
                    gaps.append(f"{key} ({lang})")
        return gaps


class LanguageSwitch:
    """The switch in the notebook: a language menu that calls `set_language` when changed.

    Drivable from code like every view (`choose`); `value` is the language shown.
    """

    NAMES = {ENGLISH: "English", "zh-Hant": "繁體中文"}

    def __init__(self, languages: tuple[str, ...] = LANGUAGES, *, lab: bool = True,
                 base: str | Path | None = None):
        import ipywidgets as widgets

        self.languages, self.lab, self.base = tuple(languages), lab, base
        self.value = current_language(base)
        self._menu = widgets.ToggleButtons(
            options=[(self.NAMES.get(lang, lang), lang) for lang in self.languages],
            value=self.value if self.value in self.languages else self.languages[0])
        self._said = widgets.HTML()
        self._menu.observe(lambda change: self.choose(change["new"]), names="value")
        self.widget = widgets.VBox([self._menu, self._said])

    def choose(self, lang: str) -> str:
        """Switch to `lang` (what clicking it does); returns what to do next, in `lang`."""
        message = set_language(check_language(lang, self.languages), lab=self.lab,
                               base=self.base)
        self.value = lang
        if self._menu.value != lang:
            self._menu.value = lang
        self._said.value = message
        return message

    def _ipython_display_(self):  # pragma: no cover - display hook only
        from IPython.display import display

        display(self.widget)
