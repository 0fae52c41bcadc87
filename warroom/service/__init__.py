"""The war room: the one write path that the CLI and the console both call (see room.py)."""

from warroom.service.actions import ACTION_TIMEOUT, RESTORES
from warroom.service.cleaning import MAX_TEXT, clean_text
from warroom.service.comms import SEND_LEASE, Delivery, retry_delay
from warroom.service.room import WarRoom, open_war_room, runbook_for

__all__ = [
    "ACTION_TIMEOUT",
    "MAX_TEXT",
    "RESTORES",
    "SEND_LEASE",
    "Delivery",
    "WarRoom",
    "clean_text",
    "open_war_room",
    "retry_delay",
    "runbook_for",
]
