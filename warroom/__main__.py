"""`python -m warroom` and the `warroom` script. Kept tiny: Ctrl+C while the rest of warroom is
still importing ends quietly with status 130, like Ctrl+C at any later moment."""

import sys


def main() -> int:
    try:
        from warroom.cli import main as run

        return run()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
