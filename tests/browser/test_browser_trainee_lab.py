"""What a trainee meets on opening a released notebook: no pop-up, no instructor panel.

And an answer cell run before it is answered says in one sentence what to do.
"""

from __future__ import annotations

from labdriver import LabNotebook

from crm_sim.ui.answer_cell import NOT_ANSWERED_WORDS

UNIT, NOTEBOOK = "ITCSCR304A", "01_accounts_and_plan"
NEWS_QUESTION = "official Jupyter news"
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")


def test_trainee_lab_has_no_news_popup_and_unanswered_cell_says_what_to_do(
        lab_server, released_course, lab_context, artifacts):
    """No news question or nbgrader instructor plugin; an unanswered cell shows one sentence."""
    lab_server.workspace("trainee-view", released_course, UNIT)
    rel = f"trainee-view/{UNIT}/{NOTEBOOK}.ipynb"
    page = lab_context.new_page()
    nb = LabNotebook(page, lab_server, rel, lab_server.root / rel).open()
    try:
        # what the page is told: the default is "false" (the overrides), nothing of the user's
        news = page.evaluate("""async () => {
            const p = await window.jupyterapp.serviceManager.settings.fetch(
                '@jupyterlab/apputils-extension:notification');
            return [p.schema.properties.fetchNews.default, p.raw]; }""")
        assert news[0] == "false" and "fetchNews" not in news[1]   # never asked, never shown
        active = page.evaluate("(ids) => ids.filter((id) => window.jupyterapp.hasPlugin(id))",
                               list(INSTRUCTOR_PLUGINS))
        assert active == []
        answer = next(c.index for c in nb.cells if c.kind == "code"
                      and "not_answered_yet()" in c.source)
        outputs = nb.run(answer)
        errors = [o for o in outputs if o["output_type"] == "error"]
        assert [e["traceback"] for e in errors] == [[NOT_ANSWERED_WORDS["en"]]]
        shown = nb.output(answer).inner_text()
        assert "No answer here yet" in shown and "Traceback" not in shown
        nb.shot(artifacts, "trainee-unanswered-cell", answer)
        assert page.get_by_text(NEWS_QUESTION).count() == 0
    finally:
        nb.close()
        page.close()
