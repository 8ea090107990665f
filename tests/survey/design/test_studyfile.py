"""Study files: the demo loads, defaults apply, and every error names the line and the field."""

from __future__ import annotations

import pytest

from survey.design.studyfile import load_study_file, parse_study_dict, parse_study_text
from survey.errors import StudyFileError
from tests.survey.conftest import ROOT, SMALL_STUDY


def test_the_demo_study_has_five_sources_rated_blind_on_four_criteria() -> None:
    demo = load_study_file(ROOT / "assets" / "demo_study.yaml")
    assert [s.label for s in demo.sources] == ["POP909 original", "LSTM (seed study)", "LSTM (ours)",
                                               "Trained Magenta", "Pretrained Magenta"]
    assert [c.key for c in demo.criteria] == ["complexity", "creativity", "emotion", "enjoyment"]
    assert all((c.scale.min, c.scale.max) == (1, 7) for c in demo.criteria)
    assert demo.human_question.enabled and demo.headphone_check
    assert demo.clips_per_participant % len(demo.sources) == 0
    assert [s.human for s in demo.sources] == [True, False, False, False, False]


def test_every_model_source_of_the_demo_is_a_shipped_model_primed_with_the_same_songs() -> None:
    demo = load_study_file(ROOT / "assets" / "demo_study.yaml")
    models = {s.key: {(c.generate or {})["model"] for c in s.clips} for s in demo.sources if not s.human}
    assert models == {"lstm-paper": {"paper"}, "lstm-default": {"default"}, "magenta-trained": {"magenta-attention"},
                      "magenta-pretrained": {"magenta-pretrained"}}
    assert all((ROOT / "assets" / "models" / name / "preset.json").is_file() for names in models.values()
               for name in names)
    groups = {s.key: sorted(c.group for c in s.clips) for s in demo.sources}
    assert len({tuple(g) for g in groups.values()}) == 1


def test_criteria_default_to_the_four_of_the_original_study_on_a_1_to_7_scale() -> None:
    definition = parse_study_text(SMALL_STUDY)
    assert [c.key for c in definition.criteria] == ["complexity", "creativity", "emotion", "enjoyment"]
    assert definition.criteria[0].scale.anchors == ((1, "Very simple"), (7, "Very complex"))
    assert definition.human_question.confidence.max == 5


def test_clip_excerpt_settings_inherit_from_the_study_and_can_be_overridden() -> None:
    text = SMALL_STUDY.replace("{key: o1,", "{key: o1, start: 12.5,") + "excerpt: {duration: 15}\n"
    definition = parse_study_text(text)
    o1, o2 = definition.sources[0].clips[:2]
    assert (o1.excerpt.start, o1.excerpt.duration) == (12.5, 15.0)
    assert (o2.excerpt.start, o2.excerpt.duration) == (0.0, 15.0)


def test_a_definition_survives_the_round_trip_through_its_stored_form() -> None:
    definition = load_study_file(ROOT / "assets" / "demo_study.yaml")
    assert parse_study_dict(definition.to_dict()) == definition


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("clips_per_participant: 8", "clips_per_participant: 7", 4, "clips_per_participant"),
        ("clips_per_participant: 8", "clips_per_participant: eight", 4, "clips_per_participant"),
        ("headphone_check: true", "headphone_check: maybe", 5, "headphone_check"),
        ("expected: 2}", "expected: 9}", 7, "attention_checks[0].expected"),
        ('{key: o2, midi: "pop909:002/002.mid", group: g2}', "{key: o2, group: g2}", 14, "sources[0].clips[1]"),
        ("{key: l3,", "{key: l3, duration: -4,", 22, "sources[1].clips[2].duration"),
        ("{key: t1,", "{key: o1,", 27, "sources[2].clips[0].key"),
        ("    label: LSTM", "    lable: LSTM", 18, "sources[1].lable"),
        ("title: Small test study\n", "", None, "title"),
    ],
)
def test_invalid_files_get_errors_naming_line_and_field(old: str, new: str, line: int | None, field: str) -> None:
    assert old in SMALL_STUDY
    with pytest.raises(StudyFileError) as caught:
        parse_study_text(SMALL_STUDY.replace(old, new), source="small.yaml")
    assert caught.value.field == field
    if line is not None:
        assert caught.value.line == line
        assert f"small.yaml, line {line}, field '{field}'" in str(caught.value)


def test_broken_yaml_is_reported_with_its_line() -> None:
    with pytest.raises(StudyFileError, match="line 3") as caught:
        parse_study_text("study: x\ntitle: t\n  consent: indented: wrongly\n", source="bad.yaml")
    assert caught.value.field == "(syntax)"


def test_a_key_given_twice_is_an_error() -> None:
    with pytest.raises(StudyFileError, match="appears twice") as caught:
        parse_study_text("study: x\nstudy: y\n")
    assert caught.value.line == 2


def test_the_demo_presents_every_source_alike() -> None:
    demo = load_study_file(ROOT / "assets" / "demo_study.yaml")
    assert demo.presentation.to_dict() == {"tempo": "group", "velocity": 80, "content": "full", "instrument": 0}


def test_a_presentation_block_is_read_and_kept_in_the_stored_form() -> None:
    text = SMALL_STUDY + "presentation: {tempo: 96, velocity: humanised, content: melody}\n"
    definition = parse_study_text(text)
    assert definition.presentation.to_dict() == {"tempo": 96.0, "velocity": "humanised", "content": "melody",
                                                 "instrument": "as-written"}
    assert parse_study_dict(definition.to_dict()) == definition
    assert "presentation" not in parse_study_text(SMALL_STUDY).to_dict(), "studies without one keep their form"


@pytest.mark.parametrize(("block", "field", "forms"), [
    ("{tempo: fast}", "presentation.tempo", "'own', 'group' or a BPM"),
    ("{tempo: 500}", "presentation.tempo", "between 30 and 300"),
    ("{velocity: loud}", "presentation.velocity", "'as-written', 'humanised' or one velocity"),
    ("{velocity: 0}", "presentation.velocity", "between 1 and 127"),
    ("{content: drums}", "presentation.content", "'full' or 'melody'"),
    ("{instrument: piano}", "presentation.instrument", "General MIDI program"),
    ("{speed: 2}", "presentation.speed", "speed"),
])
def test_a_bad_presentation_names_the_forms_it_accepts(block: str, field: str, forms: str) -> None:
    with pytest.raises(StudyFileError) as caught:
        parse_study_text(SMALL_STUDY + f"presentation: {block}\n")
    assert caught.value.field == field and forms in str(caught.value)
