"""ITCSCR512A in the browser: segments and policy, resources and monitoring, targets and review.

Every exercise is done in its view (policy designer, resource planner, monitor designer,
rule editor, judgement calls, quizzes); the culture statement is written for the
assessor and carries no auto-graded points.
"""

NOTEBOOKS = ("01_segments_and_policy", "02_resources_and_monitoring",
             "03_targets_review_culture")
# answer cells a no-code trainee leaves exactly as released (analyst track only)
LEFT_AS_RELEASED: tuple[str, ...] = ()
# graded cells the no-code journey cannot earn: {grade_id: why}
NOT_EARNED: dict[str, str] = {}
