"""Named, typed training configurations.

One preset is one frozen dataclass instance; the CLI picks it by name and applies typed overrides
(``--epochs``, ``--songs``...). A trained model folder stores the full preset it was trained with, so
generation rebuilds the network from the folder alone (as nanoGPT's checkpoints do).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

Representation = Literal["paper", "grid", "grid-chords", "grid-voices", "melody"]
Objective = Literal["last", "every-step"]
Source = Literal["pop909", "music21-folk"]
Architecture = Literal["paper", "paper-onehot", "embedding", "magenta-basic", "magenta-lookback", "magenta-attention"]


@dataclass(frozen=True)
class DataConfig:
    """Which songs are used and how they become training windows.

    ``source`` is POP909, or music21's folk-melody corpus (:mod:`model.data.folk`) for Pretrained Magenta.
    ``songs`` of None means all 909. ``selection_seed`` makes the subset reproducible and is recorded
    in the training card.
    """

    representation: Representation = "grid"
    source: Source = "pop909"
    songs: int | None = None
    selection_seed: int = 42
    validation_share: float = 0.1
    sequence_length: int = 128
    window_stride: int = 64
    transpose: tuple[int, ...] = ()


@dataclass(frozen=True)
class NetworkConfig:
    """Sizes of the network; ``architecture`` names the variant of its family's network (:mod:`model.families`)."""

    architecture: Architecture = "embedding"
    lstm_units: tuple[int, ...] = (384, 384)
    embedding_dim: int = 128
    recurrent_dropout: float = 0.0
    dropout: float = 0.1
    dense_units: int = 256
    attention_length: int = 0
    self_attention_heads: int = 0


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings. ``max_minutes`` bounds wall-clock time so CPU runs can be planned.

    ``objective`` applies to the paper networks: ``last`` is the seed's one target per window;
    ``every-step`` trains the same weights on every position with at least ``min_context`` tokens
    before it, so one forward pass yields ``sequence_length - min_context`` targets instead of one.
    """

    optimizer: Literal["rmsprop", "adam"] = "adam"
    learning_rate: float = 2e-3
    epochs: int = 30
    batch_size: int = 64
    steps_per_epoch: int | None = None
    validation_batches: int | None = None
    early_stopping_patience: int = 3
    max_minutes: float | None = None
    clipnorm: float | None = 1.0
    seed: int = 0
    objective: Objective = "last"
    min_context: int = 50


@dataclass(frozen=True)
class Preset:
    """A complete recipe: data, network and training settings under one name."""

    name: str
    description: str
    data: DataConfig = field(default_factory=DataConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Preset:
        data = dict(raw["data"])
        data["transpose"] = tuple(data.get("transpose", ()))
        network = dict(raw["network"])
        network["lstm_units"] = tuple(network["lstm_units"])
        return cls(
            name=raw["name"],
            description=raw["description"],
            data=DataConfig(**data),
            network=NetworkConfig(**network),
            train=TrainConfig(**raw["train"]),
        )

    def with_overrides(self, **overrides: Any) -> Preset:
        """Return a copy with flat overrides (``songs``, ``epochs``, ``batch_size`` ...) applied.

        Unknown keys raise ``ValueError`` so a typo on the command line is never silently ignored;
        ``None`` values mean "keep the preset's value".
        """
        sections = {"data": self.data, "network": self.network, "train": self.train}
        updated: dict[str, dict[str, Any]] = {key: {} for key in sections}
        for key, value in overrides.items():
            if value is None:
                continue
            owner = next((s for s, obj in sections.items() if key in _field_names(obj)), None)
            if owner is None:
                raise ValueError(f"Unknown setting {key!r} for preset {self.name!r}.")
            updated[owner][key] = value
        preset = dataclasses.replace(
            self,
            data=dataclasses.replace(self.data, **updated["data"]),
            network=dataclasses.replace(self.network, **updated["network"]),
            train=dataclasses.replace(self.train, **updated["train"]),
        )
        preset.validate()
        return preset

    def validate(self) -> None:
        """Refuse absurd settings up front, naming the allowed range, before any data is read."""
        d, t = self.data, self.train
        checks = [
            (d.songs is None or 1 <= d.songs <= 909, f"songs must be between 1 and 909, got {d.songs}."),
            (2 <= d.sequence_length <= 4096, f"sequence length must be between 2 and 4096, got {d.sequence_length}."),
            (d.window_stride >= 1, f"window stride must be >= 1, got {d.window_stride}."),
            (0.0 <= d.validation_share < 1.0, f"validation share must be in [0, 1), got {d.validation_share}."),
            (1 <= t.epochs <= 10_000, f"epochs must be between 1 and 10000, got {t.epochs}."),
            (1 <= t.batch_size <= 65_536, f"batch size must be between 1 and 65536, got {t.batch_size}."),
            (0.0 < t.learning_rate <= 1.0, f"learning rate must be in (0, 1], got {t.learning_rate}."),
            (t.steps_per_epoch is None or t.steps_per_epoch >= 1,
             f"steps per epoch must be >= 1, got {t.steps_per_epoch}."),
            (t.max_minutes is None or t.max_minutes > 0, f"max minutes must be > 0, got {t.max_minutes}."),
            (t.objective == "last" or 1 <= t.min_context < d.sequence_length,
             f"min context must be between 1 and the sequence length - 1, got {t.min_context}."),
            (all(u >= 1 for u in self.network.lstm_units), f"LSTM units must be >= 1, got {self.network.lstm_units}."),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


def _field_names(obj: Any) -> set[str]:
    return {f.name for f in dataclasses.fields(obj)}


PAPER = Preset(
    name="paper",
    description=(
        "The seed study exactly: notes and chords per onset as integers scaled to [0, 1), windows of 100 "
        "tokens, LSTM(512, recurrent_dropout=0.3) x3, batch norm, Dense(256), softmax; RMSprop, "
        "categorical cross-entropy, 10 epochs, batch 1024, 250 random POP909 songs."
    ),
    data=DataConfig(
        representation="paper", songs=250, selection_seed=42, validation_share=0.1,
        sequence_length=100, window_stride=1,
    ),
    network=NetworkConfig(
        architecture="paper", lstm_units=(512, 512, 512), embedding_dim=0,
        recurrent_dropout=0.3, dropout=0.3, dense_units=256,
    ),
    train=TrainConfig(
        optimizer="rmsprop", learning_rate=1e-3, epochs=10, batch_size=1024,
        early_stopping_patience=10, clipnorm=None,
    ),
)

PAPER_ONEHOT = dataclasses.replace(
    PAPER,
    name="paper-onehot",
    description=(
        "Ablation of the seed: the same network, data and training, but each token enters as a one-hot "
        "vector instead of one number id / vocabulary size, so researchers see what the seed's input costs."
    ),
    network=dataclasses.replace(PAPER.network, architecture="paper-onehot"),
)

CHORDS = Preset(
    name="chords",
    description=(
        "The previous default: songs over a chord progression as one stream of notes. POP909's beat and chord "
        "annotations on a 16th-note grid (bar, position, chord at each change, pitch, velocity bin, duration tokens), "
        "an embedding, LSTM(512) x2 and causal self-attention over 1024-event windows (about 12 bars) so phrases can "
        "come back, predicting every next token; Adam, keys augmented by +-3 semitones. Trained on a GPU under JAX."
    ),
    data=DataConfig(
        representation="grid-chords", songs=None, sequence_length=1024, window_stride=512,
        transpose=(-3, -2, -1, 1, 2, 3),
    ),
    network=NetworkConfig(
        architecture="embedding", lstm_units=(512, 512), embedding_dim=192, dropout=0.1, self_attention_heads=4,
    ),
    train=TrainConfig(
        optimizer="adam", learning_rate=1.5e-3, epochs=200, batch_size=64, steps_per_epoch=None,
        early_stopping_patience=4, max_minutes=None, clipnorm=1.0,
    ),
)

DEFAULT = dataclasses.replace(
    CHORDS,
    name="default",
    description=(
        "Ours: songs that sing over a chord progression. POP909's beat and chord annotations on a 16th-note grid "
        "(bar, position, chord at each change, then per note its voice's pitch, velocity bin and duration): POP909's "
        "three voices kept apart (melody, bridge, piano), the melody one line written first at each position, pieces "
        "three named tracks as in POP909. An embedding, LSTM(512) x2 and causal self-attention over 1024-event "
        "windows (about 12 bars), predicting every next token; Adam, keys augmented by +-3 semitones. Started from "
        "the chords model's weights (see the card)."
    ),
    data=dataclasses.replace(CHORDS.data, representation="grid-voices"),
)

GRID = Preset(
    name="grid",
    description=(
        "Ours: a 16th-note grid from POP909's beat annotations (bar, position, pitch, duration tokens), "
        "an embedding input, LSTM(384) x2 predicting every next token, Adam; sized to train to a "
        "useful model within an hour on a 2-core CPU."
    ),
    data=DataConfig(
        representation="grid", songs=None, sequence_length=128, window_stride=64,
        transpose=(-3, -2, -1, 1, 2, 3),
    ),
    network=NetworkConfig(
        architecture="embedding", lstm_units=(384, 384), embedding_dim=128, dropout=0.1,
    ),
    train=TrainConfig(
        optimizer="adam", learning_rate=2e-3, epochs=40, batch_size=64, steps_per_epoch=400,
        early_stopping_patience=4, max_minutes=45.0, clipnorm=1.0,
    ),
)

TINY = Preset(
    name="tiny",
    description="A few-second smoke-test network for tests and CI; not for listening.",
    data=DataConfig(representation="grid", songs=3, sequence_length=32, window_stride=16),
    network=NetworkConfig(architecture="embedding", lstm_units=(32,), embedding_dim=16, dropout=0.0),
    train=TrainConfig(optimizer="adam", learning_rate=1e-2, epochs=2, batch_size=16),
)



def _magenta(name: str, config: str, description: str, attention_length: int, clip: float) -> Preset:
    """MelodyRNN's hyper-parameters (``magenta/models/melody_rnn/melody_rnn_model.py``, the note-seq era):
    batch 128, two layers of 128 LSTM units, ``dropout_keep_prob=0.5``, Adam at ``learning_rate=0.001``,
    gradients clipped to a global norm of 5 (basic, lookback) or 3 (attention), ``attn_length=40``; notes
    48-83 transposed to C (see :mod:`model.encoding.melody`). Windows of 128 steps (8 bars) cut the melodies.
    """
    return Preset(
        name=name,
        description=f"Magenta MelodyRNN {config} on POP909's MELODY tracks: {description}",
        data=DataConfig(representation="melody", songs=None, sequence_length=128, window_stride=64),
        network=NetworkConfig(architecture=name, lstm_units=(128, 128), embedding_dim=0, dropout=0.5,  # type: ignore[arg-type]
                              dense_units=0, attention_length=attention_length),
        train=TrainConfig(optimizer="adam", learning_rate=1e-3, epochs=40, batch_size=128, steps_per_epoch=200,
                          early_stopping_patience=4, clipnorm=clip),
    )


MAGENTA_BASIC = _magenta("magenta-basic", "basic_rnn", "one-hot melody events, LSTM(128) x2.", 0, 5.0)
MAGENTA_LOOKBACK = _magenta("magenta-lookback", "lookback_rnn",
                            "one-hot events plus 1- and 2-bar lookback features, LSTM(128) x2.", 0, 5.0)
MAGENTA_ATTENTION = _magenta("magenta-attention", "attention_rnn",
                             "key/lookback melody features, LSTM(128) x2 with attention over the last 40 "
                             "outputs on the first layer.", 40, 3.0)

MAGENTA_PRETRAINED = dataclasses.replace(
    MAGENTA_ATTENTION,
    name="magenta-pretrained",
    description=(
        "Pretrained Magenta: MelodyRNN attention_rnn trained on other music (music21's folk-song and chorale "
        "melodies, no POP909) and used on POP909 primers as is, the role Google's pretrained bundle plays."
    ),
    data=dataclasses.replace(MAGENTA_ATTENTION.data, source="music21-folk"),
)

PRESETS: dict[str, Preset] = {p.name: p for p in (PAPER, PAPER_ONEHOT, DEFAULT, CHORDS, GRID, TINY, MAGENTA_BASIC,
                                                  MAGENTA_LOOKBACK, MAGENTA_ATTENTION, MAGENTA_PRETRAINED)}


def get_preset(name: str) -> Preset:
    """Look a preset up by name, with an error that lists the ones that exist."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"Unknown preset {name!r}; choose one of: {', '.join(PRESETS)}.") from None
