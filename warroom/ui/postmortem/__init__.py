"""The post-mortem editor: the runbook's Phase 4 template as one full screen.

- `screen.py`: the screen (layout, preview, keys, action-item flows);
- `fields.py`: the text fields (titles, hints, the TextArea holding one);
- `items.py`: the action items' table and form;
- `autosave.py`: when a field is written to the journal (timers, pending text, flush);
- `postmortem.tcss`: the screen's and the form's CSS.
"""

from warroom.followups import parse_deadline
from warroom.ui.postmortem.fields import FieldArea
from warroom.ui.postmortem.items import ActionItemForm, ActionItemsTable, ItemDraft
from warroom.ui.postmortem.screen import PostmortemScreen

__all__ = [
    "ActionItemForm",
    "ActionItemsTable",
    "FieldArea",
    "ItemDraft",
    "PostmortemScreen",
    "parse_deadline",
]
