"""MIDI to sound: FluidSynth rendering, SoundFont lookup, loudness normalisation, encoding and caching."""
