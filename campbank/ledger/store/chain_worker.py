"""The second process of `campbank verify`: hashes (and tallies) one chained table while the first reads
the others (`chain_replay`). Run as `python -m campbank.ledger.store.chain_worker`: it reads one pickled
request on stdin and writes one pickled answer on stdout, so nothing of the calling program is re-run."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any


def main() -> None:
    from campbank.ledger.store import inspection
    from campbank.ledger.store.chain_spec import digest_table

    request: dict[str, Any] = pickle.load(sys.stdin.buffer)
    try:
        connection = inspection.open_file(Path(request["path"]))
        try:
            inspection.begin(connection)
            digests = digest_table(connection, request["index"], request["marks"], tally=request["tally"],
                                   up_to=request["up_to"], missing=request["missing"])
        finally:
            connection.close()
        answer: tuple[Any, ...] = ("ok", digests, request["tally"])
    except Exception as error:  # noqa: BLE001  (the caller reports it as a file it cannot read)
        answer = ("error", f"{type(error).__name__}: {error}")
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
