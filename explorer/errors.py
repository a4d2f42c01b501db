"""The one exception type for mistakes a user can cause (unknown model, bad spec, bad checkpoint).

Its message is shown as-is in the CLI and the UI, so it must say what went wrong and what to do.
Programming errors stay ordinary Python exceptions.
"""


class ExplorerError(ValueError):
    """A user-facing error whose message says what to do next."""
