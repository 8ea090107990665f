"""Blind listening studies: storage, assignment, answers, checks, audit, statistics and export.

The app's pages only call these functions.  Every function that touches the database takes a
SQLAlchemy ``Session``; the caller owns the transaction::

    from survey.store.db import open_database
    Session = open_database()                  # migrates; SQLite in data/ or $DATABASE_URL
    with Session.begin() as session:
        token = start_participant(session, "demo-five-sources", consent=True)

Public API
----------
Database (``survey.store.db``, ``survey.store.engine``, ``survey.store.migrations``)
    open_database(url: str | None = None) -> sessionmaker[Session]
    default_url(data_dir: str | Path | None = None) -> str
    make_engine(url: str, **kwargs) -> Engine;  make_sessionmaker(engine) -> sessionmaker[Session]
    upgrade_to_head(engine_or_url: Engine | str) -> None

Study files (``survey.design.studyfile``)
    load_study_file(path) -> StudyDefinition;  parse_study_text(text, source="study") -> StudyDefinition
    parse_study_dict(data, source="study", lines=None) -> StudyDefinition
    StudyDefinition, Criterion, Scale, HumanQuestion, Excerpt, SourceDef, ClipDef, AttentionCheck

Studies (``survey.design.study``)
    import_study(session, definition) -> Study                       (idempotent per slug+definition)
    get_study(session, slug, *, for_update=False) -> Study;  list_studies(session) -> list[Study]
    study_definition(study) -> StudyDefinition
    clips_to_render(session, slug) -> list[ClipToRender]              (clip_key, source_key, spec, group)
    register_clip(session, slug, clip_key, *, audio_sha256, midi_sha256=None, settings=None,
                  audio_path=None) -> Clip
    audit_study(session, slug, read_audio: Callable[[Clip], bytes], tolerances=None) -> AuditReport
    publish_study(session, slug, audit: AuditReport, override: str | None = None) -> Study
    close_study(session, slug) -> Study

Participants (``survey.collect.participants``, ``survey.collect.answers``, ``survey.collect.checks``)
    start_participant(session, slug, *, consent: bool, musical_experience=None,
                      listening_device=None) -> str                    (the secret token)
    next_screen(session, token) -> ClipScreen | AttentionScreen | HeadphoneScreen | None
    submit_answer(session, token, clip_id: str, answer: AnswerIn) -> SubmitResult   (idempotent)
    submit_headphone_check(session, token, responses: Sequence[int]) -> tuple[int, bool]
    submit_attention_check(session, token, key: str, response: int) -> bool
    progress(session, token) -> Progress;  finish_participant(session, token) -> Progress
    MUSICAL_EXPERIENCE, LISTENING_DEVICES (allowed profile values)

Audit (``survey.design.audit``, no database)
    audit_clips(clips: Sequence[AuditClip], tolerances: Tolerances | None = None) -> AuditReport
    measure(data: bytes) -> dict

Export (``survey.analysis.export``)
    answers_frame(session, slug) -> DataFrame;  study_json(session, slug) -> dict
    write_csv(session, slug, path) -> int;  write_json(session, slug, path) -> int

Preparation (``survey.clips.prepare``)
    prepare_clips(factory, slug, render: Callable[[ClipToRender], RenderedClip], store) -> PrepareReport
    (audio and source MIDI stored by hash; the MIDI's scalar metrics in the clip's settings["metrics"])

Clip metrics (``survey.analysis.clipmetrics``)
    clip_metrics_frame(session, slug) -> DataFrame;  source_metric_means(metrics) -> DataFrame
    metric_rating_table(answers, metrics, confidence=0.95) -> DataFrame   (Spearman rho with CI)

Inference (``survey.analysis.inference``, on the answers frame; R's lme4, lmerTest and ordinal through ``rbridge``)
    headline_tables(answers, *, ordinal=True) -> dict[str, DataFrame]   (crossed mixed models, Satterthwaite df)
    min_f_table(answers) -> DataFrame;  MIN_PARTICIPANTS
    simulate_answers(design, participants, rng) -> DataFrame;  StudyDesign, design_of_study, true_means

Statistics (``survey.analysis.stats``, on the answers frame)
    apply_exclusions, describe, omnibus, pairwise, agreement, human_guesses, detection,
    split_ratings, fixed_clips_warning, summary_tables(answers, *, mixed=True) -> dict[str, DataFrame]

Power (``survey.analysis.power``): participants_needed(design, target) -> DataFrame, pilot_designs(answers, study)

Errors (``survey.errors``): every refusal is a ``SurveyError`` subclass whose ``str`` is a
sentence fit for the page: StudyFileError, StudyNotFound, StudyExists, StudyNotOpen,
StudyNotDraft, UnknownClip, ClipsNotRendered, AuditFailed, UnknownToken, ConsentRequired,
InvalidAnswer, AnswerConflict, NotYourTurn, NotFinished.

Command line: ``python -m survey {init,studies,import-study,audit,publish,close,export,stats,power}``.
"""
