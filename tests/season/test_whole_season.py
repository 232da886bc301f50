"""A new camp's whole season through the command line, on this summer's dates (relative to today).

The office sets the camp up the day before it starts, imports the secretary's messy rosters, posts every
day, the scheduler taxes every evening, a day is voided and taxed again, a late student arrives and one
leaves, the equator and final study fines are charged, and the season is closed. After every step
`verify` passes and every student's balance equals the figure this test works out by itself.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from helpers import query
from openpyxl import Workbook, load_workbook
from season_cli import cli, new_camp

from campbank.ledger import clock
from campbank.ledger.verify import verify_file

FIRST = date.today()  # the camp's first day: set again when the test starts (a run may cross midnight)
DAYS = 6
TAX = [0, 5, 7, 9, 12, 15]  # @: the classic schedule's first six days
GRANT = 120
EQUATOR_FINE = 9 * 15 + 5 * sum(range(9)) + 50  # nothing done: 9 missing visits, 1 lab
FINAL_FINE = {7: 100 + 18 * 15 + 5 * sum(range(18)) + 3 * 50, 9: 100 + 18 * 15 + 5 * sum(range(18)) + 2 * 50 + 100}


def day(n: int) -> date:
    return FIRST + timedelta(days=n - 1)


def at(n: int, hour: int) -> datetime:
    """Season day n (0: the day before) at `hour`, on the office laptop's clock."""
    return datetime.combine(day(n), time(hour)).astimezone()


class Camp:
    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.path = tmp_path / "camp.db"
        self.expected: dict[str, int] = {}  # username -> cents, worked out by the test
        self.grades: dict[str, int] = {}
        self.password = ""

    def run(self, *args: str, code: int = 0, manager: bool = False, **kw):  # type: ignore[no-untyped-def]
        extra = ("--as", "manager") if manager else ()
        return cli(self.path, *args, *extra, password=self.password, code=code, **kw)

    def add(self, username: str, cents: int) -> None:
        self.expected[username] = self.expected.get(username, 0) + cents

    def check(self) -> None:
        report = verify_file(self.path)
        assert report.ok, report.findings
        actual = dict(query(self.path, "SELECT username, balance FROM account WHERE role = 'student'"))
        assert actual == self.expected


CSV_ROSTER = """Список лагеря «Исток», лето {year}
,,,,

Фамилия,Имя,Отчество,Отряд,Класс
Сидоров,Иван,Петрович,1,7

Петрова,Анна,,2,9
Козлов,Егор,Ильич,Squad 3,9
Белова,Ульяна,,4,7
"""


def test_a_new_camp_runs_its_whole_season_through_the_command_line(tmp_path):
    global FIRST
    FIRST = date.today()  # the camp starts today; the test walks its days with the ledger's clock
    camp = Camp(tmp_path)
    credentials = tmp_path / "passwords.xlsx"

    # --- the day before: set-up ------------------------------------------------------------------------
    with clock.fixed_at(at(0, 10)):
        camp.password = new_camp(camp.path, "--first-day", FIRST.isoformat(), "--days", str(DAYS))
        assert f"{day(1)} to {day(DAYS)}" in camp.run("season", "show").output
        roster = tmp_path / "roster.csv"
        roster.write_text(CSV_ROSTER.format(year=FIRST.year), encoding="utf-8")
        out = camp.run("users", "import", str(roster), "--credentials", str(credentials), manager=True).output
        assert "added 4" in out
        book = Workbook()
        sheet = book.active
        sheet.append(["Отряд 2, дополнительный список"])
        sheet.append([])
        sheet.append(["Фамилия", "Имя", "Отряд", "Класс", "Роль"])
        sheet.append(["Новикова", "Мария", 2, 9, "ученица"])
        sheet.append(["Орлов", "Пётр", 1, 7, None])
        book.save(tmp_path / "extra.xlsx")
        assert "added 2" in camp.run("users", "import", str(tmp_path / "extra.xlsx"), "--credentials",
                                     str(credentials), manager=True).output
        assert "unchanged 4" in camp.run("users", "import", str(roster), "--credentials", str(credentials),
                                         manager=True).output
    students = {"sidorov.i": 7, "petrova.a": 9, "kozlov.e": 9, "belova.u": 7, "novikova.m": 9, "orlov.p": 7}
    camp.grades.update(students)
    rows = list(load_workbook(credentials)["Credentials"].iter_rows(values_only=True))[1:]
    assert sorted(r[2] for r in rows) == sorted(students)  # both imports' passwords, none lost
    for username in students:
        camp.add(username, GRANT * 100)
    assert query(camp.path, "SELECT DISTINCT day FROM txn") == [(day(1).isoformat(),)]  # grants on day 1
    camp.check()

    active = set(students)
    taxed_on_2: set[str] = set()
    for n in range(1, DAYS + 1):
        with clock.fixed_at(at(n, 9)):
            if n == 3:  # day 2's tax was wrong: voided, then charged again (the late student was not yet here)
                camp.run("tax", "void", day(2).isoformat(), manager=True)
                for username in taxed_on_2:
                    camp.add(username, TAX[1] * 100)
                camp.check()
                again = camp.run("tax", "run", "--date", day(2).isoformat()).output
                assert f"charged {TAX[1]}.00@ to {len(taxed_on_2)} students" in again
                for username in taxed_on_2:
                    camp.add(username, -TAX[1] * 100)
                camp.check()
            if n == 3:  # a late student
                out = camp.run("users", "add", "--last-name", "Опоздавший", "--first-name", "Борис", "--role",
                               "student", "--squad", "2", "--grade", "9", manager=True).output
                assert "username opozdavshiy.b" in out
                active.add("opozdavshiy.b")
                camp.grades["opozdavshiy.b"] = 9
                camp.add("opozdavshiy.b", GRANT * 100)
                camp.check()
            if n == 4:  # one leaves: taxed for today, not after
                camp.run("users", "deactivate", "belova.u", manager=True)
                camp.check()

        with clock.fixed_at(at(n, 13)):  # the day's money: 12.5 to one student, n to another
            first, second = sorted(active)[n % len(active)], sorted(active)[(n + 1) % len(active)]
            payload = tmp_path / f"day{n}.json"
            payload.write_text(f'{{"type": "general_money", "money_type": "reward", "description": "day {n}", '
                               f'"amounts": {{"{first}": 12.5, "{second}": {n}}}}}', encoding="utf-8")
            assert "Posted #" in camp.run("post", "--as", "manager", str(payload)).output
            camp.add(first, 1250)
            camp.add(second, n * 100)
            camp.check()

        with clock.fixed_at(at(n, 16)):
            if n == 3:  # the equator is the middle day
                out = camp.run("fines", "charge", "--stage", "equator", "--yes", manager=True).output
                assert f"Charged {len(active)} students" in out
                for username in active:
                    camp.add(username, -EQUATOR_FINE * 100)
                camp.check()
            if n == DAYS:
                out = camp.run("fines", "charge", "--stage", "final", "--yes", manager=True).output
                payable = active - {"belova.u"}
                assert f"Charged {len(payable)} students" in out
                for username in payable:
                    camp.add(username, -FINAL_FINE[camp.grades[username]] * 100)
                camp.check()

        with clock.fixed_at(at(n, 21)):  # the scheduler's evening run, as the bank
            out = camp.run("tax", "run").output
            taxed = active - ({"belova.u"} if n > 4 else set())
            if TAX[n - 1]:
                assert f"charged {TAX[n - 1]}.00@ to {len(taxed)} students" in out
                for username in taxed:
                    camp.add(username, -TAX[n - 1] * 100)
            if n == 2:
                taxed_on_2 = set(taxed)
            if TAX[n - 1]:  # the scheduler's retry changes nothing
                assert "already taxed" in camp.run("tax", "run").output
            camp.check()
            if n == 4:
                active.discard("belova.u")  # gone from tomorrow on

    # --- the day after: closing ------------------------------------------------------------------------
    with clock.fixed_at(at(DAYS + 1, 10)):
        closed = camp.run("season", "close", manager=True).output
        assert "is closed" in closed and "Statements of 7 students" in closed
        camp.check()
        late = tmp_path / "late.json"
        late.write_text(json.dumps({"type": "general_money", "money_type": "reward", "description": "late",
                                    "amounts": {"kozlov.e": "1"}}), encoding="utf-8")
        assert "the season is closed" in camp.run("post", "--as", "manager", str(late), code=1).output
        assert "the season is closed" in camp.run("tax", "void", day(DAYS).isoformat(), manager=True, code=1).output
        assert "the season is closed" in camp.run("users", "reactivate", "belova.u", manager=True, code=1).output
        assert "outside the season" in camp.run("tax", "run").output  # the scheduler's next night: nothing
        assert "kozlov.e" in camp.run("export", "balances", manager=True).output
        camp.run("backup", str(tmp_path / "after.db"))
        camp.check()
