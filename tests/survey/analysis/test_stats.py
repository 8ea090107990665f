"""Statistics: every number is checked against an independent computation (named in each test)."""

from __future__ import annotations

from itertools import combinations
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from survey.analysis import stats

SOURCES = {"original": 1.0, "lstm": 0.0, "trained": -0.8, "pretrained": 0.4}


def simulated(n_participants: int = 24, seed: int = 7, within: bool = True) -> pd.DataFrame:
    """Answers like the export's: 2 clips per source per participant (within) or one source each (between)."""
    rng = np.random.default_rng(seed)
    clip_effect = {f"{s}-{i}": rng.normal(0, 0.3) for s in SOURCES for i in range(4)}
    rows = []
    for p in range(n_participants):
        person = rng.normal(0, 0.6)
        mine = list(SOURCES) if within else [list(SOURCES)[p % 4]]
        for source in mine:
            for clip in rng.choice([f"{source}-{i}" for i in range(4)], 2, replace=False):
                mean = 4 + SOURCES[source] + person + clip_effect[clip]
                ratings = {
                    f"rating_{c}": int(np.clip(np.rint(mean + rng.normal(0, 1)), 1, 7))
                    for c in ("complexity", "enjoyment")
                }
                guess = "human" if rng.random() < (0.75 if source == "original" else 0.45) else "computer"
                rows.append(
                    {
                        "participant": p,
                        "clip": clip,
                        "source": source,
                        "human_source": source == "original",
                        "headphone_passed": p != 0,
                        "attention_passed": p != 1,
                        "finished": True,
                        **ratings,
                        "guess": guess,
                        "guess_correct": (guess == "human") == (source == "original"),
                        "knows_piece": bool(rng.random() < 0.2),
                    }
                )
    return pd.DataFrame(rows)


def test_describe_resamples_participants_not_answers() -> None:
    answers = simulated()
    table = stats.describe(answers, n_resamples=999, seed=3).set_index(["source", "criterion"])
    lstm = answers[answers["source"] == "lstm"]
    values = lstm["rating_enjoyment"].to_numpy(dtype=float)
    per = lstm.groupby("participant")["rating_enjoyment"].agg(["sum", "count"])
    expected = sps.bootstrap(  # BCa over participants, each carrying all of their answers
        (per["sum"].to_numpy(float), per["count"].to_numpy(float)),
        lambda s, c, axis=-1: s.sum(axis=axis) / c.sum(axis=axis), paired=True, vectorized=True,
        n_resamples=999, method="BCa", rng=np.random.default_rng(3),
    )
    row = table.loc[("lstm", "enjoyment")]
    assert (row["n"], row["participants"]) == (len(values), 24)
    assert (row["mean"], row["median"]) == (pytest.approx(values.mean()), np.median(values))
    assert row["ci_low"] == pytest.approx(expected.confidence_interval.low)
    assert row["ci_high"] == pytest.approx(expected.confidence_interval.high)


def test_answers_from_the_same_people_give_a_wider_interval_than_independent_answers() -> None:
    rng = np.random.default_rng(1)
    people = np.repeat(np.arange(12), 8)  # 12 participants x 8 answers, strong personal offsets
    ratings = np.clip(np.rint(4 + rng.normal(0, 1.5, 12)[people] + rng.normal(0, 0.5, len(people))), 1, 7)
    answers = pd.DataFrame({"participant": people, "clip": np.arange(len(people)), "source": "lstm",
                            "guess_correct": True, "knows_piece": False, "rating_enjoyment": ratings})
    row = stats.describe(answers, n_resamples=2000).iloc[0]
    naive = sps.bootstrap((ratings,), np.mean, n_resamples=2000, method="BCa", rng=np.random.default_rng(0))
    naive_width = naive.confidence_interval.high - naive.confidence_interval.low
    assert row["ci_high"] - row["ci_low"] > 1.5 * naive_width


def test_within_subject_omnibus_is_friedman_with_kendalls_w() -> None:
    answers = simulated()
    row = stats.omnibus(answers).set_index("criterion").loc["complexity"]
    means = answers.pivot_table(index="participant", columns="source", values="rating_complexity")
    q, p = sps.friedmanchisquare(*[means[s] for s in means.columns])  # scipy, independently of pingouin
    assert row["test"] == "friedman" and row["n"] == 24 and row["dof"] == 3
    assert row["statistic"] == pytest.approx(q) and row["p"] == pytest.approx(p)
    assert row["kendall_w"] == pytest.approx(q / (24 * (4 - 1)))  # W = Q / (n (k - 1))


def test_between_subject_omnibus_is_kruskal_wallis() -> None:
    answers = simulated(n_participants=40, within=False)
    row = stats.omnibus(answers).set_index("criterion").loc["enjoyment"]
    groups = [g["rating_enjoyment"] for _, g in answers.groupby("source")]
    h, p = sps.kruskal(*groups)
    assert row["test"] == "kruskal" and row["statistic"] == pytest.approx(h) and row["p"] == pytest.approx(p)


def test_pairwise_wilcoxon_with_holm_and_matched_pairs_rank_biserial() -> None:
    answers = simulated()
    table = stats.pairwise(answers)
    table = table[table["criterion"] == "complexity"].set_index(["source_a", "source_b"])
    means = answers.pivot_table(index="participant", columns="source", values="rating_complexity")
    pairs = list(combinations(sorted(SOURCES), 2))
    p_unc = [sps.wilcoxon(means[a], means[b], correction=True).pvalue for a, b in pairs]  # as pingouin
    holm = multipletests(p_unc, method="holm")[1]  # statsmodels, independently of pingouin
    assert table["test"].eq("wilcoxon").all()
    assert table.loc[pairs, "p_unc"].to_numpy() == pytest.approx(p_unc)
    assert table.loc[pairs, "p_holm"].to_numpy() == pytest.approx(holm)
    a, b = pairs[0]
    d = (means[a] - means[b]).to_numpy()
    d = d[d != 0]
    ranks = sps.rankdata(np.abs(d))
    r = (ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum()  # Kerby (2014), simple difference formula
    assert abs(table.loc[(a, b), "rank_biserial"]) == pytest.approx(abs(r))


def test_between_subject_pairs_use_mann_whitney_with_rank_biserial() -> None:
    answers = simulated(n_participants=40, within=False)
    table = stats.pairwise(answers).set_index(["criterion", "source_a", "source_b"])
    x = answers.loc[answers["source"] == "lstm", "rating_enjoyment"]
    y = answers.loc[answers["source"] == "original", "rating_enjoyment"]
    u, p = sps.mannwhitneyu(x, y)
    row = table.loc[("enjoyment", "lstm", "original")]
    assert row["test"] == "mannwhitney" and row["statistic"] == pytest.approx(u) and row["p_unc"] == pytest.approx(p)
    assert row["rank_biserial"] == pytest.approx(2 * u / (len(x) * len(y)) - 1)  # positive: lstm rated higher


def test_krippendorff_alpha_reproduces_the_published_ordinal_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", reliability data with
    # missing values: 4 observers x 12 units; published ordinal alpha = 0.815.
    nan = np.nan
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    rows = [
        {"participant": o, "clip": f"u{u:02d}", "rating_emotion": v}
        for o, values in enumerate(data)
        for u, v in enumerate(values)
        if not np.isnan(v)
    ]
    row = stats.agreement(pd.DataFrame(rows)).iloc[0]
    assert row["alpha"] == pytest.approx(0.815, abs=0.0005)
    assert (row["n_raters"], row["n_units"]) == (4, 11)  # the last unit has a single value


def test_human_guess_share_has_a_binomial_test_against_chance() -> None:
    answers = pd.DataFrame({"source": "lstm", "human_source": False, "guess": ["human"] * 15 + ["computer"] * 5})
    row = stats.human_guesses(answers).iloc[0]
    # Two-sided exact binomial test, 15 of 20 at p = 0.5: 2 * (C(20,15)+...+C(20,20)) / 2^20 = 2 * 21700 / 1048576.
    assert row["p_binom"] == pytest.approx(2 * 21700 / 2**20)
    assert (row["n"], row["n_human"], row["share_human"]) == (20, 15, 0.75)
    assert row["ci_low"] < 0.75 < row["ci_high"]


def test_d_prime_uses_the_log_linear_rates_and_gourevitch_galanter_variance() -> None:
    human = [{"source": "original", "human_source": True, "guess": g} for g in ["computer"] * 10 + ["human"] * 30]
    model = [{"source": "lstm", "human_source": False, "guess": g} for g in ["computer"] * 30 + ["human"] * 10]
    row = stats.detection(pd.DataFrame(human + model)).iloc[0]
    z, pdf = NormalDist().inv_cdf, NormalDist().pdf  # the standard library, independently of scipy
    h, f = 30.5 / 41, 10.5 / 41
    se = np.sqrt(h * (1 - h) / (40 * pdf(z(h)) ** 2) + f * (1 - f) / (40 * pdf(z(f)) ** 2))
    assert row["d_prime"] == pytest.approx(z(h) - z(f)) and row["se"] == pytest.approx(se)
    assert row["ci_low"] == pytest.approx(z(h) - z(f) - 1.959964 * se, abs=1e-5)


def test_listeners_who_cannot_tell_the_sources_apart_have_d_prime_zero() -> None:
    rows = [
        {"source": s, "human_source": s == "original", "guess": g}
        for s in ("original", "lstm")
        for g in ("human", "computer") * 10
    ]
    assert stats.detection(pd.DataFrame(rows)).iloc[0]["d_prime"] == pytest.approx(0.0)


def test_ratings_split_by_correct_guess_and_by_knowing_the_piece() -> None:
    answers = simulated()
    for by in ("guess_correct", "knows_piece"):
        table = stats.split_ratings(answers, by)
        assert table["n"].sum() == 2 * len(answers)
        sub = answers[(answers["source"] == "lstm") & answers[by]]
        row = table[(table["source"] == "lstm") & (table["criterion"] == "enjoyment") & table[by]].iloc[0]
        assert row["mean"] == pytest.approx(sub["rating_enjoyment"].mean())


def test_exclusions_drop_participants_who_failed_a_check() -> None:
    answers = simulated()
    kept = stats.apply_exclusions(answers)
    assert set(answers["participant"]) - set(kept["participant"]) == {0, 1}
    assert len(stats.apply_exclusions(answers, headphone=False)) == len(answers) - 8


def test_one_participant_who_stopped_early_leaves_the_paired_tests_on_the_complete_ones() -> None:
    answers = simulated()
    answers = answers[~((answers["participant"] == 5) & (answers["source"] == "trained"))]
    row = stats.omnibus(answers).set_index("criterion").loc["complexity"]
    complete = answers[answers["participant"] != 5]
    means = complete.pivot_table(index="participant", columns="source", values="rating_complexity")
    q, p = sps.friedmanchisquare(*[means[s] for s in means.columns])
    assert row["test"] == "friedman" and row["n"] == 23 and row["left_out"] == 1
    assert row["statistic"] == pytest.approx(q) and row["p"] == pytest.approx(p)
    assert stats.pairwise(answers)["test"].eq("wilcoxon").all()


def test_a_single_kept_participant_gets_sentences_not_a_crash() -> None:
    answers = simulated(n_participants=3)
    one = answers[answers["participant"] == 2]
    omnibus = stats.omnibus(one)
    assert omnibus["note"].str.contains("needs at least 2 participants who rated every source").all()
    pairs = stats.pairwise(one)
    assert pairs["note"].str.contains("needs at least 2 participants").all() and pairs["p_holm"].isna().all()
    tables = stats.summary_tables(one, mixed=True)
    assert list(tables)[:2] == ["inference", "describe"]  # below the minimum: a sentence, then descriptives only
    assert "No inference yet" in tables["inference"]["note"].iloc[0]
    assert not {"headline", "min_f", "pairwise_participant_means"} & set(tables)


def test_the_headline_model_comes_first_and_the_participant_means_tests_last_with_their_warning() -> None:
    tables = stats.summary_tables(simulated())
    names = list(tables)
    assert names[:5] == ["headline", "headline_means", "headline_model", "ordinal_mixed", "min_f"]
    assert names.index("pairwise_participant_means") > names.index("describe")
    warning = stats.fixed_clips_warning(tables)
    varied = tables["headline_model"].query("clip_var > 0")["criterion"].tolist()
    assert varied and all(c in warning for c in varied) and "too small" in warning
    no_clips = {"headline_model": tables["headline_model"].assign(clip_var=0.0)}
    assert stats.fixed_clips_warning(no_clips) == ""


def test_ratings_that_never_vary_get_sentences_not_nan_without_a_word() -> None:
    answers = simulated().assign(rating_enjoyment=4)
    friedman = stats.omnibus(answers).set_index("criterion").loc["enjoyment"]
    assert "nothing to rank" in friedman["note"]
    alpha = stats.agreement(answers).set_index("criterion").loc["enjoyment"]
    assert np.isnan(alpha["alpha"]) and alpha["note"] == "Krippendorff's alpha is undefined: every rating is the same."


def test_a_criterion_column_with_no_values_is_left_out_of_every_table() -> None:
    answers = simulated().assign(rating_enjoyment=np.nan)
    tables = stats.summary_tables(answers)
    for name in ("headline", "min_f", "describe", "omnibus_participant_means", "agreement"):
        assert set(tables[name]["criterion"]) == {"complexity"}, name


def test_holm_is_offered_over_the_whole_family_of_criteria_and_pairs() -> None:
    table = stats.pairwise(simulated())
    family = multipletests(table["p_unc"], method="holm")[1]  # statsmodels, every criterion x pair at once
    assert table["p_holm_all"].to_numpy() == pytest.approx(family)
    assert (table["p_holm_all"] >= table["p_holm"] - 1e-12).all()
    note = stats.multiplicity_note(table)
    assert "family of 6 pairs" in note and f"family of {len(table)} tests" in note


def test_human_guess_shares_also_get_an_interval_over_participants() -> None:
    answers = simulated()
    row = stats.human_guesses(answers).set_index("source").loc["original"]
    assert row["cluster_ci_low"] <= row["share_human"] <= row["cluster_ci_high"]
    guesses = answers[answers["source"] == "original"].assign(human=lambda f: f["guess"] == "human")
    per = guesses.groupby("participant")["human"].agg(["sum", "count"])
    expected = sps.bootstrap((per["sum"].to_numpy(float), per["count"].to_numpy(float)),
                             lambda s, c, axis=-1: s.sum(axis=axis) / c.sum(axis=axis), paired=True,
                             vectorized=True, n_resamples=2000, method="BCa", rng=np.random.default_rng(0))
    assert row["cluster_ci_low"] == pytest.approx(expected.confidence_interval.low)


def test_the_exclusion_sentence_names_the_rule_that_removed_each_participant() -> None:
    from survey.analysis.stats import apply_exclusions, exclusion_sentence

    answers = pd.DataFrame({
        "participant": ["deaf", "deaf", "hasty", "hasty", "fine", "fine"],
        "headphone_passed": [False, False, True, True, True, True],
        "attention_passed": [True] * 6, "finished": [True] * 6,
        "answered_early": [False, False, True, True, False, True],
    })
    rules = {"headphone": True, "attention": True, "unfinished": False, "early": True}
    sentence = exclusion_sentence(answers, apply_exclusions(answers, **rules), rules)
    assert sentence.startswith("1 of 3 participants kept, 2 excluded: a failed headphone check 1, ")
    assert "every answer sent before its clip could end 1" in sentence and sentence.endswith("1 answer analysed.")
    rules["headphone"] = False
    sentence = exclusion_sentence(answers, apply_exclusions(answers, **rules), rules)
    assert sentence.startswith("2 of 3 participants kept, 1 excluded: a failed attention check 0, every answer")
    assert "not excluded for a failed headphone check, an unfinished participation" in sentence
