"""`warroom action-items add|done`: action items from a script or a colleague without the
console, with the editor's checks (a real YYYY-MM-DD deadline; no owner or a past deadline is
warned about and saved all the same)."""

from __future__ import annotations

import argparse
import sys

from warroom.errors import UserError
from warroom.followups import action_item_warnings
from warroom.model import Status, postmortem_pending
from warroom.service import WarRoom


async def items_incident(room: WarRoom, incident_id: int | None) -> int:
    """The incident meant: the one given, else the only open one, else the only resolved one
    whose post-mortem is still to write (where action items are usually typed)."""
    if incident_id is not None:
        return incident_id
    summaries = await room.incidents()
    if any(s.status is Status.OPEN for s in summaries):
        return await room.target(None)
    pending = [s for s in summaries if postmortem_pending(s)]
    if len(pending) == 1:
        return pending[0].id
    if not pending:
        raise UserError("no open incident and no post-mortem to write; name one with --incident")
    refs = ", ".join(f"{s.ref} ({s.title})" for s in pending)
    raise UserError(f"{len(pending)} post-mortems are to write: {refs}; choose with --incident")


async def cmd_action_items_add(room: WarRoom, args: argparse.Namespace) -> int:
    incident_id = await items_incident(room, args.incident)
    item = await room.add_action_item(
        incident_id, " ".join(args.text), owner=args.owner, deadline=args.deadline
    )
    for warning in action_item_warnings(item.owner, item.deadline, room.now().date()):
        print(f"warroom: warning: {warning} (saved anyway)", file=sys.stderr)
    deadline = item.deadline.isoformat() if item.deadline else "no deadline"
    print(
        f"INC-{item.incident_id} action item {item.id}: {item.text} "
        f"(owner: {item.owner or 'unassigned'}, deadline: {deadline})"
    )
    return 0


async def cmd_action_items_done(room: WarRoom, args: argparse.Namespace) -> int:
    before = await room.update_action_item(args.item)  # no change: reads it, or NotFound
    if before.done:
        print(f"INC-{before.incident_id} action item {before.id} was done already")
        return 0
    item = await room.update_action_item(args.item, done=True)
    print(f"INC-{item.incident_id} action item {item.id} done: {item.text}")
    return 0
