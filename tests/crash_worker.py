"""A desk that works until it is killed: ``python -m tests.crash_worker URL ACK_FILE [SEED]``.

Registers dossiers and advances earlier ones in a loop. After each service call has returned (the
transaction committed) it appends one line to ACK_FILE and fsyncs it, so every line is a promise the
database must keep: ``R <code>`` for a registration, ``A <code> <status>`` for a transition.
The first line, ``S <pid>``, says the worker is connected and about to work.
"""

from __future__ import annotations

import os
import random
import sys

from desk.errors import DeskError
from desk.models.db import connect
from desk.services.accounts import get_actor
from desk.services.dossiers import Status
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import TRANSITIONS, advance

NOTES = {Status.NEEDS_SUPPLEMENT: "Bổ sung bản sao", Status.REFUSED: "Không đủ điều kiện"}


def main(url: str, ack_file: str, seed: int) -> None:
    connect(url, create=False)
    clerk = get_actor("admin")  # the desk's account: every audit event names it
    rng = random.Random(seed)
    fd = os.open(ack_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def ack(line: str) -> None:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)

    ack(f"S {os.getpid()}")
    open_codes: dict[str, Status] = {}
    while True:
        if not open_codes or rng.random() < 0.5:
            info = register(IntakeRequest(rng.choice(["T-KS", "T-KT", "T-TTHN", "T-BS"]),
                                          Applicant(name="Nguyễn Văn Thử", phone="0912345678")), actor=clerk)
            open_codes[info.code] = Status.RECEIVED
            ack(f"R {info.code}")
            continue
        code = rng.choice(list(open_codes))
        moves = sorted(TRANSITIONS[open_codes[code]])
        if not moves:
            del open_codes[code]
            continue
        target = rng.choice(moves)
        try:
            info = advance(code, target, note=NOTES.get(target, ""), actor=clerk)
        except DeskError:
            continue
        open_codes[code] = Status(info.status)
        ack(f"A {code} {info.status}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
