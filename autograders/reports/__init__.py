"""Competency reports, cohort summary, item analysis, LMS export and similarity.

Each module takes plain inputs (unit specs, status rows, gradebook scores) so it can be
tested with hand-built results; `autograders.reports.build.write_reports` wires them to
a course's files.
"""
