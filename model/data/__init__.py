"""Corpora for training: POP909 and music21's folk melodies tokenised, cached and packed for a GPU host."""
