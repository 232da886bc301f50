"""Password hashes never leave the database: not in exports, reports, command output or the audit log."""

from __future__ import annotations

import zipfile

from typer.testing import CliRunner

from campbank.cli import app

HASH_MARK = "$argon2"


def test_no_export_report_or_listing_contains_a_password_hash(camp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from helpers import MANAGER_PASSWORD

    runner = CliRunner(env={"CAMPBANK_PASSWORD": MANAGER_PASSWORD})
    db = ["--db", str(camp.path)]
    me = ["--as", "manager"]
    outputs = []
    for kind in ("balances", "money", "counters"):
        for fmt in ("csv", "json"):
            result = runner.invoke(app, [*db, "export", kind, "--format", fmt, *me])
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
    for command in (["season", "show"], ["report", "stats", *me], ["verify"], ["fines", "preview", *me]):
        result = runner.invoke(app, [*db, *command])
        outputs.append(result.output)
    report = tmp_path / "report.xlsx"
    assert runner.invoke(app, [*db, "report", "xlsx", "-o", str(report), *me]).exit_code == 0
    with zipfile.ZipFile(report) as workbook:
        outputs.extend(workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist())
    assert all(HASH_MARK not in text for text in outputs)
    from helpers import query

    details = " ".join(d for (d,) in query(camp.path, "SELECT detail FROM audit_log"))
    assert HASH_MARK not in details
    assert query(camp.path, "SELECT COUNT(*) FROM account WHERE password_hash LIKE '$argon2%'")[0][0] > 0
