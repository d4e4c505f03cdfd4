"""The quiz widget at laptop width: long options wrap, every radio stays beside its text."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from crm_sim.ui.quiz import QUIZ_CSS, MultipleChoice

LONG = ("A periodic call keeps the relationship warm and surfaces new needs (and competitor "
        "approaches) before renewal: it is how we learn what the customer will need next "
        "year, and the call is logged with what we learnt for the whole account team.")
BUNDLES = Path(__file__).resolve().parents[1] / ".venv" / "share" / "jupyter" / "labextensions"
INSTALL = ("install it as root with `sh scripts/system-deps.sh` (Debian/Ubuntu: "
           "`apt-get update && apt-get install -y chromium`)")

MEASURE = """<script>
const box = document.querySelector('.widget-radio-box');
const labels = [...box.querySelectorAll('label')];
const problems = [];
labels.forEach((l, i) => {
  const r = l.getBoundingClientRect(), inp = l.querySelector('input').getBoundingClientRect();
  if (inp.width < 5 || inp.left < r.left - 1 || inp.right > r.right + 1)
    problems.push('radio ' + i);
  if (r.right > window.innerWidth + 1) problems.push('wide ' + i);
  if (l.scrollHeight > l.clientHeight + 1 || l.scrollWidth > l.clientWidth + 1)
    problems.push('text spills out of option ' + i);
  if (i && r.top < labels[i - 1].getBoundingClientRect().bottom - 1) problems.push('overlap ' + i);
});
document.title = problems.length ? 'FAIL ' + problems.join(',') : 'OK';
</script>"""


def _ipywidgets_css() -> str:
    """The installed ipywidgets stylesheet (from the JupyterLab widget bundle)."""
    for bundle in sorted(BUNDLES.rglob("*.js")):
        text = bundle.read_text(encoding="utf-8", errors="ignore")
        if ".jupyter-widget-radio-box label" in text:
            start = text.index("/* Radio Buttons Styling */")
            end = text.index("/* Color Picker", start) if "/* Color Picker" in text[start:] \
                else start + 3000
            variables = ";".join(sorted(set(re.findall(r"--jp-widgets-[\w-]+:\s*[^;\\]+",
                                                       text))))
            css = text[start:end].encode().decode("unicode_escape")
            return f":root {{{variables}}}\n{css}"
    pytest.fail("the JupyterLab widgets bundle is not installed in .venv (run make venv)")


def _page(css: str, options: dict[str, str]) -> str:
    labels = "".join(f'<label><input type="radio" name="q">{html.escape(f"{k}) {v}")}</label>'
                     for k, v in options.items())
    return (f"<!doctype html><html><head><style>{css}</style></head><body>"
            f'<div class="widget-vbox crm-quiz" style="width: 100%">{QUIZ_CSS}'
            f'<div class="widget-radio jupyter-widget-radio">'
            f'<div class="widget-radio-box jupyter-widget-radio-box widget-radio-box-vertical">'
            f"{labels}</div></div></div>{MEASURE}</body></html>")


def _title(chromium: str, page: Path, tmp: Path) -> str:
    out = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                          "--no-first-run", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp / 'profile'}", "--window-size=1366,900",
                          "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120, check=False).stdout
    found = re.search(r"<title>(.*?)</title>", out)
    return found.group(1) if found else out[-300:]


def test_long_options_wrap_and_keep_their_radio_at_1366px(tmp_path):
    """At 1366 px a long option wraps under its text; no radio is lost, nothing overlaps."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail(f"chromium is needed to lay the widget out: {INSTALL}")
    options = {"a": LONG, "b": "Short.", "c": LONG + " " + LONG, "d": "To remind them."}
    page = tmp_path / "quiz.html"
    page.write_text(_page(_ipywidgets_css(), options), encoding="utf-8")
    assert _title(chromium, page, tmp_path) == "OK"


def test_the_widget_carries_the_layout():
    """MultipleChoice's box has the quiz class and the stylesheet as its first child."""
    q = MultipleChoice("answer_k1", "Why call?", {"a": LONG, "b": "No reason."})
    assert "crm-quiz" in q.widget._dom_classes
    assert QUIZ_CSS in q.widget.children[0].value
