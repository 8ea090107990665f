"""Study definitions: parse and validate a YAML file into a frozen ``StudyDefinition``.

A study file plays the role of a webMUSHRA config: everything a participant sees, and every
design choice (criteria, scales, sources, clip sets, clips per participant, checks), lives in
one reviewable file, so a study can be re-run exactly.  Errors name the file, the line and the
field (``sources[1].clips[0].duration``), because the person fixing the file is not a programmer.

File format (``assets/demo_study.yaml`` is a complete, commented example)::

    study: demo-five-sources          # slug: letters, digits, '-' and '_'
    title: ...
    consent: ...                      # shown before the first screen
    scale: {min: 1, max: 7}           # default scale of the criteria
    criteria:                         # optional; default: the four criteria below
      - {key: complexity, prompt: ..., anchors: {1: Very simple, 7: Very complex}}
    human_question: {enabled: true, prompt: ..., confidence: {min: 1, max: 5}}
    excerpt: {start: 0.0, duration: 20.0, fade: 0.5}    # defaults for every clip, in seconds
    presentation:                     # optional; applied alike to every source (audio.presentation)
      tempo: group                    # own | group (the clip's group song) | a BPM for all, e.g. 96
      velocity: 80                    # as-written | humanised | one velocity 1-127 for all
      content: full                   # full | melody (MELODY track, else the top line)
      instrument: 0                   # as-written | one General MIDI program 0-127 for all
    quota: {participants: 48, idle_minutes: 60}  # optional: a hard cap; an unfinished participant idle this long
                                      # no longer holds a place or clips of the design (they may still finish)
    recruitment:                      # optional: participants sent by a panel such as Prolific
      capture: [PROLIFIC_PID, STUDY_ID, SESSION_ID]   # URL parameters stored with each participant
      panel_id: PROLIFIC_PID          # one person: seen again, the same participation resumes
      completion_code: C1A2B3C4       # shown at the end (with completion_url as a link, if given)
      completion_url: https://app.prolific.com/submissions/complete?cc=C1A2B3C4
      screen_out_code: SCREENED1      # shown instead to participants who failed a check
    clips_per_participant: 8          # a multiple of the number of sources
    headphone_check: true             # Huggins pitch (Milne et al. 2021): six trials, pass at five
    headphone_failed: end             # end (thank, screen-out code) | continue (answers kept, excluded in analysis)
    attention_checks:
      - {key: attn-1, after: 4, prompt: "Please select 2.", expected: 2}
    sources:
      - key: original
        label: POP909 original        # never shown to participants
        human: true                   # composed by people: the reference for d'
        clips:
          - {key: orig-001, midi: "pop909:001/001.mid", group: "001"}
          - {key: lstm-001, generate: {model: lstm, primer: "001", seed: 1}, group: "001"}

A clip names its music either by ``midi`` (a path; the prefix ``pop909:`` means "inside the
POP909 folder") or by ``generate`` (a free mapping the app passes to its generator).  Audio
is rendered later and registered by hash (``survey.design.study.register_clip``).  ``group`` (a primer
or style) is optional; when present, assignment balances source x group cells.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from audio.presentation import PresentationPolicy, policy_from_dict
from survey.errors import StudyFileError

Path_ = tuple[str | int, ...]

DEFAULT_CRITERIA: tuple[tuple[str, str, str, str], ...] = (
    ("complexity", "How complex is this music?", "Very simple", "Very complex"),
    ("creativity", "How creative is this music?", "Not creative at all", "Very creative"),
    ("emotion", "How strong is the emotional impact of this music?", "No impact", "Very strong impact"),
    ("enjoyment", "How much did you enjoy this music overall?", "Not at all", "Very much"),
)
DEFAULT_HUMAN_PROMPT = "Was this piece composed by a human or by a computer?"
MAX_SLUG = 64
SLUG = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_SLUG - 1}}}$")


@dataclass(frozen=True)
class Scale:
    """An integer rating scale with optional anchor labels, e.g. ``{1: "Very simple"}``."""

    min: int = 1
    max: int = 7
    anchors: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Criterion:
    """One rated quality of a clip (complexity, creativity, ...)."""

    key: str
    prompt: str
    scale: Scale


@dataclass(frozen=True)
class HumanQuestion:
    """The 'composed by a human or a computer?' guess and its confidence scale."""

    enabled: bool = True
    prompt: str = DEFAULT_HUMAN_PROMPT
    confidence: Scale = Scale(1, 5, ((1, "Pure guess"), (5, "Certain")))


@dataclass(frozen=True)
class Excerpt:
    """Which part of the rendered piece participants hear, in seconds."""

    start: float = 0.0
    duration: float = 20.0
    fade: float = 0.5


@dataclass(frozen=True)
class ClipDef:
    """A clip as defined in the file: a MIDI path or a generator spec, plus excerpt settings."""

    key: str
    excerpt: Excerpt
    midi: str | None = None
    generate: dict[str, Any] | None = None
    group: str | None = None


@dataclass(frozen=True)
class SourceDef:
    """A source of music (a model, or the original songs); ``label`` is never sent to participants."""

    key: str
    label: str
    clips: tuple[ClipDef, ...]
    human: bool = False


@dataclass(frozen=True)
class Quota:
    """A hard cap on participants; abandoned places are released after ``idle_minutes`` without activity."""

    participants: int | None = None
    idle_minutes: float = 60.0


@dataclass(frozen=True)
class Recruitment:
    """How a recruiting panel (Prolific, or any that passes IDs in the URL) meets the study."""

    capture: tuple[str, ...] = ()
    panel_id: str | None = None
    completion_code: str | None = None
    completion_url: str | None = None
    screen_out_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The file's own form; empty when nothing is set."""
        data = {"capture": list(self.capture), "panel_id": self.panel_id, "completion_code": self.completion_code,
                "completion_url": self.completion_url, "screen_out_code": self.screen_out_code}
        return {k: v for k, v in data.items() if v}


@dataclass(frozen=True)
class AttentionCheck:
    """An instructed-response screen shown after ``after`` clips; passing means answering ``expected``."""

    key: str
    after: int
    prompt: str
    expected: int
    scale: Scale = Scale(1, 7)


@dataclass(frozen=True)
class StudyDefinition:
    """A validated study; ``to_dict`` gives the file form back (it is stored with the study)."""

    slug: str
    title: str
    consent: str
    criteria: tuple[Criterion, ...]
    human_question: HumanQuestion
    sources: tuple[SourceDef, ...]
    clips_per_participant: int
    attention_checks: tuple[AttentionCheck, ...] = ()
    headphone_check: bool = True
    end_on_failed_headphones: bool = True
    """A participant who fails the headphone check is thanked and let go (the study needs headphones); False keeps
    them, and the analysis excludes their answers by default."""
    extra: dict[str, Any] = field(default_factory=dict)
    presentation: PresentationPolicy = PresentationPolicy()  # noqa: RUF009 - frozen, so a shared default is safe
    recruitment: Recruitment = Recruitment()
    quota: Quota = Quota()

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain data in the file's own shape (JSON-safe)."""
        return _definition_to_dict(self)


@dataclass(frozen=True)
class _Ctx:
    """Where values came from, so errors can name the line."""

    source: str
    lines: Mapping[Path_, int]

    def fail(self, path: Path_, message: str) -> StudyFileError:
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), None)
        return StudyFileError(message, field=_field_name(path) or "(top level)", line=line, source=self.source)


def _field_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def load_study_file(path: str | Path) -> StudyDefinition:
    """Read and validate a YAML study file; raises ``StudyFileError`` naming line and field."""
    path = Path(path)
    return parse_study_text(path.read_text(encoding="utf-8"), source=path.name)


def parse_study_text(text: str, source: str = "study") -> StudyDefinition:
    """Parse YAML text; line numbers in errors are 1-based lines of ``text``."""
    data, lines = _yaml_with_lines(text, source)
    return parse_study_dict(data, source=source, lines=lines)


def parse_study_dict(data: Any, source: str = "study", lines: Mapping[Path_, int] | None = None) -> StudyDefinition:
    """Validate plain data (from YAML, or stored JSON) into a ``StudyDefinition``."""
    ctx = _Ctx(source, lines or {})
    top = _mapping(ctx, data, ())
    _only(ctx, top, (), _TOP_KEYS)
    scale = _scale(ctx, top.get("scale", {}), ("scale",), Scale(1, 7))
    excerpt = _excerpt(ctx, top.get("excerpt", {}), ("excerpt",), Excerpt())
    sources = _sources(ctx, top, excerpt)
    per = _int(ctx, _required(ctx, top, (), "clips_per_participant"), ("clips_per_participant",), 1)
    _check_design(ctx, sources, per)
    return StudyDefinition(
        slug=_slug(ctx, _required(ctx, top, (), "study"), ("study",)),
        title=_str(ctx, _required(ctx, top, (), "title"), ("title",)),
        consent=_str(ctx, _required(ctx, top, (), "consent"), ("consent",)),
        criteria=_criteria(ctx, top.get("criteria"), scale),
        human_question=_human_question(ctx, top.get("human_question", {})),
        sources=sources,
        clips_per_participant=per,
        attention_checks=_attention_checks(ctx, top.get("attention_checks", []), per, scale),
        headphone_check=_bool(ctx, top.get("headphone_check", True), ("headphone_check",)),
        end_on_failed_headphones=_on_failed_headphones(ctx, top.get("headphone_failed", "end")),
        extra=dict(_mapping(ctx, top.get("extra", {}), ("extra",))),
        presentation=_presentation(ctx, top.get("presentation", {})),
        recruitment=_recruitment(ctx, top.get("recruitment", {})),
        quota=_quota(ctx, top.get("quota", {})),
    )


_TOP_KEYS = (
    "study",
    "title",
    "consent",
    "scale",
    "criteria",
    "human_question",
    "excerpt",
    "sources",
    "clips_per_participant",
    "attention_checks",
    "headphone_check",
    "headphone_failed",
    "extra",
    "presentation",
    "recruitment",
    "quota",
)


def _yaml_with_lines(text: str, source: str) -> tuple[Any, dict[Path_, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        return _from_node(loader, node, (), lines, source), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise StudyFileError(f"not valid YAML ({exc.problem})", field="(syntax)", line=line, source=source) from exc
    finally:
        loader.dispose()


def _from_node(loader: yaml.SafeLoader, node: Any, path: Path_, lines: dict[Path_, int], source: str) -> Any:
    if node is None:
        return None
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if key in out:
                raise StudyFileError(
                    "appears twice",
                    field=_field_name((*path, key)),
                    line=key_node.start_mark.line + 1,
                    source=source,
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _from_node(loader, value_node, (*path, key), lines, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_from_node(loader, item, (*path, i), lines, source) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _required(ctx: _Ctx, mapping: Mapping[str, Any], path: Path_, key: str) -> Any:
    if key not in mapping or mapping[key] is None:
        raise ctx.fail((*path, key), f"'{key}' is required")
    return mapping[key]


def _only(ctx: _Ctx, mapping: Mapping[str, Any], path: Path_, allowed: tuple[str, ...]) -> None:
    for key in mapping:
        if key not in allowed:
            raise ctx.fail((*path, key), f"unknown field (allowed: {', '.join(allowed)})")


def _mapping(ctx: _Ctx, value: Any, path: Path_) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str | int) for k in value):
        raise ctx.fail(path, f"must be a mapping of names to values (got {type(value).__name__})")
    return value


def _list(ctx: _Ctx, value: Any, path: Path_) -> list[Any]:
    if not isinstance(value, list):
        raise ctx.fail(path, f"must be a list (got {type(value).__name__})")
    return value


def _str(ctx: _Ctx, value: Any, path: Path_) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool) or str(value).strip() == "":
        raise ctx.fail(path, "must be a non-empty text")
    return str(value).strip()


def _slug(ctx: _Ctx, value: Any, path: Path_) -> str:
    text = _str(ctx, value, path)
    if len(text) > MAX_SLUG:
        raise ctx.fail(path, f"must be at most {MAX_SLUG} characters (got {len(text)})")
    if not SLUG.match(text):
        raise ctx.fail(path, f"must use only letters, digits, '-' and '_' (got {text!r})")
    return text


HEADPHONE_FAILED = {"end": True, "continue": False}


def _on_failed_headphones(ctx: _Ctx, value: Any) -> bool:
    if value not in HEADPHONE_FAILED:
        raise ctx.fail(("headphone_failed",), f"must be end or continue (got {value!r})")
    return HEADPHONE_FAILED[value]


def _bool(ctx: _Ctx, value: Any, path: Path_) -> bool:
    if not isinstance(value, bool):
        raise ctx.fail(path, f"must be true or false (got {value!r})")
    return value


def _int(ctx: _Ctx, value: Any, path: Path_, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ctx.fail(path, f"must be a whole number (got {value!r})")
    if minimum is not None and value < minimum:
        raise ctx.fail(path, f"must be at least {minimum} (got {value})")
    return value


def _number(ctx: _Ctx, value: Any, path: Path_, minimum: float, positive: bool = False,
            unit: str = "seconds") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ctx.fail(path, f"must be a number of {unit} (got {value!r})")
    if value < minimum or (positive and value <= minimum):
        raise ctx.fail(path, f"must be {'greater than' if positive else 'at least'} {minimum:g} (got {value})")
    return float(value)


def _scale(ctx: _Ctx, value: Any, path: Path_, default: Scale) -> Scale:
    data = _mapping(ctx, value, path)
    _only(ctx, data, path, ("min", "max", "anchors"))
    low = _int(ctx, data.get("min", default.min), (*path, "min"))
    high = _int(ctx, data.get("max", default.max), (*path, "max"))
    if high <= low or high - low > 100:
        raise ctx.fail((*path, "max"), f"must be above min and at most 100 steps (got {low}..{high})")
    anchors = []
    raw = _mapping(ctx, data.get("anchors", dict(default.anchors)), (*path, "anchors"))
    for point, label in raw.items():
        where = (*path, "anchors", point)
        number = int(point) if isinstance(point, str) and point.lstrip("-").isdigit() else point
        if not isinstance(number, int) or not low <= number <= high:
            raise ctx.fail(where, f"anchor point must be a whole number in {low}..{high} (got {point!r})")
        anchors.append((number, _str(ctx, label, where)))
    return Scale(low, high, tuple(sorted(anchors)))


def _criteria(ctx: _Ctx, value: Any, scale: Scale) -> tuple[Criterion, ...]:
    if value is None:
        return tuple(
            Criterion(key, prompt, Scale(scale.min, scale.max, ((scale.min, low), (scale.max, high))))
            for key, prompt, low, high in DEFAULT_CRITERIA
        )
    out = []
    for i, item in enumerate(_list(ctx, value, ("criteria",))):
        path: Path_ = ("criteria", i)
        data = _mapping(ctx, item, path)
        _only(ctx, data, path, ("key", "prompt", "min", "max", "anchors"))
        sub = {k: data[k] for k in ("min", "max", "anchors") if k in data}
        out.append(
            Criterion(
                key=_slug(ctx, _required(ctx, data, path, "key"), (*path, "key")),
                prompt=_str(ctx, _required(ctx, data, path, "prompt"), (*path, "prompt")),
                scale=_scale(ctx, sub, path, scale),
            )
        )
    _unique(ctx, [c.key for c in out], "criteria")
    if not out:
        raise ctx.fail(("criteria",), "must list at least one criterion")
    return tuple(out)


def _unique(ctx: _Ctx, keys: list[str], where: str) -> None:
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key in seen:
            raise ctx.fail((where, i, "key"), f"key {key!r} is used twice")
        seen.add(key)


def _human_question(ctx: _Ctx, value: Any) -> HumanQuestion:
    path: Path_ = ("human_question",)
    data = _mapping(ctx, value, path)
    _only(ctx, data, path, ("enabled", "prompt", "confidence"))
    default = HumanQuestion()
    return HumanQuestion(
        enabled=_bool(ctx, data.get("enabled", True), (*path, "enabled")),
        prompt=_str(ctx, data.get("prompt", default.prompt), (*path, "prompt")),
        confidence=_scale(ctx, data.get("confidence", {}), (*path, "confidence"), default.confidence),
    )


def _excerpt(ctx: _Ctx, value: Any, path: Path_, default: Excerpt) -> Excerpt:
    data = _mapping(ctx, value, path)
    _only(ctx, data, path, ("start", "duration", "fade"))
    excerpt = Excerpt(
        start=_number(ctx, data.get("start", default.start), (*path, "start"), 0.0),
        duration=_number(ctx, data.get("duration", default.duration), (*path, "duration"), 0.0, positive=True),
        fade=_number(ctx, data.get("fade", default.fade), (*path, "fade"), 0.0),
    )
    if 2 * excerpt.fade > excerpt.duration:
        raise ctx.fail((*path, "fade"), "two fades must fit inside the duration")
    return excerpt


URL_PARAMETER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _quota(ctx: _Ctx, value: Any) -> Quota:
    path: Path_ = ("quota",)
    data = _mapping(ctx, value, path)
    _only(ctx, data, path, ("participants", "idle_minutes"))
    cap = _int(ctx, data["participants"], (*path, "participants"), 1) if "participants" in data else None
    idle = _number(ctx, data.get("idle_minutes", 60.0), (*path, "idle_minutes"), 1.0, unit="minutes")
    return Quota(cap, idle)


def _recruitment(ctx: _Ctx, value: Any) -> Recruitment:
    """The panel's URL parameters and codes; names and codes are checked so they cannot carry markup."""
    path: Path_ = ("recruitment",)
    data = _mapping(ctx, value, path)
    _only(ctx, data, path, ("capture", "panel_id", "completion_code", "completion_url", "screen_out_code"))
    capture = tuple(_str(ctx, v, (*path, "capture", i)) for i, v in enumerate(_list(ctx, data.get("capture", []),
                                                                                       (*path, "capture"))))
    for i, name in enumerate(capture):
        if not URL_PARAMETER.match(name):
            raise ctx.fail((*path, "capture", i), "must be a URL parameter name (letters, digits and _)")
    panel_id = data.get("panel_id")
    if panel_id is not None and panel_id not in capture:
        raise ctx.fail((*path, "panel_id"), f"must be one of the captured parameters ({', '.join(capture) or 'none'})")
    codes = {k: _str(ctx, data[k], (*path, k)) for k in ("completion_code", "screen_out_code") if k in data}
    for key, code in codes.items():
        if not CODE.match(code):
            raise ctx.fail((*path, key), "must be letters, digits, - and _ (at most 64)")
    url = _str(ctx, data["completion_url"], (*path, "completion_url")) if "completion_url" in data else None
    if url is not None and not url.startswith("https://"):
        raise ctx.fail((*path, "completion_url"), "must be an https:// address")
    return Recruitment(capture, panel_id, codes.get("completion_code"), url, codes.get("screen_out_code"))


PRESENTATION_FORMS = {
    "tempo": "'own', 'group' or a BPM between 30 and 300",
    "velocity": "'as-written', 'humanised' or one velocity between 1 and 127",
    "content": "'full' or 'melody'",
    "instrument": "'as-written' or a General MIDI program between 0 and 127",
}


def _presentation(ctx: _Ctx, value: Any) -> PresentationPolicy:
    """The study-wide presentation policy; each field's error names the forms it accepts."""
    path: Path_ = ("presentation",)
    data = _mapping(ctx, value, path)
    _only(ctx, data, path, tuple(PRESENTATION_FORMS))
    for key, forms in PRESENTATION_FORMS.items():
        try:
            policy_from_dict({key: data[key]}) if key in data else None
        except (ValueError, TypeError):
            raise ctx.fail((*path, key), f"must be {forms}") from None
    ranges = {"tempo": (30, 300), "velocity": (1, 127), "instrument": (0, 127)}
    for key, (low, high) in ranges.items():
        number = data.get(key)
        if isinstance(number, int | float) and not isinstance(number, bool) and not low <= number <= high:
            raise ctx.fail((*path, key), f"must be {PRESENTATION_FORMS[key]}")
    return policy_from_dict(data)


def _sources(ctx: _Ctx, top: Mapping[str, Any], excerpt: Excerpt) -> tuple[SourceDef, ...]:
    out = []
    for i, item in enumerate(_list(ctx, _required(ctx, top, (), "sources"), ("sources",))):
        path: Path_ = ("sources", i)
        data = _mapping(ctx, item, path)
        _only(ctx, data, path, ("key", "label", "human", "clips"))
        clips = _list(ctx, _required(ctx, data, path, "clips"), (*path, "clips"))
        out.append(
            SourceDef(
                key=_slug(ctx, _required(ctx, data, path, "key"), (*path, "key")),
                label=_str(ctx, _required(ctx, data, path, "label"), (*path, "label")),
                human=_bool(ctx, data.get("human", False), (*path, "human")),
                clips=tuple(_clip(ctx, c, (*path, "clips", j), excerpt) for j, c in enumerate(clips)),
            )
        )
    _unique(ctx, [s.key for s in out], "sources")
    clip_keys = [(c.key, (i, j)) for i, s in enumerate(out) for j, c in enumerate(s.clips)]
    seen: set[str] = set()
    for key, (i, j) in clip_keys:
        if key in seen:
            raise ctx.fail(("sources", i, "clips", j, "key"), f"clip key {key!r} is used twice")
        seen.add(key)
    return tuple(out)


def _clip(ctx: _Ctx, value: Any, path: Path_, excerpt: Excerpt) -> ClipDef:
    data = _mapping(ctx, value, path)
    _only(ctx, data, path, ("key", "midi", "generate", "group", "start", "duration", "fade"))
    if ("midi" in data) == ("generate" in data):
        raise ctx.fail(path, "give exactly one of 'midi' (a path) or 'generate' (a generator spec)")
    sub = {k: data[k] for k in ("start", "duration", "fade") if k in data}
    group = data.get("group")
    return ClipDef(
        key=_slug(ctx, _required(ctx, data, path, "key"), (*path, "key")),
        excerpt=_excerpt(ctx, sub, path, excerpt),
        midi=_str(ctx, data["midi"], (*path, "midi")) if "midi" in data else None,
        generate=dict(_mapping(ctx, data["generate"], (*path, "generate"))) if "generate" in data else None,
        group=None if group is None else _str(ctx, group, (*path, "group")),
    )


def _check_design(ctx: _Ctx, sources: tuple[SourceDef, ...], per: int) -> None:
    if len(sources) < 2:
        raise ctx.fail(("sources",), "a comparison needs at least two sources")
    if per % len(sources):
        raise ctx.fail(("clips_per_participant",), f"must be a multiple of the {len(sources)} sources (got {per})")
    for i, source in enumerate(sources):
        if len(source.clips) < per // len(sources):
            raise ctx.fail(
                ("sources", i, "clips"),
                f"needs at least {per // len(sources)} clips (got {len(source.clips)})",
            )


def _attention_checks(ctx: _Ctx, value: Any, per: int, scale: Scale) -> tuple[AttentionCheck, ...]:
    out = []
    for i, item in enumerate(_list(ctx, value, ("attention_checks",))):
        path: Path_ = ("attention_checks", i)
        data = _mapping(ctx, item, path)
        _only(ctx, data, path, ("key", "after", "prompt", "expected", "min", "max", "anchors"))
        check_scale = _scale(ctx, {k: data[k] for k in ("min", "max", "anchors") if k in data}, path, scale)
        expected = _int(ctx, _required(ctx, data, path, "expected"), (*path, "expected"))
        if not check_scale.min <= expected <= check_scale.max:
            raise ctx.fail((*path, "expected"), f"must lie on the scale {check_scale.min}..{check_scale.max}")
        after = _int(ctx, _required(ctx, data, path, "after"), (*path, "after"), 0)
        if after > per:
            raise ctx.fail((*path, "after"), f"must be at most clips_per_participant ({per})")
        key = _slug(ctx, _required(ctx, data, path, "key"), (*path, "key"))
        prompt = _str(ctx, _required(ctx, data, path, "prompt"), (*path, "prompt"))
        out.append(AttentionCheck(key, after, prompt, expected, check_scale))
    _unique(ctx, [c.key for c in out], "attention_checks")
    return tuple(out)


def _scale_dict(scale: Scale) -> dict[str, Any]:
    return {"min": scale.min, "max": scale.max, "anchors": {str(k): v for k, v in scale.anchors}}


def _definition_to_dict(d: StudyDefinition) -> dict[str, Any]:
    def clip(c: ClipDef) -> dict[str, Any]:
        ref = {"midi": c.midi} if c.midi is not None else {"generate": c.generate}
        group = {} if c.group is None else {"group": c.group}
        return {
            "key": c.key,
            **ref,
            **group,
            "start": c.excerpt.start,
            "duration": c.excerpt.duration,
            "fade": c.excerpt.fade,
        }

    hq = d.human_question
    return {
        "study": d.slug,
        "title": d.title,
        "consent": d.consent,
        "criteria": [{"key": c.key, "prompt": c.prompt, **_scale_dict(c.scale)} for c in d.criteria],
        "human_question": {
            "enabled": hq.enabled,
            "prompt": hq.prompt,
            "confidence": _scale_dict(hq.confidence),
        },
        "sources": [
            {"key": s.key, "label": s.label, "human": s.human, "clips": [clip(c) for c in s.clips]} for s in d.sources
        ],
        "clips_per_participant": d.clips_per_participant,
        "attention_checks": [
            {
                "key": a.key,
                "after": a.after,
                "prompt": a.prompt,
                "expected": a.expected,
                **_scale_dict(a.scale),
            }
            for a in d.attention_checks
        ],
        "headphone_check": d.headphone_check,
        "extra": d.extra,
        **_optional_blocks(d),
    }


def _optional_blocks(d: StudyDefinition) -> dict[str, Any]:
    """Presentation, recruitment, quota and keeping failed headphone checks, each only when set: the stored form
    (and digest) of studies written before these blocks existed is unchanged."""
    blocks: dict[str, Any] = {}
    if not d.presentation.changes_nothing:
        blocks["presentation"] = d.presentation.to_dict()
    if d.recruitment.to_dict():
        blocks["recruitment"] = d.recruitment.to_dict()
    if d.quota != Quota():
        blocks["quota"] = {"participants": d.quota.participants, "idle_minutes": d.quota.idle_minutes}
    if not d.end_on_failed_headphones:
        blocks["headphone_failed"] = "continue"
    return blocks
