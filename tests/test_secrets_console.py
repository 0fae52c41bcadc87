"""The console's toasts (errors quoting what was typed, action results, observations) carry no
secret the process knows, whichever screen or widget raises them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from warroom import sanitize
from warroom.sanitize import REDACTED, register_secret

from .test_console import app_for

TOKEN = "tadm/9Qx7+Lw2Rk5=Vz8Np3Hs6Jd"


@pytest.fixture(autouse=True)
def known_nothing() -> Iterator[None]:
    sanitize.forget_secrets()
    yield
    sanitize.forget_secrets()


async def test_toasts_are_redacted(tmp_path: Path, db: Path, clock):
    register_secret(TOKEN)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        app.notify(f"bad tenant id {TOKEN!r}", title=f"suspend {TOKEN}", severity="error")
        app.screen.notify(f"HTTP 500: {quote(TOKEN, safe='')}", timeout=3)  # a widget's own
        await pilot.pause()
        # Textual keeps what is on show in App._notifications; there is no public reader.
        shown = [(n.title, n.message, n.severity) for n in app._notifications]
    assert shown == [
        (f"suspend {REDACTED}", f"bad tenant id '{REDACTED}'", "error"),
        ("", f"HTTP 500: {REDACTED}", "information"),
    ]
