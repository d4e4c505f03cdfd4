"""`crm-course check` warns when the key of multiple-choice items gives itself away by length."""

import json
import shutil
from pathlib import Path

from unit_loader import built_units

from autograders.quizcheck import choice_items, longest_key_warning
from autograders.unitspec import check_unit

UNITS = Path(__file__).resolve().parents[1] / "course" / "units"


def test_real_units_items_are_found_with_their_keys():
    """The 14 fixed-key items are read with their keys; own-company items have none fixed."""
    items = choice_items(UNITS / "ITCSCR304A") + choice_items(UNITS / "ITCSCR410A")
    fixed = [i for i in items if not i.key.startswith("answer_own_")]
    assert len(fixed) == 14
    assert all(i.answer in i.options for i in fixed)
    assert all(i.answer is None for i in items if i.key.startswith("answer_own_"))


def test_real_units_keys_are_rarely_the_longest_option():
    """No real unit triggers the warning: keys are the longest option in at most a third."""
    for code in built_units():
        items = choice_items(UNITS / code)
        assert sum(i.longest_is_key for i in items) <= len(items) / 3
        assert longest_key_warning(UNITS / code) is None


def _lengthen_keys(unit: Path) -> None:
    """Make every item's key by far the longest option (the old give-away)."""
    for nb_path in unit.glob("*.ipynb"):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for item in choice_items(unit):
            if item.notebook != nb_path.stem or item.answer is None:
                continue
            for cell in nb["cells"]:
                src = "".join(cell["source"])
                if f'ask("{item.key}"' in src:
                    head = f'"{item.answer}": '
                    assert head in src, item.key
                    cell["source"] = src.replace(head, head + '"' + 'and more ' * 30 + '" ', 1)
        nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                           encoding="utf-8")


def test_check_warns_when_the_key_is_mostly_the_longest(tmp_path):
    """A unit whose keys are all the longest option gets the warning in check's notes."""
    unit = tmp_path / "ITCSCR410A"
    shutil.copytree(UNITS / "ITCSCR410A", unit)
    _lengthen_keys(unit)
    warning = longest_key_warning(unit)
    assert warning and "5 of 5" in warning
    assert any("longest option" in note for note in check_unit(unit).notes)
