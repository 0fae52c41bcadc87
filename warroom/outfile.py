"""Writing the file a person named (`-o`): replaced atomically when it is a regular file, written
through when it is anything else (a terminal, a pipe, `/dev/fd/N`, a device), never clobbered."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from warroom.sanitize import valid_unicode


def write_output(path: Path, text: str) -> Path:
    """Write `text` to `path` and return what was written: a symlink's target, not the link."""
    # Lone surrogates (undecodable bytes that reached the journal) must not stop an export.
    data = valid_unicode(text).encode("utf-8")
    try:
        found = os.stat(path)  # follows links: /dev/stdout, /dev/fd/N and a link to a file
    except FileNotFoundError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode):
        if stat.S_ISDIR(found.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        with open(path, "wb") as handle:  # a reader is waiting on it: no temporary file
            handle.write(data)
        return path
    target = Path(os.path.realpath(path))
    _replace(target, data, found)
    return target


def _replace(target: Path, data: bytes, existing: os.stat_result | None) -> None:
    """Readers see the old file or the new one, never half of one. A new file's mode follows
    the umask; an existing file keeps its mode (and owner, where we may set it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        if existing is not None:
            os.fchmod(fd, stat.S_IMODE(existing.st_mode))
            if os.geteuid() == 0:
                os.fchown(fd, existing.st_uid, existing.st_gid)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
