"""Participants taking a study: assignment, quotas, the headphone check, answers and checks."""
