"""A small run of bench/validity.py, as CI's check that the bench still runs end to end through the page's
functions (its figures need hundreds of studies: README quotes them)."""

from __future__ import annotations

import pytest

from bench.validity import main


def test_a_small_validity_run_prints_every_test(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--studies", "6", "--participants", "24"])
    out = capsys.readouterr().out
    for label in ("headline: crossed LMM, Satterthwaite, Holm", "min F' pairs", "old: Wilcoxon", "old: Friedman",
                  "means 0.", "± "):
        assert label in out, label
