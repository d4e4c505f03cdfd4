"""ipywidgets views over the engine.

Views hold no state of their own: every user action is a method that calls the engine,
so tests, browser tests and onboarding dashboards can drive the same view from code.
"""
