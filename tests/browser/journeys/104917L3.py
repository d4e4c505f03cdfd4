"""104917L3 in the browser: customer relations, the records desk week, tiers and the system.

Every exercise is done in its view (rule editors, judgement call, quizzes); the written
answers are for the assessor and carry no auto-graded points.
"""

NOTEBOOKS = ("01_customer_relations", "02_desk_day_and_follow_up",
             "03_classify_and_information_system")
# answer cells a no-code trainee leaves exactly as released (the report's SQL analyst track)
LEFT_AS_RELEASED: tuple[str, ...] = ("report_analyst",)
# graded cells the no-code journey cannot earn: {grade_id: why}
NOT_EARNED: dict[str, str] = {}
