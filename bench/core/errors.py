"""Errors the command line shows to the user as a message, without a traceback."""


class UserError(Exception):
    """Something the user asked for cannot be done; the message says what to do instead.

    The CLI prints the message and exits with status 2. Raise it for bad flags, missing
    files, unknown names and anything else the user can fix; let real bugs raise anything else.
    """


class TrainingDiverged(UserError):
    """The loss became NaN or infinite; earlier results are untouched."""


def unknown_choice(kind: str, value: str, choices: list[str] | tuple[str, ...], hint: str = "") -> UserError:
    """A uniform message for a name that is not one of the valid choices."""
    listed = ", ".join(sorted(choices))
    message = f"unknown {kind} {value!r}; valid choices: {listed}."
    if hint:
        message += f" {hint}"
    return UserError(message)
