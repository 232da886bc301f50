"""The errors the ledger raises. Each names the field at fault and the reason, so any face can show it."""

from __future__ import annotations


class CampBankError(Exception):
    """Base of every error the ledger reports to a person."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InputError(CampBankError):
    """Bad input: a malformed amount, date, username, payload or file. Nothing was written."""

    exit_code = 2


class RuleError(CampBankError):
    """Well-formed input that a rule refuses (a clash, too little money, a wrong state)."""

    exit_code = 1


class PermissionDenied(CampBankError):
    """The acting user's role does not allow the action."""

    exit_code = 1


class NotFound(CampBankError):
    """A user, transaction or file that does not exist: bad input, like any other (exit 2 everywhere)."""

    exit_code = 2


class AuthError(CampBankError):
    """A failed sign-in: wrong password, locked account, inactive user."""

    exit_code = 1
