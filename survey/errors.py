"""Domain errors of the survey package, each with a one-sentence message a page can show as is.

Every refusal the participant-facing functions make is one of these classes, so the app can
catch ``SurveyError`` and show ``str(error)`` without knowing the details, and tests can assert
on the precise class.
"""

from __future__ import annotations


class SurveyError(Exception):
    """Base class: something the survey refused to do, and nothing was changed."""


class StudyFileError(SurveyError):
    """A study definition file is invalid; the message names the file, line and field."""

    def __init__(self, message: str, *, field: str, line: int | None = None, source: str = "study") -> None:
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}, field '{field}': {message}")
        self.field = field
        self.line = line
        self.message = message


class PlanRefused(SurveyError):
    """A study the Studio cannot make from the researcher's choices; the message is one sentence about them."""


class StudyNotFound(SurveyError):
    """No study with this slug exists in the database."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"No study named '{slug}' exists.")


class StudyExists(SurveyError):
    """A different definition was already imported under the same slug."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"Study '{slug}' already exists with a different definition; give the new one another slug.")


class StudyNotOpen(SurveyError):
    """The study is a draft or closed, so it accepts no participants or answers."""

    def __init__(self, slug: str, status: str) -> None:
        super().__init__(f"Study '{slug}' is {status} and is not accepting responses.")
        self.status = status


class StudyFull(SurveyError):
    """The study's participant quota is reached (counting finished and still active participants)."""

    def __init__(self, slug: str, quota: int) -> None:
        super().__init__(f"Study '{slug}' has all the {quota} participants it needs; thank you for your interest.")
        self.quota = quota


class StudyNotDraft(SurveyError):
    """Only a draft study may be published or have clips registered."""

    def __init__(self, slug: str, status: str) -> None:
        super().__init__(f"Study '{slug}' is already {status}; only a draft can be changed.")


class UnknownClip(SurveyError):
    """The clip key or id does not belong to this study (or participant)."""

    def __init__(self, clip: str) -> None:
        super().__init__(f"Clip '{clip}' is not part of this study for this participant.")


class ClipsNotRendered(SurveyError):
    """Publishing needs audio registered for every clip."""

    def __init__(self, missing: list[str]) -> None:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        super().__init__(f"{len(missing)} clip(s) have no registered audio yet: {shown}.")
        self.missing = missing


class AuditFailed(SurveyError):
    """The blindness audit found cues and no override reason was given."""

    def __init__(self, cues: list[str]) -> None:
        super().__init__(f"The blindness audit flagged {', '.join(cues)}; fix the clips or publish with an override.")
        self.cues = cues


class UnknownToken(SurveyError):
    """The participant link is wrong or expired."""

    def __init__(self) -> None:
        super().__init__("This participation link is not valid; please check the link you were given.")


class ConsentRequired(SurveyError):
    """A participant cannot start without giving consent."""

    def __init__(self) -> None:
        super().__init__("Consent is required before taking part.")


class InvalidAnswer(SurveyError):
    """An answer field is missing or out of range; nothing was stored."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"Answer field '{field}' {message}.")
        self.field = field


class AnswerConflict(SurveyError):
    """The clip was already answered differently; the first answer stands."""

    def __init__(self, clip: str) -> None:
        super().__init__(f"Clip '{clip}' was already answered with different values; the first answer is kept.")


class NotYourTurn(SurveyError):
    """The participant must first complete an earlier screen (headphone or attention check)."""

    def __init__(self, expected: str) -> None:
        super().__init__(f"Please complete the current screen first ({expected}).")
        self.expected = expected


class NotFinished(SurveyError):
    """A participant cannot finish with screens still unanswered."""

    def __init__(self, remaining: int) -> None:
        super().__init__(f"{remaining} screen(s) are still unanswered.")
        self.remaining = remaining
