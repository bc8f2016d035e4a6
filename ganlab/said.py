"""Sentences the library says to a person (a run's notes, why it stopped, why an upload was refused),
kept so that a page can say them in the person's language.

``said("autosaved at step {step:,}", step=1200)`` is the English sentence itself, a ``str`` that works
wherever a string does (a log line, the CLI, the run database), and it keeps its template and fields
beside it. ``ui.i18n`` looks the template up in the session's catalog and fills in the same fields; a
field that is itself a :class:`Said` is translated too. ``locale/extract.py`` gathers the templates of
every ``said("...")`` call in ganlab/, so a template must be a literal string.

The library still never imports the UI (or gettext): it only keeps the template with the sentence.
"""

from __future__ import annotations


class Said(str):
    """An English sentence with the template and fields it was made from."""

    template: str
    fields: dict

    def __new__(cls, template: str, fields: dict):
        self = super().__new__(cls, template.format(**fields))
        self.template, self.fields = template, dict(fields)
        return self

    def __reduce__(self):  # pickles (to a Ray actor and back) as itself, template and fields included
        return Said, (self.template, self.fields)


def said(template: str, /, **fields) -> Said:
    """``template.format(**fields)``, remembering both."""
    return Said(template, fields)


def said_by(err: BaseException) -> str:
    """The sentence ``err`` was raised with: the :class:`Said` itself when it was one, else ``str(err)``."""
    if len(err.args) == 1 and isinstance(err.args[0], Said):
        return err.args[0]
    return str(err)
