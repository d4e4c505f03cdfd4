"""What every widget view shares: display as its widget, domain errors shown as words.

A view turns a domain error into words in its output area instead of a traceback. Why a
base class: twenty views each spelt out the same display hook, and several the same "run
a button's action, show the error" wrapper; one place keeps them alike.

Views draw their read-outs (tables shown in an output area, matplotlib charts) lazily:
a change made by code while a cell runs (``view.set(...)`` eleven times, or the hand-in
``view.replay([...])``) draws once, when the cell ends; a change made in the page (a
slider moved, no cell running) draws at once. Why: a chart costs tens of milliseconds
of CPU, and a replayed hand-in used to redraw it on every step, at grading time too.
What a view *computes* (its value, ``chart_data``, status lines) is always current.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

#: set to "off" where nobody hands work in (a trainer's live demonstration): no hand-in line
HAND_IN_ENV = "CRM_HAND_IN"
#: set to "off" where nobody sees the page (a graded run): views compute but draw nothing
DRAW_ENV = "CRM_DRAW"

# views whose drawing waits for the end of the running cell (id -> view)
_pending: dict[int, Any] = {}
# a plain IPython shell (no kernel): whether a cell is running, from its own events
_cell_state = {"running": False}


def _shell():
    """The running IPython shell, or None (IPython is not imported just to ask)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def _running_a_cell(shell) -> bool:
    """Whether code of a cell is running now (not a page event such as a slider moved).

    In a Jupyter kernel the request being handled says so (``execute_request`` for a cell,
    ``comm_msg`` for a widget event); in a plain IPython shell its pre/post-execute events.
    """
    kernel = getattr(shell, "kernel", None)
    if kernel is not None and hasattr(kernel, "get_parent"):
        try:
            parent = kernel.get_parent("shell") or {}
        except Exception:  # noqa: BLE001 - an unknown kernel: draw at once, as before
            return False
        return (parent.get("header") or {}).get("msg_type") == "execute_request"
    return _cell_state["running"]


def _hook_cell_end(shell) -> None:
    """Once per shell: draw the waiting views when a cell's execution ends."""
    if getattr(shell, "_crm_views_hooked", False):
        return
    shell._crm_views_hooked = True
    shell.events.register("pre_execute", _cell_starts)
    shell.events.register("post_execute", draw_pending)


def _cell_starts() -> None:
    _cell_state["running"] = True


def draw_pending() -> None:
    """Draw every view changed by the cell that just ended (an IPython post-execute hook)."""
    _cell_state["running"] = False
    views = list(_pending.values())
    _pending.clear()
    failed = None
    for view in views:
        try:
            view.draw()
        except Exception as exc:  # noqa: BLE001 - one view's fault must not blank the rest
            failed = failed or exc
    if failed is not None:
        raise failed      # IPython shows it under the cell, as a draw in the cell did


def drawing_off() -> bool:
    """True where nobody sees the page (`DRAW_ENV` is "off"): views skip drawing."""
    return os.environ.get(DRAW_ENV) == "off"


class View:
    """Base of the `crm_sim.ui` views: ``self.widget`` is shown; ``self._out`` takes words."""

    widget: Any
    _out: Any
    #: the words before the hand-in line (HTML); a unit taught in another language sets its own
    hand_in_words = ("To hand in what you built, write your answer's name, <code>=</code> and "
                     "this line in the answer cell below:")

    BUSY_AFTER_S = 1.0     # an action slower than this shows that it is still working

    # -- drawing: once per cell, not once per change --------------------------------------
    def _draw(self, *args) -> None:
        """Draw the read-outs (a view with tables or a chart overrides this)."""

    def _redraw(self, *args) -> None:
        """Draw the read-outs now, or once when the running cell ends (see module doc).

        Args:
            *args: passed on to `_draw` (the last call's arguments are the ones drawn).
        """
        if drawing_off():
            return
        self._draw_args = args
        shell = _shell()
        if shell is not None:
            _hook_cell_end(shell)
            if _running_a_cell(shell):
                _pending[id(self)] = self
                return
        self.draw()

    def draw(self) -> None:
        """Draw the view's tables and chart now, in their latest state."""
        _pending.pop(id(self), None)
        if not drawing_off():
            self._draw(*getattr(self, "_draw_args", ()))

    def _safely(self, action: Callable[[], Any]) -> None:
        """Run a button's action; show a domain error in the output instead of raising.

        An action still running after `BUSY_AFTER_S` shows "Working…" under the view until
        it ends, so a person does not press the button again while a month is simulated.
        """
        import threading

        from crm_sim.errors import CrmSimError

        busy = self._busy_line()
        timer = threading.Timer(self.BUSY_AFTER_S, self._show_busy, args=(busy,))
        timer.daemon = True
        timer.start()
        try:
            with self._out:
                try:
                    action()
                except CrmSimError as exc:
                    if id(self) in _pending:
                        self.draw()     # a later draw would clear the words below
                    print(f"✘ {exc}")
        finally:
            timer.cancel()
            if busy is not None:
                busy.value = ""

    def _busy_line(self):
        """The line under the view that says it is working (made at the first action)."""
        if getattr(self, "_busy", None) is None:
            import ipywidgets as widgets

            children = getattr(getattr(self, "widget", None), "children", None)
            if children is None:
                return None
            self._busy = widgets.HTML(value="")
            self.widget.children = (*children, self._busy)
        return self._busy

    @staticmethod
    def _show_busy(busy) -> None:
        if busy is not None:
            busy.value = "⏳ Working… this takes a few seconds."

    @staticmethod
    def _set_controls(pairs) -> None:
        """Show a rule's values in its controls, touching only those that differ.

        Why only those: setting a control fires its observer, which would re-apply the
        rule once per control and redraw the view each time.
        """
        for control, value in pairs:
            if control.value != value:
                control.value = value

    def _ipython_display_(self):  # pragma: no cover - display hook only
        from IPython.display import display

        self.record_the_person()
        if id(self) in _pending:
            self.draw()          # shown in its latest state, not after the cell
        display(self.widget)

    # -- what a person did in the page, so that grading can do it again ------------------
    # Grading runs the submitted notebook again from its first cell, in a kernel with no
    # page: clicks are not in the notebook, so `x = view.value` would hand in an untouched
    # view. The view therefore records what the person did (values set in its controls,
    # buttons pressed; never what its own code set) and shows it as one line to put in
    # the answer cell, ``x = view.replay([...])``, which does the same again anywhere.
    def record_the_person(self) -> None:
        """Start recording the page's changes to the controls and show the hand-in line."""
        import ipywidgets as widgets

        if getattr(self, "_hand_in_recording", False) or not getattr(
                type(self), "HANDS_IN", hasattr(type(self), "value")):
            return          # a practice tool hands nothing in; a question shows its letter
        if os.environ.get(HAND_IN_ENV) == "off":
            return          # a live demonstration: nobody hands anything in
        self._hand_in_recording = True
        self.page_actions: list[tuple] = []
        self._hand_in = widgets.HTML()
        for i, control in enumerate(self._hand_in_controls()):
            if isinstance(control, widgets.Button):
                # first in line: logged before the view's own handler changes anything
                control._click_handlers.callbacks.insert(0, lambda _b, i=i: self._hand_in_log(
                    ("click", i)))
            else:
                control.observe(lambda _ch, i=i, c=control: self._hand_in_set(i, c),
                                names="value")
        if hasattr(self.widget, "children"):
            self.widget.children = (*self.widget.children, self._hand_in)

    def replay(self, actions) -> Any:
        """Do again what a person did in the page (the recorded line); return `value`.

        Raises:
            FieldError: an action that is not a recorded one for this view's controls;
                the actions before it are done, none after it.
        """
        import ipywidgets as widgets

        from crm_sim.errors import FieldError

        actions = [tuple(a) if isinstance(a, list) else a for a in list(actions)]
        if getattr(self, "page_actions", None):
            # the trainee's own session: this view was clicked and already holds it all
            if actions == self.page_actions:
                return getattr(self, "value", None)
            raise FieldError("replay", "a line that differs from the view", "the line the "
                             "view shows now", "copy the line under the view again")
        controls = self._hand_in_controls()
        for step, action in enumerate(actions):
            ok = (isinstance(action, tuple | list) and len(action) in (2, 3)
                  and action[0] in ("set", "click") and isinstance(action[1], int)
                  and 0 <= action[1] < len(controls)
                  and (action[0] == "click") == isinstance(controls[action[1]],
                                                           widgets.Button)
                  and len(action) == (2 if action[0] == "click" else 3))
            if not ok:
                raise FieldError(f"replay step {step + 1}", action,
                                 "a step of the line the view showed",
                                 "copy the line under the view again, unchanged")
            control = controls[action[1]]
            if action[0] == "click":
                control.click()
                continue
            try:
                control.value = action[2]
            except Exception as exc:  # noqa: BLE001 - a trait error, in words
                raise FieldError(f"replay step {step + 1}", action[2],
                                 "a value the control offers",
                                 "copy the line under the view again, unchanged") from exc
        return getattr(self, "value", None)

    def _hand_in_controls(self) -> list:
        """The view's controls (buttons and value controls), in page order, fixed once."""
        import ipywidgets as widgets

        if getattr(self, "_hand_in_control_list", None) is None:
            found = []

            def walk(w):
                if isinstance(w, widgets.Output):
                    return
                if isinstance(w, widgets.Button) or (
                        isinstance(w, widgets.ValueWidget)
                        and not isinstance(w, widgets.HTML | widgets.HTMLMath | widgets.Label)):
                    found.append(w)
                for child in getattr(w, "children", ()):
                    walk(child)

            walk(self.widget)
            self._hand_in_control_list = found
        return self._hand_in_control_list

    def _hand_in_set(self, index: int, control) -> None:
        if not control._property_lock:       # set by the view's code, not by the page
            return
        value = control.value
        if self.page_actions and self.page_actions[-1][:2] == ("set", index):
            self.page_actions[-1] = ("set", index, value)
        else:
            self.page_actions.append(("set", index, value))
        self._show_hand_in()

    def _hand_in_log(self, action: tuple) -> None:
        self.page_actions.append(action)
        self._show_hand_in()

    def _show_hand_in(self) -> None:
        import html

        from IPython import get_ipython

        shell = get_ipython()
        names = [k for k, v in (shell.user_ns.items() if shell else ())
                 if v is self and not k.startswith("_")]
        line = f"{names[0] if names else 'view'}.replay({self.page_actions!r})"
        self._hand_in.value = (f"{self.hand_in_words}<br>"
                               f"<code class='crm-hand-in'>{html.escape(line)}</code>")
