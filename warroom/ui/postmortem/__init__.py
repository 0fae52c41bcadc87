"""The post-mortem editor: the runbook's Phase 4 template as one full screen."""

from warroom.model import parse_deadline
from warroom.ui.postmortem.screen import (
    ActionItemForm,
    ActionItemsTable,
    FieldArea,
    ItemDraft,
    PostmortemScreen,
)

__all__ = [
    "ActionItemForm",
    "ActionItemsTable",
    "FieldArea",
    "ItemDraft",
    "PostmortemScreen",
    "parse_deadline",
]
