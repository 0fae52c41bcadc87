"""`python -m warroom` and the `warroom` script. Ctrl+C at any moment ends quietly with status
130: while warroom is still loading there is nothing to clean up, so the process just exits;
afterwards the CLI handles KeyboardInterrupt like any other way of stopping."""

import os
import signal
import sys


def _exit_quietly(signum: int, frame: object) -> None:
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


if __name__ == "__main__":
    sys.exit(main())
