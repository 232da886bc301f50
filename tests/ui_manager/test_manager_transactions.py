"""The manager's table of all transactions: sign in, sort, filter, drill down, cancel (not a tax)."""

from __future__ import annotations

from helpers import DAY, STAFF_PASSWORD, query, txn_state
from manager_pilot import Seeded, menu_ids, notices, open_section, run, settle, sign_in
from textual.pilot import Pilot
from textual.widgets import Input, Static

from campbank.app import CampBankApp
from campbank.ledger.actions import tax
from campbank.screens.manager.transaction_detail import TransactionDetailScreen
from campbank.screens.manager.transaction_filter import TransactionFilterForm
from campbank.screens.manager.transactions import PAGE, TransactionsPane
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.page_table import PageTable
from campbank.widgets.vim_table import VimTable

MANAGER_SECTIONS = {"transactions", "staff-balances", "users", "charges", "audit", "export"}
STAFF_VISIBLE = {"statistics", "reports"}


def ids_shown(pilot: Pilot) -> list[int]:
    table = pilot.app.screen.query_one("#tx-table", PageTable)
    return [int(key) for key in table.row_keys]


def pane(pilot: Pilot) -> TransactionsPane:
    return pilot.app.screen.query_one(TransactionsPane)


def all_ids(seeded: Seeded) -> list[int]:
    return [i for (i,) in query(seeded.db.path, "SELECT id FROM txn ORDER BY id")]


async def open_filter_form(pilot: Pilot) -> TransactionFilterForm:
    """Sign in as the manager, open All transactions and its filter form (`/` on the table)."""
    await sign_in(pilot)
    await open_section(pilot, "transactions")
    pilot.app.screen.query_one("#tx-table", PageTable).focus()
    await pilot.press("slash")
    await settle(pilot)
    return pilot.app.screen.query_one(TransactionFilterForm)


def test_a_manager_signs_in_and_gets_every_section(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        assert set(menu_ids(pilot)) >= MANAGER_SECTIONS | STAFF_VISIBLE

    run(CampBankApp(seeded.db), script)


def test_staff_do_not_get_the_manager_sections(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, "t1", STAFF_PASSWORD)
        sections = set(menu_ids(pilot))
        assert not sections & MANAGER_SECTIONS
        assert sections >= STAFF_VISIBLE
        for section in STAFF_VISIBLE:  # and their panes fill without a refusal
            await open_section(pilot, section)
        assert not [n for n in notices(pilot) if "may not" in n]

    run(CampBankApp(seeded.db), script)


def test_the_table_opens_newest_first_sorts_and_filters(seeded: Seeded) -> None:
    ids = all_ids(seeded)

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "transactions")
        assert ids_shown(pilot) == sorted(ids, reverse=True)[:PAGE]
        assert pane(pilot).page is not None and pane(pilot).total == len(ids)
        status = str(pilot.app.screen.query_one("#tx-status", Static).render())
        assert f"1–{min(PAGE, len(ids))} of {len(ids):,}" in status  # counted with the page

        pilot.app.screen.query_one("#tx-table", PageTable).focus()
        await pilot.press("1")  # by id: largest first
        await settle(pilot)
        assert ids_shown(pilot)[0] == max(ids)
        await pilot.press("1")  # again: flips
        await settle(pilot)
        assert ids_shown(pilot)[0] == min(ids)
        await pilot.press("5")  # by creator, a to z
        await settle(pilot)
        assert pane(pilot).sort == "creator" and not pane(pilot).descending
        creators = pilot.app.screen.query_one("#tx-table", PageTable).column_text("creator")
        assert creators == sorted(creators)

        await pilot.press("slash")
        await settle(pilot)
        form = pilot.app.screen.query_one(TransactionFilterForm)
        assert form.display and form.query_one("#f-text", Input).has_focus
        form.query_one("#f-creator", Input).value = "t2"
        await pilot.press("enter")
        await settle(pilot)
        assert not form.display and pilot.app.screen.query_one("#tx-table", PageTable).has_focus
        assert ids_shown(pilot) == [seeded.by_t2]
        assert "by t2" in str(pilot.app.screen.query_one("#tx-status", Static).render())

        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert len(ids_shown(pilot)) == min(PAGE, len(ids))

    run(CampBankApp(seeded.db), script)


def test_keys_typed_before_the_filtered_rows_come_are_for_those_rows(seeded: Seeded, monkeypatch) -> None:
    import threading

    from textual.widgets import Select

    from campbank.screens.manager import transactions as transactions_module

    rows_read = threading.Event()
    rows_read.set()
    read_page = transactions_module.transactions_page

    def slow_read(*args, **kwargs):  # type: ignore[no-untyped-def]
        rows_read.wait(10)
        return read_page(*args, **kwargs)

    monkeypatch.setattr(transactions_module, "transactions_page", slow_read)

    async def script(pilot: Pilot) -> None:
        form = await open_filter_form(pilot)
        form.query_one("#f-type", Select).value = "general_money"
        rows_read.clear()
        await pilot.press("enter", "j", "enter")  # the second row found, opened: typed before the rows came
        await pilot.pause()
        assert form.display and form.query_one("#f-text", Input).value == ""  # the keys wait for the rows
        rows_read.set()
        await settle(pilot)
        await settle(pilot)
        assert not form.display
        assert isinstance(pilot.app.screen, TransactionDetailScreen)
        assert pilot.app.screen.transaction_id == found[1]  # newest first

    found = [i for (i,) in query(seeded.db.path, "SELECT id FROM txn WHERE type = 'general_money' ORDER BY id DESC")]
    assert len(found) >= 2

    run(CampBankApp(seeded.db), script)


def test_a_header_click_sorts_by_that_column(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "transactions")
        table = pilot.app.screen.query_one("#tx-table", PageTable)
        await pilot.click("#tx-table", offset=(table.column_x("amount") + 2, 0))
        await settle(pilot)
        assert pane(pilot).sort == "amount" and pane(pilot).descending
        amounts = {i: a for i, a in query(seeded.db.path, "SELECT transaction_id, SUM(amount) FROM money_entry "
                                                          "GROUP BY transaction_id")}
        shown = [amounts.get(i, 0) for i in ids_shown(pilot)]
        assert shown == sorted(shown, reverse=True)

    run(CampBankApp(seeded.db), script)


def test_pages_turn_with_j_past_the_last_row(seeded: Seeded) -> None:
    from helpers import money

    from campbank.ledger.actions.posting import post

    for n in range(PAGE + 10):  # enough for a second page
        post(seeded.db, seeded.camp.actor("t1"), money({"s4": "1"}, description=f"bulk {n}"))
    total = len(all_ids(seeded))

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "transactions")
        table = pilot.app.screen.query_one("#tx-table", PageTable)
        table.focus()
        await pilot.press("G")
        await pilot.pause()
        first_page = ids_shown(pilot)
        await pilot.press("j")
        await settle(pilot)
        second = ids_shown(pilot)
        assert pane(pilot).first_row == PAGE and len(second) == total - PAGE
        assert not set(first_page) & set(second)
        assert table.cursor_row == 0
        assert f"{PAGE + 1}–{total} of {total}" in str(pilot.app.screen.query_one("#tx-status", Static).render())
        await pilot.press("G", "j")  # past the last row of the last page: nothing further
        await settle(pilot)
        assert pane(pilot).first_row == PAGE and ids_shown(pilot) == second
        await pilot.press("g", "k")  # above the first row: back a page, on its last row
        await settle(pilot)
        assert ids_shown(pilot) == first_page and table.cursor_row == PAGE - 1

    run(CampBankApp(seeded.db), script)


def open_detail(pilot: Pilot, txn_id: int):  # type: ignore[no-untyped-def]
    async def go() -> TransactionDetailScreen:
        await sign_in(pilot)
        await open_section(pilot, "transactions")
        table = pilot.app.screen.query_one("#tx-table", PageTable)
        table.focus()
        table.move_cursor(table.row_keys.index(str(txn_id)))
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, TransactionDetailScreen)
        return screen

    return go()


def test_enter_shows_the_entries_and_c_cancels_another_staff_members_transaction(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        detail = await open_detail(pilot, seeded.by_t1)
        assert detail.query_one("#detail-money", VimTable).row_count == 2
        assert "t1" in str(detail.query_one("#detail-facts", Static).render())
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmReason)
        pilot.app.screen.query_one("#reason", Input).value = "entered twice"
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is detail
        assert "declined" in str(detail.query_one("#detail-facts", Static).render())
        await pilot.press("escape")  # back to the table, which shows the new state
        await settle(pilot)
        table = pilot.app.screen.query_one("#tx-table", PageTable)
        assert table.column_text("state")[table.row_keys.index(str(seeded.by_t1))] == "declined"

    run(CampBankApp(seeded.db), script)
    assert txn_state(seeded.db, seeded.by_t1) == "declined"
    reasons = query(seeded.db.path, "SELECT detail FROM audit_log WHERE action = 'txn.declined' AND target = ?",
                    (f"txn:{seeded.by_t1}",))
    assert len(reasons) == 1 and "entered twice" in reasons[0][0]


def test_a_tax_cannot_be_cancelled_and_the_refusal_is_shown(seeded: Seeded) -> None:
    from datetime import date

    [day] = tax.run(seeded.db, seeded.camp.manager, day=date.fromisoformat(DAY))
    assert day.outcome == "charged" and day.transaction_id

    async def script(pilot: Pilot) -> None:
        detail = await open_detail(pilot, day.transaction_id)
        assert "Cannot be cancelled" in str(detail.query_one("#detail-note", Static).render())
        await pilot.press("c")
        await settle(pilot)
        assert pilot.app.screen is detail  # no confirmation asked
        assert any("is a tax" in n for n in notices(pilot))

    run(CampBankApp(seeded.db), script)
    assert txn_state(seeded.db, day.transaction_id) == "processed"


def test_the_table_is_filtered_to_a_range_of_days(seeded: Seeded) -> None:
    days = dict(query(seeded.db.path, "SELECT id, day FROM txn"))
    first = min(days.values())
    expected = sorted((i for i, day in days.items() if day == first), reverse=True)

    async def script(pilot: Pilot) -> None:
        form = await open_filter_form(pilot)
        form.query_one("#f-from", Input).value = first
        form.query_one("#f-to", Input).value = "2018-13-01"
        await pilot.press("enter")
        await pilot.pause()
        assert form.display  # a day that is not one is said, and nothing applied
        assert "To day" in str(form.query_one("#f-problem", Static).render())
        assert form.query_one("#f-to", Input).has_focus
        form.query_one("#f-to", Input).value = first
        await pilot.press("enter")
        await settle(pilot)
        assert ids_shown(pilot) == expected
        assert f"days {first} to {first}" in str(pilot.app.screen.query_one("#tx-status", Static).render())

        await pilot.press("slash")  # the form comes back filled in; Esc closes it and keeps the filter
        await settle(pilot)
        assert form.query_one("#f-from", Input).value == first
        await pilot.press("x", "escape")
        await settle(pilot)
        assert not form.display and ids_shown(pilot) == expected
        await pilot.press("slash", "ctrl+r")  # clears it all
        await settle(pilot)
        assert not form.display and len(ids_shown(pilot)) == min(PAGE, len(days))

    run(CampBankApp(seeded.db), script)
