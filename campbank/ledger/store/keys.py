"""Idempotency keys in two namespaces that cannot meet (docs/security-guards.md, "System keys").

A transaction's key is stored in one of two forms:

- `sys:KIND:…` — made only here, for the ledger's own runs: the day's tax (`sys:tax:2026-07-03`), a
  student's initial grant (`sys:initial:42`), a study fine (`sys:study_fine:final:42`), the interest of a
  day (`sys:interest:2026-07-03`), the loan instalments of a day (`sys:loan:…`), a circle's round
  (`sys:circle:3:2`), a fund's refund or spending (`sys:fund:4:refund`). No payload can produce this form.
  The nightly run and the savings actions look the key up under the write lock before making each one, so a
  run repeated, run twice at once, or re-run after a crash makes each transaction once.
- `u:CREATOR:KEY` — a key a person (or a program) put in a payload, scoped to whoever posted it: two people's
  equal keys are two different keys, and no payload key can ever equal a system key.

Camps written before the namespaces had bare keys; `LEGACY_UPGRADE` (run once by the schema upgrade) gives
each its form: a bare `tax:…`, `initial:…` or `study_fine:…` key becomes a system key only when the bank
created a transaction of that type with it, and every other key becomes its creator's.
"""

from __future__ import annotations

from datetime import date

SYSTEM = "sys:"
PAYLOAD = "u:"

# The meta row that says a camp's keys are in these forms (written by the upgrade, and by a new camp).
META_KEY = "idempotency_keys"
META_VALUE = "namespaced"


def system_key(kind: str, *parts: object) -> str:
    """A key of the ledger's own: `sys:KIND:PART:…`."""
    return ":".join([SYSTEM + kind, *(str(part) for part in parts)])


def tax_day(day: date, generation: int = 1) -> str:
    """The tax of `day`; a day charged again after its tax was voided is its next generation (`…:2`)."""
    base = system_key("tax", day.isoformat())
    return base if generation == 1 else f"{base}:{generation}"


def initial_grant(account_id: int) -> str:
    return system_key("initial", account_id)


def study_fine(stage: str, account_id: int) -> str:
    return system_key("study_fine", stage, account_id)


def study_fine_prefix(stage: str) -> str:
    """What every study fine key of a stage starts with (any student, any generation)."""
    return system_key("study_fine", stage, "")


def payload_key(creator_id: int, key: str) -> str:
    """The stored form of a key a payload carries, scoped to the account that posts it."""
    return f"{PAYLOAD}{creator_id}:{key}"


# Every key of an old camp in its new form, computed first and then written, so no row ever holds a key
# another row is about to take (SQLite checks UNIQUE row by row). A bare `tax:`, `initial:` or
# `study_fine:` key is the bank's own only on a transaction the bank made, of that type.
LEGACY_UPGRADE = [
    "CREATE TEMP TABLE upgraded_key (id INTEGER PRIMARY KEY, key TEXT NOT NULL)",
    """INSERT INTO upgraded_key (id, key)
       SELECT id, CASE WHEN creator_id = (SELECT id FROM account WHERE username = 'bank')
                         AND ((type = 'tax' AND idempotency_key GLOB 'tax:*')
                           OR (type = 'general_money' AND idempotency_key GLOB 'initial:*')
                           OR (type = 'study_fine' AND idempotency_key GLOB 'study_fine:*'))
                       THEN 'sys:' || idempotency_key
                       ELSE 'u:' || creator_id || ':' || idempotency_key END
         FROM txn WHERE idempotency_key IS NOT NULL""",
    "UPDATE txn SET idempotency_key = NULL WHERE id IN (SELECT id FROM upgraded_key)",
    """UPDATE txn SET idempotency_key = (SELECT key FROM upgraded_key WHERE upgraded_key.id = txn.id)
        WHERE id IN (SELECT id FROM upgraded_key)""",
    "DROP TABLE upgraded_key",
]
def interest_day(day: date) -> str:
    return system_key("interest", day.isoformat())


def instalments_day(day: date) -> str:
    return system_key("loan", day.isoformat())


def circle_round(circle_id: int, round_number: int) -> str:
    return system_key("circle", circle_id, round_number)


def fund_closing(fund_id: int, how: str) -> str:
    """`how` is "spend" or "refund": a fund is closed once, one way."""
    return system_key("fund", fund_id, how)
