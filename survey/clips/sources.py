"""What a study clip is made from, as types: the study file's clip references, parsed once.

The study file (and the database, which stores each clip's ``spec`` as the file wrote it) names a clip's music
in a few forms; rendering used to dispatch on dictionary keys and string prefixes. :func:`parse_clip_spec`
turns a spec into one of the types below, and the code that makes audio (``survey.clips.render``) chooses by
type. The stored format is unchanged.

* ``midi: "pop909:NNN/NNN.mid"`` -> :class:`Pop909Clip`;  ``midi: "upload:<sha>.mid"`` -> :class:`UploadedMidiClip`;
  any other ``midi`` -> :class:`MidiFileClip` (a path relative to the repository);
* ``generate: {upload: "<sha>.wav"}`` -> :class:`AudioUploadClip` (audio made elsewhere, e.g. Magenta's);
* ``generate: {model, primer, seed, bars, temperature, top_k, top_p, chords, form}`` -> :class:`GeneratedClip`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audio.presentation import PresentationPolicy, policy_from_dict
from survey.design.studyfile import Excerpt


@dataclass(frozen=True)
class Pop909Clip:
    """A POP909 song, by its path inside the dataset folder (``"001/001.mid"``)."""

    path: str


@dataclass(frozen=True)
class UploadedMidiClip:
    """A MIDI file uploaded in the Studio, by its stored name (``"<sha256>.mid"``)."""

    name: str


@dataclass(frozen=True)
class MidiFileClip:
    """A MIDI file in the repository, by its relative path."""

    path: str


@dataclass(frozen=True)
class AudioUploadClip:
    """Audio made elsewhere and uploaded in the Studio, by its stored name (``"<sha256>.wav"``)."""

    name: str


@dataclass(frozen=True)
class GeneratedClip:
    """A piece the lab generates: model folder name, POP909 primer song, sampling settings, length in bars.

    ``chords_from_song``: a chord-conditioned model writes over the primer song's annotated chords.
    ``form``: phrases that come back (``model.generation.form``: letters such as ``AABA``, or ``chords``).
    """

    model: str
    primer: str | None = None
    seed: int = 0
    bars: int = 16
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    chords_from_song: bool = False
    form: str = ""


ClipSource = Pop909Clip | UploadedMidiClip | MidiFileClip | AudioUploadClip | GeneratedClip


@dataclass(frozen=True)
class ClipRecipe:
    """Everything needed to make a clip's audio: its source, excerpt (seconds) and the study's presentation."""

    source: ClipSource
    start: float = 0.0
    duration: float = 20.0
    fade: float = 0.5
    presentation: PresentationPolicy = PresentationPolicy()  # noqa: RUF009 - frozen, so a shared default is safe


def parse_clip_spec(spec: dict[str, Any]) -> ClipRecipe:
    """The recipe of a stored clip spec; ``ValueError`` in one sentence when the spec names no music."""
    excerpt = stored_excerpt(spec)
    return ClipRecipe(source=_source(spec), start=excerpt.start, duration=excerpt.duration, fade=excerpt.fade,
                      presentation=policy_from_dict(spec.get("presentation") or {}))


def stored_excerpt(spec: dict[str, Any]) -> Excerpt:
    """The excerpt a stored clip spec records (the study file's defaults where a field is missing): the one
    reading of it for rendering, clip settings and the export's must-listen check."""
    data, default = spec.get("excerpt") or {}, Excerpt()
    return Excerpt(start=float(data.get("start", default.start)),
                   duration=float(data.get("duration", default.duration)),
                   fade=float(data.get("fade", default.fade)))


def _source(spec: dict[str, Any]) -> ClipSource:
    if "midi" in spec:
        reference = str(spec["midi"])
        if reference.startswith("pop909:"):
            return Pop909Clip(reference.removeprefix("pop909:"))
        if reference.startswith("upload:"):
            return UploadedMidiClip(reference.removeprefix("upload:"))
        return MidiFileClip(reference)
    generate = spec.get("generate")
    if not isinstance(generate, dict):
        raise ValueError("A clip needs 'midi' (a file) or 'generate' (a model, or an uploaded audio file).")
    if "upload" in generate:
        return AudioUploadClip(str(generate["upload"]))
    if "model" not in generate:
        raise ValueError("A generated clip needs the name of its 'model'.")
    primer, chords = generate.get("primer"), generate.get("chords")
    if chords not in (None, "", "song"):
        raise ValueError(f"A generated clip's 'chords' is 'song' (the primer song's chords) or left out, not "
                         f"{chords!r}.")
    return GeneratedClip(
        model=str(generate["model"]), primer=None if primer in (None, "") else str(primer),
        seed=int(generate.get("seed", 0)), bars=int(generate.get("bars", 16)),
        temperature=float(generate.get("temperature", 1.0)), top_k=int(generate.get("top_k", 0)),
        top_p=float(generate.get("top_p", 1.0)), chords_from_song=chords == "song",
        form=str(generate.get("form") or ""),
    )
