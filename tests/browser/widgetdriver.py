"""Operate an ipywidgets view in the page the way a person does, and catch what breaks.

Controls are found by their visible label (ipywidgets 8 ties each description to its
control with ``<label for=...>``), so a driver reads like the instructions a trainee gets:
pick "segment" in "Group by", type "customers" in "Name", press "Add measure". A control
that cannot be found by its label fails the test: that is a labelling bug for a person
using a screen reader or the keyboard, too.

`operate_everything` is the generic driver for views nobody has written a driver for
yet: it uses every control once (pick, tick, type, slide with the keyboard, click) and the
test then checks that the view answered in words, not with a traceback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Installed in the kernel before a view is operated: errors raised inside widget
# callbacks go to the kernel's log, not the page, so they are collected here.
CATCH_CALLBACK_ERRORS = """
import logging as _lg
class _BrowserTestErrors(_lg.Handler):
    records = []
    def emit(self, record):
        if record.levelno >= _lg.ERROR:
            self.records.append(self.format(record))
if not any(isinstance(h, _BrowserTestErrors) for h in _lg.getLogger().handlers):
    _lg.getLogger().addHandler(_BrowserTestErrors())
_BrowserTestErrors.records.clear()
"""
CALLBACK_ERRORS = "print('\\n'.join(_BrowserTestErrors.records))"


SLOW_S = 1.0                      # a person waiting longer than this wants to see progress
SLOW: list[tuple[str, float]] = []   # acts that took longer, page to kernel and back


def exact(text: str) -> re.Pattern:
    """A pattern matching exactly `text` (labels are matched whole, not by substring)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def settle(nb) -> None:
    """Wait until the kernel has handled what the last click or keystroke sent."""
    time.sleep(0.15)
    nb.page.wait_for_function(
        "(id) => { const p = document.getElementById(id); return !!p; }", arg=nb.panel_id)
    nb.page.wait_for_function(
        """(path) => { for (const w of window.jupyterapp.shell.widgets('main')) {
             if (w.context && w.context.path === path) {
               const k = w.sessionContext.session && w.sessionContext.session.kernel;
               return !!k && k.status === 'idle'; } } return false; }""",
        arg=nb.path, polling=100)
    # ipywidgets holds back a control's new value while an earlier message is still being
    # handled and sends it when the kernel reports idle, so "idle" alone can come before a
    # typed value reaches the kernel (a Pick pressed then used the old value). Two round
    # trips on the page's own kernel connection: the first ends after everything sent so
    # far, including the held-back value's release; the second after that value itself.
    nb.kernel_eval("pass")
    nb.kernel_eval("pass")


@dataclass
class Act:
    """One thing a person does to a view, by the control's visible label.

    ``how`` is pick, pick_many, tick, untick, type, slide, click or radio; ``value`` is
    what is chosen or typed.
    """

    how: str
    label: str
    value: object = None
    nth: int = 0                       # which of several controls with this label
    scope: Callable | None = None      # out -> the part of the view to look in (a row)

    def __call__(self, nb, out) -> None:
        """Do it in the output area `out` of the view's cell, then wait for the kernel."""
        started = time.monotonic()
        getattr(self, f"_{self.how}")(self.scope(out) if self.scope else out)
        settle(nb)
        took = time.monotonic() - started
        if took > SLOW_S:
            SLOW.append((f"{self.how} {self.label} {self.value!r}"[:80], round(took, 1)))

    def _type_placeholder(self, out):
        box = out.get_by_placeholder(self.label, exact=True).nth(self.nth)
        box.fill(str(self.value))          # one input event: a sheet redraws once per box
        box.press("Enter")

    @staticmethod
    def _self_or_inside(out, css):
        """The scope itself when it is such a control (a grid cell), else the first inside."""
        return out if out.evaluate("(e, css) => e.matches(css)", css) else out.locator(css).first

    def _tick_here(self, out):
        self._self_or_inside(out, "input[type=checkbox]").check()

    def _untick_here(self, out):
        self._self_or_inside(out, "input[type=checkbox]").uncheck()

    def _pick_here(self, out):
        self._self_or_inside(out, "select").select_option(label=str(self.value))

    def _pick(self, out):
        out.get_by_label(exact(self.label)).nth(self.nth).select_option(label=str(self.value))

    def _pick_many(self, out):
        out.get_by_label(exact(self.label)).nth(self.nth).select_option(
            label=[str(v) for v in self.value])

    def _tick(self, out):
        out.get_by_label(exact(self.label)).nth(self.nth).check()

    def _untick(self, out):
        out.get_by_label(exact(self.label)).nth(self.nth).uncheck()

    def _type(self, out):
        box = out.get_by_label(exact(self.label)).nth(self.nth)
        box.click()
        box.press("Control+A")
        box.press_sequentially(str(self.value))
        box.press("Enter")

    def _slide(self, out):
        slider = out.locator(".widget-slider").filter(
            has=out.page.locator("label.widget-label", has_text=exact(self.label))).first
        readout = slider.locator(".widget-readout")
        readout.click()
        readout.press("Control+A")
        readout.press_sequentially(str(self.value))
        readout.press("Enter")

    def _click(self, out):
        out.get_by_role("button", name=exact(self.label)).first.click()

    def _radio(self, out):
        out.get_by_role("radio", name=re.compile(rf"^\s*{re.escape(self.label)}")).first.check()


def pick(label, value):
    """Choose the option shown as `value` in the drop-down labelled `label`."""
    return Act("pick", label, value)


def pick_many(label, values):
    """Select exactly these options (shown texts) in the list labelled `label`."""
    return Act("pick_many", label, list(values))


def tick(label):
    """Tick the box labelled `label`."""
    return Act("tick", label)


def untick(label):
    """Clear the box labelled `label`."""
    return Act("untick", label)


def type_in(label, text):
    """Type `text` into the field labelled `label` and press Enter."""
    return Act("type", label, text)


def slide(label, value):
    """Move the slider labelled `label` to `value` (typed into its read-out, as people do)."""
    return Act("slide", label, value)


def click(label):
    """Press the button labelled `label`."""
    return Act("click", label)


def radio(label_start):
    """Choose the radio option whose label starts with `label_start`."""
    return Act("radio", label_start)


def visible_text(out) -> str:
    """The words a person sees in a view's output area."""
    return out.inner_text()


def operate_everything(nb, out, shoot: Callable[[str], None] | None = None) -> list[str]:
    """Use every control of the view in `out` once, as a curious person would.

    Drop-downs take their second option, lists their first, boxes are toggled, text
    fields get a word and Enter, number fields a 1, sliders one ArrowRight key press
    (keyboard use), then every button is pressed. Returns what was done, for the report.
    """
    done: list[str] = []
    page = nb.page

    def count(sel):
        return out.locator(sel).count()

    for i in range(count("select:not([multiple])")):
        sel = out.locator("select:not([multiple])").nth(i)
        options = sel.locator("option").all_inner_texts()
        if len(options) > 1 and sel.is_enabled() and sel.is_visible():   # (a closed tab)
            sel.select_option(index=1)
            done.append(f"pick {options[1]!r}")
            settle(nb)
    for i in range(count("select[multiple]")):
        sel = out.locator("select[multiple]").nth(i)
        if sel.locator("option").count() and sel.is_enabled() and sel.is_visible():
            sel.select_option(index=0)
            done.append("select the first item of a list")
            settle(nb)
    for i in range(count("input[type=checkbox]")):
        box = out.locator("input[type=checkbox]").nth(i)
        if box.is_enabled() and box.is_visible():
            box.click()
            done.append("toggle a box")
            settle(nb)
    radios = out.locator("input[type=radio]")
    if radios.count() > 1:
        radios.nth(1).check()
        done.append("choose the second option")
        settle(nb)
    for i in range(count("input[type=text], textarea")):
        field = out.locator("input[type=text], textarea").nth(i)
        if field.is_enabled() and field.is_visible():
            field.fill("")
            field.press_sequentially("abc")
            field.press("Enter")
            done.append("type 'abc'")
            settle(nb)
    for i in range(count("input[type=number]")):
        field = out.locator("input[type=number]").nth(i)
        if field.is_enabled() and field.is_visible():
            field.fill("1")
            field.press("Enter")
            done.append("type 1")
            settle(nb)
    for i in range(count(".noUi-handle")):
        handle = out.locator(".noUi-handle").nth(i)
        if handle.is_visible():
            handle.focus()
            page.keyboard.press("ArrowRight")
            done.append("slider: ArrowRight")
            settle(nb)
    for i in range(count("button")):
        button = out.locator("button").nth(i)
        if button.is_enabled() and button.is_visible():
            label = button.inner_text().strip()
            button.click()
            done.append(f"click {label!r}")
            settle(nb)
            if shoot:
                shoot(f"after-{len(done)}")
    return done


def labelled(out) -> Sequence[str]:
    """Controls in `out` a person cannot name: form fields with no label and no text."""
    return out.evaluate("""(root) => {
      const bad = [];
      for (const el of root.querySelectorAll('select, input:not([type=hidden]), textarea')) {
        const named = (el.labels && [...el.labels].some(l => l.innerText.trim()))
          || el.getAttribute('aria-label') || el.getAttribute('title')
          || el.getAttribute('placeholder')?.replace('\u200b', '').trim()
          || el.closest('.jupyter-widgets')?.getAttribute('title');
        if (!named) bad.push(el.outerHTML.slice(0, 120));
      }
      return bad;
    }""")


def settle_page(page, seconds: float = 0.3) -> None:
    """Let a Voila page repaint before the next control is looked up.

    Voila pages have no Lab app to ask about the kernel; comm messages keep their order,
    so the kernel handles the clicks in turn whatever the pause.
    """
    page.wait_for_timeout(seconds * 1000)


def covered_controls(out) -> list[str]:
    """Tick boxes and radio buttons a click cannot reach: another element lies on them.

    Why: a long option that does not wrap overflows onto the next one and hides its
    radio button; the page still renders, only a person cannot choose it.
    """
    return out.evaluate("""(root) => {
      const bad = [];
      for (const el of root.querySelectorAll('input[type=radio], input[type=checkbox]')) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        el.scrollIntoView({block: 'center'});
        const q = el.getBoundingClientRect();
        const hit = document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2);
        if (hit !== el && !(el.labels && [...el.labels].some(l => l.contains(hit))))
          bad.push((el.closest('label') || el).innerText.slice(0, 80));
      }
      return bad;
    }""")
