"""An email backend for the fault tests: Django's file backend, which can be held mid-send.

While the file named by MAIL_GATE exists, a send writes `<gate>.reached` with the pid of the
process sending, then waits for the gate to go: the test kills that process meanwhile. It
stands in for the mail provider, which is outside the machine."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages: Any) -> int:
        gate = os.environ.get("MAIL_GATE")
        if gate and Path(gate).exists():
            Path(f"{gate}.reached").write_text(str(os.getpid()))
            while Path(gate).exists():
                time.sleep(0.05)
        return super().send_messages(email_messages)
