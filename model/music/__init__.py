"""Music as the lab reads it: POP909's files, MIDI and its limits, the Score, chords. NumPy, symusic and pretty_midi
only; what audio may import."""
