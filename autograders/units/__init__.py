"""Evaluator modules, one per unit: ``autograders/units/unit_<code lower>.py``.

Each module registers one evaluator per graded test cell with
``@autograders.checks.evaluator(unit, grade_id)``; answer keys and scoring parameters live
there, never in the released notebooks.
"""
