"""ITCSCR516A in the browser: service atmosphere, programmes and growth, measure and review.

Every exercise is done in its view (programme designer, column picker, growth planner,
uplift estimator, judgement calls, quizzes); the mission and the review are written for
the assessor and carry no auto-graded points.
"""

NOTEBOOKS = ("01_service_atmosphere", "02_programmes_and_growth", "03_measure_and_review")
# answer cells a no-code trainee leaves exactly as released (analyst track only)
LEFT_AS_RELEASED: tuple[str, ...] = ()
# graded cells the no-code journey cannot earn: {grade_id: why}
NOT_EARNED: dict[str, str] = {}
