"""warroom: a terminal war-room console for on-call incident response."""

__version__ = "0.1.0"
