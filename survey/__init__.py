"""Blind listening studies: storage, assignment, answers, statistics and export."""
