"""Evaluation of pieces: objective metrics of one piece, and of a set of pieces against a reference set.

- :mod:`model.evaluation.metrics`: per-piece metrics (pitch, rhythm, structure; MusPy and our own), from MIDI;
- :mod:`model.evaluation.relative`: Yang & Lerch's intra/inter-set distances, overlap and KL per metric;
- :mod:`model.evaluation.cli`: ``python -m model metrics`` over folders of MIDI files.

How metrics relate to listeners' ratings is statistics about people, in ``survey.analysis.correlations``.

Nothing is imported here: training reads :mod:`model.evaluation.ngram` for its card's baselines, and a GPU host that
trains from a token pack has Keras and NumPy but not MusPy or music21, which the metrics load.
"""
