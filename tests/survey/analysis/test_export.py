"""Export: one row per answer with the source revealed, as CSV and JSON, from functions and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session, sessionmaker

from survey.__main__ import main
from survey.analysis.export import answers_frame, study_json, write_csv
from tests.survey.conftest import ROOT, complete_participant


def test_the_answers_frame_has_one_row_per_answer_with_the_source_revealed(
    Session: sessionmaker[Session], study: str
) -> None:
    complete_participant(Session, study)
    complete_participant(Session, study, headphone_right=False)
    with Session.begin() as session:
        frame = answers_frame(session, study)
    assert len(frame) == 16
    assert set(frame["source_label"]) == {"POP909 original", "LSTM", "Trained Magenta", "Pretrained Magenta"}
    assert {"rating_complexity", "rating_creativity", "rating_emotion", "rating_enjoyment"} <= set(frame.columns)
    assert list(frame["position"][:8]) == list(range(1, 9))
    assert frame["guess_correct"].tolist() == (frame["source"] == "original").tolist()  # every guess was "human"
    assert frame.groupby("participant")["headphone_passed"].first().tolist() == [True, False]
    assert "token" not in " ".join(frame.columns)


def test_csv_and_json_exports_round_trip(Session: sessionmaker[Session], study: str, tmp_path: Path) -> None:
    complete_participant(Session, study)
    with Session.begin() as session:
        assert write_csv(session, study, tmp_path / "answers.csv") == 8
        document = study_json(session, study)
        frame = answers_frame(session, study)
    read = pd.read_csv(tmp_path / "answers.csv")
    assert read["rating_enjoyment"].tolist() == frame["rating_enjoyment"].tolist()
    assert len(document["answers"]) == 8 and document["study"]["status"] == "open"
    json.dumps(document)


def test_the_cli_imports_exports_and_prints_statistics(
    Session: sessionmaker[Session],
    study: str,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for _ in range(4):
        complete_participant(Session, study)
    assert main(["--url", db_url, "import-study", str(ROOT / "assets" / "demo_study.yaml")]) == 0
    assert main(["--url", db_url, "export", study, "--format", "json", "--out", str(tmp_path / "a.json")]) == 0
    assert len(json.loads((tmp_path / "a.json").read_text())["answers"]) == 32
    assert main(["--url", db_url, "stats", study, "--no-mixed"]) == 0
    out = capsys.readouterr().out
    assert "imported demo-five-sources (draft, 20 clips)" in out
    assert "== omnibus_participant_means ==" in out and "friedman" in out and "== detection ==" in out
    assert main(["--url", db_url, "stats", "missing-study"]) == 2  # a refusal: 2, as in every CLI of the lab
    assert "No study named 'missing-study'" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["sqlite:///no/such/folder/db.sqlite3", "nonsense://x"])
def test_the_cli_says_in_one_sentence_when_the_database_cannot_be_opened(url: str) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "survey", "--url", url, "studies"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"the database {url} cannot be opened" in result.stderr
