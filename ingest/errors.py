"""How the engine refuses a file: a stable code and a sentence. The sentence is an English template marked for
translation (`gettext_noop`, which makemessages finds) with its values apart, so the app can say it in the reader's
language without the engine importing Django."""


def gettext_noop(message: str) -> str:
    """Marks `message` for extraction into the translation catalogue; translated by the app, not here."""
    return message


class RejectedFile(Exception):
    """The file cannot be a table of events; `code` is stable, `message` says why in English, `template` and `params`
    let the app translate it."""

    def __init__(self, code: str, template: str, **params: object) -> None:
        self.code = code
        self.template = template
        self.params = params
        self.message = template % params if params else template
        super().__init__(self.message)
