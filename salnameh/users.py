"""Users of the cycle and how they prove who they are, kept in the ledger.

Passwords are hashed with argon2id (argon2-cffi's defaults) and never stored, printed or
logged in clear. A user is never deleted, only disabled, so every decision keeps the name
of who took it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from salnameh.access import ROLES, Actor, require
from salnameh.ledger import Ledger, now

_hasher = PasswordHasher()
MIN_PASSWORD = 10
# After this many failed sign-ins within the window, the user is refused until it passes:
# a guessed password costs a quarter of an hour per five tries.
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)


class UserError(ValueError):
    """A user cannot be added or changed as asked; the message says why."""


class AuthenticationFailed(PermissionError):
    """Wrong user, wrong password, or a disabled user: deliberately not said which."""

    fa = "نام کاربری یا گذرواژه درست نیست، یا کاربر غیرفعال است."
    en = "Unknown user, wrong password, or a disabled user."

    def __init__(self) -> None:
        super().__init__(self.en)


class TooManyAttempts(PermissionError):
    """Too many failed sign-ins for this user: refused, without checking the password."""

    def __init__(self, minutes: int) -> None:
        self.fa = (f"تلاش‌های نادرست برای ورود بیش از حد بود؛ {minutes} دقیقه دیگر دوباره "
                   "تلاش کنید یا با هماهنگ‌کننده تماس بگیرید.")  # fmt: skip
        self.en = (f"Too many failed sign-ins; try again in {minutes} minutes or ask the "
                   "coordinator.")  # fmt: skip
        super().__init__(self.en)


@dataclass(frozen=True)
class User:
    user_id: str
    full_name: str
    role: str
    agency: str | None
    email: str | None
    created_at: str
    created_by: str
    disabled_at: str | None

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.role, self.agency)


class Users:
    def __init__(self, ledger: Ledger, agencies: set[str] | None = None) -> None:
        self.ledger = ledger
        self.agencies = agencies  # known agency ids, to refuse a typo

    def add(self, by: Actor | None, user_id: str, full_name: str, role: str, password: str,
            agency: str | None = None, email: str | None = None) -> User:  # fmt: skip
        """A new user. `by` is None only for the very first coordinator of an installation."""
        if by is None:
            if self.list() or role != "coordinator":
                raise UserError("only the first user may be added without a coordinator, "
                                "and it must be a coordinator")  # fmt: skip
            created_by = "setup"
        else:
            require(by, "manage_users")
            created_by = by.user_id
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if (role == "liaison") != (agency is not None):
            raise UserError("a liaison needs --agency, and only a liaison has one")
        if agency is not None and self.agencies is not None and agency not in self.agencies:
            raise UserError(f"no agency {agency!r} in seeds/reference/agencies.csv")
        if not user_id or not user_id.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise UserError("a user id is letters, digits, '-', '_' or '.'")
        if email is not None and "@" not in email:
            raise UserError(f"{email!r} is not an email address")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
        with self.ledger.transaction() as con:
            if con.execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,)).fetchone():
                raise UserError(f"user {user_id!r} exists already")
            con.execute(
                "INSERT INTO users (user_id, full_name, role, agency, email, password_hash,"
                " created_at, created_by) VALUES (?,?,?,?,?,?,?,?)",
                (
                    user_id,
                    full_name,
                    role,
                    agency,
                    email,
                    _hasher.hash(password),
                    now(),
                    created_by,
                ),
            )
        return self.get(user_id)

    def disable(self, by: Actor, user_id: str) -> User:
        require(by, "manage_users")
        if by.user_id == user_id:
            raise UserError("a coordinator cannot disable themselves")
        with self.ledger.transaction() as con:
            changed = con.execute(
                "UPDATE users SET disabled_at = ?, disabled_by = ? WHERE user_id = ?"
                " AND disabled_at IS NULL",
                (now(), by.user_id, user_id),
            ).rowcount
        if not changed:
            raise UserError(f"no active user {user_id!r}")
        return self.get(user_id)

    def get(self, user_id: str) -> User:
        with self.ledger.connect() as con:
            row = con.execute("SELECT * FROM users WHERE user_id = ?", (user_id,)).fetchone()
        if row is None:
            raise UserError(f"no user {user_id!r}")
        return _user(row)

    def list(self) -> list[User]:
        with self.ledger.connect() as con:
            rows = con.execute("SELECT * FROM users ORDER BY role, user_id").fetchall()
        return [_user(r) for r in rows]

    def authenticate(self, user_id: str, password: str) -> Actor:
        """The user's Actor if the password is right and the user active.

        Every attempt is recorded; after MAX_FAILURES failures within LOCKOUT the user is
        refused (TooManyAttempts) until the window has passed, even with the right password.
        """
        self._refuse_if_locked(user_id)
        with self.ledger.connect() as con:
            row = con.execute(
                "SELECT * FROM users WHERE user_id = ? AND disabled_at IS NULL", (user_id,)
            ).fetchone()
        ok = False
        try:
            if row is None:
                _hasher.hash(password)  # the same work either way: timing does not tell
                raise AuthenticationFailed()
            try:
                _hasher.verify(row["password_hash"], password)
            except (VerificationError, InvalidHashError):
                raise AuthenticationFailed() from None
            ok = True
        finally:
            with self.ledger.connect() as con:
                con.execute("INSERT INTO login_attempts (user_id, ok, at) VALUES (?, ?, ?)",
                            (user_id, int(ok), now()))  # fmt: skip
        return _user(row).actor

    def _refuse_if_locked(self, user_id: str) -> None:
        since = (dt.datetime.now(dt.UTC) - LOCKOUT).isoformat(timespec="milliseconds")
        with self.ledger.connect() as con:
            # Failures since the last success inside the window: a good sign-in resets.
            failures = con.execute(
                """SELECT count(*), min(at) FROM login_attempts
                   WHERE user_id = ? AND ok = 0 AND at > ? AND at > coalesce(
                       (SELECT max(at) FROM login_attempts WHERE user_id = ? AND ok = 1), '')""",
                (user_id, since, user_id),
            ).fetchone()
        if failures[0] >= MAX_FAILURES:
            first = dt.datetime.fromisoformat(failures[1])
            left = first + LOCKOUT - dt.datetime.now(dt.UTC)
            raise TooManyAttempts(max(1, round(left.total_seconds() / 60)))


def _user(row) -> User:
    return User(row["user_id"], row["full_name"], row["role"], row["agency"], row["email"],
                row["created_at"], row["created_by"], row["disabled_at"])  # fmt: skip
