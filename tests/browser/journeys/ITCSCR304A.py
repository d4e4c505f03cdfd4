"""ITCSCR304A in the browser: plan, people and calls, analysis and follow-up, no code.

Every answer cell of the unit has a widget; the trainee types only the line that takes
its value (or the letter a question shows).
"""

NOTEBOOKS = ("01_accounts_and_plan", "02_people_and_calls", "03_analysis_follow_up_conduct")
# answer cells a no-code trainee leaves exactly as released (analyst track only)
LEFT_AS_RELEASED: tuple[str, ...] = ()
# graded cells the no-code journey cannot earn: {grade_id: why}
NOT_EARNED: dict[str, str] = {}
