"""The counters a student's entries add to: the one list every rule, report, export and screen reads.

Each counter is a running total per student, kept from counter entries (see docs/rules.md#counters).
`book_certificate` holds cents (certificates that can only buy books); every other counter counts
events. `class_attend` belongs to the camp's list of counters, but no transaction type of this version
adds to it: it stays 0, and exports keep its column.
"""

from __future__ import annotations

from enum import StrEnum


class Counter(StrEnum):
    SEMINAR_ATTEND = "seminar_attend"  # listened to a seminar
    SEMINAR_PASS = "seminar_pass"  # gave a seminar
    FAC_ATTEND = "fac_attend"  # attended a facultative
    FAC_PASS = "fac_pass"  # passed a facultative
    LAB_PASS = "lab_pass"  # passed a lab
    LECTURE_ATTEND = "lecture_attend"
    LECTURE_MISS = "lecture_miss"
    WORKOUT = "workout"
    BOOK_CERTIFICATE = "book_certificate"  # cents, not a count
    CLASS_ATTEND = "class_attend"


# The counters whose values are amounts of money (cents): shown and exported like money.
AMOUNT_COUNTERS = frozenset({Counter.BOOK_CERTIFICATE})
# The counters that count events, in the order reports and exports list them.
COUNTS = tuple(counter for counter in Counter if counter not in AMOUNT_COUNTERS)


def is_amount(counter_type: str) -> bool:
    """Whether a counter's value is cents (shown as money) rather than a count."""
    return counter_type in AMOUNT_COUNTERS
