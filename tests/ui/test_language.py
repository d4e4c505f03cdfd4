"""Trainee text in the trainee's language: resolution order, the switch, the text file."""

from __future__ import annotations

import json

import pytest

from crm_sim.errors import FieldError
from crm_sim.ui import language as lang

TEXT = '''
[greeting]
en = "Hello {name}"
zh-Hant = "你好 {name}"

[q.options.a]
en = "Yes"
zh-Hant = "是"

[q.options.b]
en = "No"
zh-Hant = "否"

[only_english]
en = "Only English"
'''


@pytest.fixture
def ws(tmp_path, monkeypatch):
    """An empty workspace with its own JupyterLab settings folder and no language set."""
    monkeypatch.setenv("CRM_WORLD_DIR", str(tmp_path))
    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path / "lab"))
    monkeypatch.delenv(lang.LANG_ENV, raising=False)
    monkeypatch.setenv("CRM_TRAINEE_ID", "T005")
    (tmp_path / "text.toml").write_text(TEXT, encoding="utf-8")
    return tmp_path


def test_english_when_nothing_is_recorded(ws):
    """With no switch, record or environment, a trainee reads English."""
    assert lang.current_language() == "en"


def test_release_record_chooses_per_trainee(ws, monkeypatch):
    """languages.toml gives T005 Chinese and everyone else the default."""
    (ws / lang.RECORD_FILE).write_text('default = "en"\n[trainees]\n"T005" = "zh-Hant"\n')
    assert lang.current_language() == "zh-Hant"
    monkeypatch.setenv("CRM_TRAINEE_ID", "T006")
    assert lang.current_language() == "en"


def test_switch_beats_record_and_env_beats_switch(ws, monkeypatch):
    """The notebook's switch overrides the course record; CRM_LANG overrides both."""
    (ws / lang.RECORD_FILE).write_text('[trainees]\n"T005" = "zh-Hant"\n')
    lang.set_language("en", lab=False)
    assert lang.current_language() == "en"
    monkeypatch.setenv(lang.LANG_ENV, "zh-Hant")
    assert lang.current_language() == "zh-Hant"


def test_unknown_language_in_files_is_ignored(ws):
    """A switch or record naming a language we do not have falls back to English."""
    (ws / lang.SWITCH_FILE).write_text("klingon\n")
    (ws / lang.RECORD_FILE).write_text('default = "fr"\n')
    assert lang.current_language() == "en"


def test_set_language_rejects_unknown_and_changes_nothing(ws):
    """An unknown language is a FieldError naming the choices; no file is written."""
    with pytest.raises(FieldError, match="zh-Hant"):
        lang.set_language("zh-CN")
    assert not (ws / lang.SWITCH_FILE).exists()
    assert not lang.lab_settings_file().exists()


def test_set_language_sets_jupyterlab_locale(ws):
    """The switch writes JupyterLab's locale setting (zh_TW for 繁體中文), keeping others."""
    path = lang.lab_settings_file()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"someOther": 1}))
    message = lang.set_language("zh-Hant")
    assert "繁體中文" in message
    assert json.loads(path.read_text()) == {"someOther": 1, "locale": "zh_TW"}
    lang.set_language("en")
    assert json.loads(path.read_text())["locale"] == "en"


def test_recorded_language_leaves_a_trainees_own_lab_setting(ws):
    """only_if_unset writes a first setting but never overwrites one the trainee made."""
    assert lang.set_lab_locale("zh-Hant", only_if_unset=True) is not None
    path = lang.lab_settings_file()
    path.write_text(json.dumps({"locale": "en"}))
    assert lang.set_lab_locale("zh-Hant", only_if_unset=True) is None
    assert json.loads(path.read_text())["locale"] == "en"


def test_unreadable_lab_settings_are_left_alone(ws):
    """A settings file with comments (JSON5) is not overwritten by the switch."""
    path = lang.lab_settings_file()
    path.parent.mkdir(parents=True)
    path.write_text('// mine\n{"locale": "en"}')
    assert lang.set_lab_locale("zh-Hant") is None
    assert path.read_text().startswith("// mine")


def test_unit_text_in_each_language(ws):
    """UnitText.get formats an entry in the chosen language; table gives a question's options."""
    en = lang.UnitText(ws / "text.toml", "en")
    zh = lang.UnitText(ws / "text.toml", "zh-Hant")
    assert en.get("greeting", name="Ann") == "Hello Ann"
    assert zh.get("greeting", name="Ann") == "你好 Ann"
    assert zh.table("q.options") == {"a": "是", "b": "否"}


def test_unit_text_follows_current_language(ws):
    """Without a language argument the text follows the trainee's recorded language."""
    lang.set_language("zh-Hant", lab=False)
    assert lang.UnitText(ws / "text.toml").get("q.options.a") == "是"


def test_missing_lists_each_entry_without_a_language(ws):
    """missing() names every entry lacking a language, so a test can demand both."""
    text = lang.UnitText(ws / "text.toml", "en")
    assert text.missing() == ["only_english (zh-Hant)"]


def test_bad_keys_and_files_are_domain_errors(ws):
    """A wrong key, a table asked for as text and a missing file each say what to fix."""
    text = lang.UnitText(ws / "text.toml", "en")
    with pytest.raises(FieldError, match="greting"):
        text.get("greting")
    with pytest.raises(FieldError, match="one string per language"):
        text.get("q.options")
    with pytest.raises(FieldError, match="table of entries"):
        text.table("greeting")
    with pytest.raises(FieldError, match="text.toml"):
        lang.UnitText(ws / "nope" / "text.toml", "en")


def test_language_switch_view_drives_the_switch(ws):
    """Choosing 繁體中文 in the view writes the switch and says so in Chinese."""
    view = lang.LanguageSwitch(lab=False)
    assert view.value == "en"
    assert "繁體中文" in view.choose("zh-Hant")
    assert lang.current_language() == "zh-Hant"
    with pytest.raises(FieldError):
        view.choose("de")
