"""Running `campbank verify` (see the package's doc): the main pass, the side checks, the report."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from campbank.ledger.store import audited_credentials, chain_spec, inspection
from campbank.ledger.store.chain_replay import Anchor, Replay, replay
from campbank.ledger.store.dialects import masked
from campbank.ledger.verify import SHOW, Finding, Report
from campbank.ledger.verify.findings import report_chain, report_triggers
from campbank.ledger.verify.savings import check_savings
from campbank.ledger.verify.tally import Tally


def verify_file(path: Path, anchors: Sequence[Anchor] = ()) -> Report:
    """Check the database file; a file SQLite cannot read is reported, not raised."""
    report = Report()
    try:
        connection = inspection.open_file(path)
    except inspection.Error as error:
        report.add("file", f"cannot open {masked(path)}: {inspection.describe(error)}")
        return report
    side = _SideChecks(path)
    side.start()
    try:
        _run_checks(path, connection, report, anchors)
    except inspection.Error as error:
        report.add("file", f"the database file is damaged: {inspection.describe(error)}")
    finally:
        connection.close()
        side.join()
    if side.error is not None:
        report.findings[:] = [Finding("file", f"the database file is damaged: {inspection.describe(side.error)}")]
    elif side.integrity != ["ok"]:
        report.findings[:] = []
        report.add_all("integrity", side.integrity)
    return report


class _SideChecks(threading.Thread):
    """SQLite's integrity check, on its own connection: it runs inside SQLite without Python's lock, so it
    overlaps with the main pass."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="verify-integrity", daemon=True)
        self.path = path
        self.integrity: list[str] = []
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.integrity = inspection.integrity(self.path, SHOW)
        except inspection.Error as error:  # a damaged page may also hold text that is no text
            self.error = error


def _run_checks(path: Path, db: inspection.Connection, report: Report, anchors: Sequence[Anchor]) -> None:
    inspection.begin(db)  # one consistent snapshot for every check
    report.counted.update(inspection.counts(db))
    present = inspection.tables(db)
    wanted, stored = inspection.guards(db)
    expected = {name: guard for name, guard in wanted.items() if guard[0] in present or not guard[0]}
    report_triggers(report, expected, stored)
    started = inspection.meta(db, chain_spec.META_KEY) if "chain" in present else None
    report.chain_started = started
    accounts = inspection.accounts(db)
    tally = Tally(max((account_id for account_id, *_rest in accounts), default=0))
    done = _replay(path, db, tally, anchors, chained=started is not None)
    report.head, report.links = done.head, done.links
    if started is None:
        report.add("chain", "the file has no hash chain: it was made by an older CampBank and not opened since, "
                            "or the chain was removed; any campbank command that opens it starts one, from then on")
    else:
        report_chain(report, done)
    names = {account_id: username for account_id, username, *_ in accounts}
    states = dict(inspection.states(db))
    report.add_all("file", tally.unreadable)
    _ledger_checks(db, report, tally, accounts, names, states)
    if started is not None:  # an older camp gets its accounts' credentials audited when its chain starts
        report.add_all("credentials", [f"{username} {problem}" for username, problem in tally.credential_problems(
            ((username, role, password_hash) for _id, username, role, password_hash, _balance in accounts),
            audited_credentials.password_digest)])
    db.execute("ROLLBACK")


def _replay(path: Path, db: inspection.Connection, tally: Tally, anchors: Sequence[Anchor], *,
            chained: bool) -> Replay:
    present = set(inspection.columns(db, "txn"))
    wanted = {column.name for column in chain_spec.CHAINED[0].columns}
    # a file from before the kept totals reads NULL in their place
    done = replay(path, db, anchors=anchors, tally=tally, missing={"txn": frozenset(wanted - present)},
                  chained=chained)
    if done.worker_tally is not None:
        tally.merge(done.worker_tally)
    return done


def _ledger_checks(db: inspection.Connection, report: Report, tally: Tally, accounts: list,
                   names: dict[int, str], states: dict[int, str]) -> None:
    def name(account: object) -> str:
        return names.get(account, f"account {account}") if isinstance(account, int) else f"account {account!r}"

    total = sum(balance for *_rest, balance in accounts)
    if total != 0:
        report.add("balances sum to zero", f"the cached balances add up to {total} cents, not 0")
    report.add_all("transaction sums to zero", [f"the journal of #{txn} adds up to {amount} cents, not 0"
                                                for txn, amount in tally.unbalanced_transactions()])
    wrong = tally.journal_mismatches(states)
    lines = []
    differences = inspection.journal_differences(db, wrong[:SHOW])
    for txn, account, counter, amount in differences:
        side = "the entries say" if amount > 0 else "the journal says"
        lines.append(f"#{txn}, account {name(account)}, {counter or 'money'}: {side} {abs(amount)} more than "
                     "the other")
    detailed = {txn for txn, *_rest in differences}
    lines += [f"#{txn}: the journal does not hold what its entries say" for txn in wrong[:SHOW]
              if txn not in detailed]
    if len(wrong) > SHOW:
        lines.append(f"… and {len(wrong) - SHOW} more transactions")
    report.add_all("journal matches entries", lines)
    report.add_all("cached balance", [f"{name(account)} shows {cached} cents; the journal gives {journal}"
                                      for account, cached, journal in tally.balance_differences(
                                          (account_id, balance) for account_id, *_rest, balance in accounts)])
    report.add_all("counter total", [f"{name(account)} {counter} shows {cached}; the journal gives {journal}"
                                     for account, counter, cached, journal in tally.counter_differences(
                                         inspection.counter_totals(db))])
    report.add_all("transaction totals", [f"#{txn} shows {amount} cents to {recipients} people; its entries "
                                          f"give {total} cents to {people}"
                                          for txn, amount, recipients, total, people in tally.total_differences()])
    report.add_all("state history", [f"#{txn}: {problem}"
                                     for txn, problem in tally.history_problems(sorted(states.items()))])
    check_savings(db, report, name, SHOW)  # every pocket, loan, fund and circle recomputed from its entries
