"""Who may open the journal and the files beside it: private to one login (0600, a directory
made 0700), or shared with one Unix group for a bastion where each responder logs in as
themselves (0660, a directory made 2770, the group set on every file, SQLite's -wal and -shm
included). Never open to everyone."""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from warroom.errors import JournalError, UserError

# What SQLite keeps beside a database in WAL mode; created by whoever opens it first.
SQLITE_COMPANIONS = ("-wal", "-shm")


@dataclass(frozen=True)
class Access:
    gid: int | None = None  # None: private to its owner
    group: str = ""

    @property
    def file_mode(self) -> int:
        return 0o600 if self.gid is None else 0o660

    @property
    def dir_mode(self) -> int:
        # setgid: what anyone creates inside belongs to the group too.
        return 0o700 if self.gid is None else 0o2770


PRIVATE = Access()


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _me() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


def journal_access(path: Path, group: str = "") -> Access:
    """`[journal] group` when set, else the group of a setgid directory the journal is in
    (an administrator's `install -d -m 2770 -g oncall`), else private."""
    if group:
        try:
            return Access(grp.getgrnam(group).gr_gid, group)
        except KeyError:
            raise UserError(f"[journal] group: there is no group {group!r} on this host") from None
    directory = path.parent
    while not _exists(directory):
        directory = directory.parent
    try:
        info = directory.stat()
    except OSError:
        return PRIVATE
    if info.st_mode & stat.S_ISGID:
        return Access(info.st_gid, _group(info.st_gid))
    return PRIVATE


def companion_access(journal: Path) -> Access:
    """The files the console keeps beside the journal (the feed board, the layout, presence)
    are shared exactly as the journal is."""
    try:
        info = journal.stat()
    except OSError:
        return PRIVATE
    if info.st_mode & 0o060:
        return Access(info.st_gid, _group(info.st_gid))
    return PRIVATE


def _exists(path: Path) -> bool:
    try:
        path.stat()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # there, but not ours to look into: opening it will say so
    return True


def make_directory(directory: Path, access: Access) -> None:
    """Create `directory` and its missing parents with the access's mode (existing ones are
    left as their owner set them)."""
    missing = []
    for parent in (directory, *directory.parents):
        if _exists(parent):
            break
        missing.append(parent)
    for made in reversed(missing):
        made.mkdir(mode=access.dir_mode)
        if access.gid is not None:
            os.chown(made, -1, access.gid)
        os.chmod(made, access.dir_mode)  # mkdir's mode passes through the umask


def create_file(path: Path, access: Access) -> None:
    """Create the file with the access's mode and group, if it is not there yet."""
    make_directory(path.parent, access)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, access.file_mode)
    except FileExistsError:
        return
    try:
        if access.gid is not None:
            os.fchown(fd, -1, access.gid)
        os.fchmod(fd, access.file_mode)
    finally:
        os.close(fd)


def settle(path: Path, access: Access) -> None:
    """Give the file and SQLite's companions that this login owns the access's mode and group:
    SQLite makes a -wal with the creator's own group, and a journal made private before a
    group was configured becomes the team's. Files other logins own are theirs to settle."""
    if access.gid is None:
        return
    for name in (path.name, *(path.name + suffix for suffix in SQLITE_COMPANIONS)):
        target = path.with_name(name)
        try:
            info = target.stat()
            if info.st_uid != os.geteuid():
                continue
            if info.st_gid != access.gid:
                os.chown(target, -1, access.gid)
            if stat.S_IMODE(info.st_mode) != access.file_mode:
                os.chmod(target, access.file_mode)
        except FileNotFoundError:
            continue
        except PermissionError:
            raise JournalError(
                f"cannot share {target} with group {access.group}: {_me()} is not in it"
            ) from None


def check_open(path: Path, what: str = "journal") -> None:
    """Refuse, in one line, a journal open to everyone and one this login cannot open,
    instead of SQLite's "unable to open database file"."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return  # created next, with the right mode (or creating it says why not)
    except PermissionError:
        directory = path.parent
        try:
            group = f" (group {_group(directory.stat().st_gid)})"
        except OSError:
            group = ""
        raise JournalError(
            f"cannot open the {what} {path}: {_me()} may not enter {directory}{group}; "
            "ask to be added to its group, then log in again"
        ) from None
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o007:
        raise JournalError(
            f"refusing the {what} {path}: it is open to everyone (mode {mode:04o}); "
            f"run chmod o-rwx {path}, or share it with a group ([journal] group)"
        )
    if not os.access(path, os.R_OK | os.W_OK):
        if not mode & 0o060:
            raise JournalError(
                f"cannot open the {what} {path}: it is private to its owner (mode "
                f"{mode:04o}); share it with a group ([journal] group, see the README)"
            )
        group = _group(info.st_gid)
        raise JournalError(
            f"cannot open the {what} {path}: it is shared with group {group} and {_me()} "
            "is not in it; ask to be added, then log in again"
        )
