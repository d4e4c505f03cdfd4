"""ITCSCR410A in the browser: integrate and protect, qualify and grow, review and present.

The analyst-track functions are left as released; the trainee uses the views. The chart
exercise (charts_impl) is a code exercise with no widget and no points: left as released.
"""

NOTEBOOKS = ("01_integrate_and_protect", "02_qualify_and_grow", "03_review_and_present")
# answer cells a no-code trainee leaves exactly as released (analyst track only)
LEFT_AS_RELEASED: tuple[str, ...] = ("resolve_analyst", "qualify_analyst", "network_analyst",
                                     "summary_analyst", "recommend_analyst", "charts_impl")
# graded cells the no-code journey cannot earn: {grade_id: why}
NOT_EARNED: dict[str, str] = {}
