"""Symbolic music for LSTM Music Lab: POP909 loading, tokenisation, Keras networks, training and sampling."""

import contextlib
import io


def _import_pyfluidsynth_quietly() -> None:
    """Load pyfluidsynth once with stdout held, before pretty_midi imports it.

    pyfluidsynth prints where it found libfluidsynth on stdout at import whenever env ``CI`` is set; that line would
    land in front of every CLI whose stdout is data (CSV, JSON, a refusal that must stand alone).
    """
    # Without it pretty_midi still reads and writes MIDI; audio says so where it needs a synth.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(ImportError, OSError):
        import fluidsynth  # noqa: F401


_import_pyfluidsynth_quietly()
