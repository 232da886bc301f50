"""How long a sign-in takes, by what was typed (not a test: it prints figures).

    python bench/sign_in_timing.py [--tries 50]

A fresh camp with the real argon2 parameters; the median, min and max of `--tries` sign-ins each for an
unknown username, a known one with a wrong password (a different student each time, so none is locked), a
known one with the right password, and a manager's username typed at the kiosk's student sign-in. The first
two should be the same: the time must not tell whether a username exists.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from campbank.core.errors import CampBankError
from campbank.ledger.actions import auth
from campbank.ledger.actions.setup import initialise
from campbank.ledger.actions.users import add_user

PASSWORD = "student-pass-1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=50)
    tries = parser.parse_args().tries
    with tempfile.TemporaryDirectory() as folder:
        camp = initialise(Path(folder) / "camp.db", manager="manager", manager_password="manager-pass-1")
        db = camp.database
        manager = auth.sign_in(db, "manager", "manager-pass-1")
        students = [f"s{i}" for i in range(tries + 1)]
        for username in students:
            add_user(db, manager, last_name=username.upper(), first_name="Ann", role="student", squad="Squad 1",
                     grade=7, username=username, password=PASSWORD)

        def timed(username: str, password: str, **where: object) -> float:
            start = time.perf_counter()
            with contextlib.suppress(CampBankError):
                auth.sign_in(db, username, password, **where)  # type: ignore[arg-type]
            return (time.perf_counter() - start) * 1000

        for _ in range(5):  # warm up
            timed("nobody", "wrong-password")
            timed(students[-1], PASSWORD)
        cases = {
            "unknown username": [timed(f"nobody{i}", "wrong-password") for i in range(tries)],
            "known username, wrong password": [timed(s, "wrong-password") for s in students[:tries]],
            "known username, right password": [timed(students[-1], PASSWORD) for _ in range(tries)],
            "manager typed at the kiosk": [timed("manager", f"guess-{i}", allowed_roles=frozenset({"student"}),
                                                 place="kiosk") for i in range(tries)],
        }
        for label, times in cases.items():
            print(f"{label:32s} median {statistics.median(times):6.2f} ms  (min {min(times):6.2f}, "
                  f"max {max(times):6.2f}; {len(times)} tries)")
        db.dispose()


if __name__ == "__main__":
    main()
