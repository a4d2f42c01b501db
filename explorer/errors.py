"""The one exception type for mistakes a user can cause (unknown model, bad spec, bad checkpoint).

Its message is shown as-is in the CLI and the UI, so it must say what went wrong and what to do.
The mistakes a student can make in the web app (a bad image, a bad checkpoint, a request that ran
too long) are raised with `ExplorerError.text(key, ...)`: the English message comes from the i18n
table, and the UI says it again in the page's language. Programming errors stay ordinary Python
exceptions.
"""

from __future__ import annotations

from typing import Any

from .i18n import t


class ExplorerError(ValueError):
    """A user-facing error whose message says what to do next."""

    def __init__(self, message: str, *, key: str | None = None, **values: Any) -> None:
        super().__init__(message)
        self.key = key
        self.values = values

    @classmethod
    def text(cls, key: str, **values: Any) -> ExplorerError:
        """The error whose message is i18n text `key`, in English here, translatable later."""
        return cls(t("en", key, **values), key=key, **values)

    def in_language(self, lang: str) -> str:
        """The message in `lang` where it has a translation, else as raised."""
        return t(lang, self.key, **self.values) if self.key else str(self)
