"""`python -m warroom` and the `warroom` script. Ctrl+C at any moment ends quietly with status
130: while warroom is still loading, and once the command is done, there is nothing to clean up,
so the process just exits; in between the CLI handles KeyboardInterrupt like any other way of
stopping (warroom/interrupts.py)."""

import os
import signal
import sys
from contextlib import suppress


def _exit_quietly(signum: int, frame: object) -> None:
    for stream in (sys.stdout, sys.stderr):  # what a finished command printed still goes out
        with suppress(Exception):  # interrupted in the middle of a write to it: no more to do
            stream.flush()
    os._exit(130)


def _ignore_interrupts(unraisable: "sys.UnraisableHookArgs") -> None:
    # Ctrl+C inside a callback Python calls for itself (a weakref's during an import) would be
    # printed as "Exception ignored in ..." with a traceback.
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


signal.signal(signal.SIGINT, _exit_quietly)  # set before the rest of warroom is imported


def main() -> int:
    sys.unraisablehook = _ignore_interrupts
    try:
        from warroom.cli import main as run

        signal.signal(signal.SIGINT, signal.default_int_handler)
        return run()
    except KeyboardInterrupt:
        return 130
    finally:
        # Done: Ctrl+C now could only break into Python's own shutdown (its atexit clean-ups),
        # which it reports as "Exception ignored in ...". The process ends at once instead.
        signal.signal(signal.SIGINT, _exit_quietly)


if __name__ == "__main__":
    sys.exit(main())
