"""The action items' keys in the post-mortem editor: ctrl+n adds one, enter edits the selected
one (or adds, with none), space ticks it done or open; each saved through the war room, and a
missing owner or a past deadline said once the form has closed. A mixin of the editor screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.followups import ActionItem, action_item_warnings
from warroom.ui.postmortem.items import ActionItemForm, ActionItemsTable, ItemDraft

if TYPE_CHECKING:
    from warroom.ui.postmortem.screen import PostmortemScreen

    _Base = PostmortemScreen
else:
    _Base = object


class ItemKeys(_Base):
    def _selected_item(self) -> ActionItem | None:
        table = self.query_one(ActionItemsTable)
        if not self.items or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    def action_add_item(self) -> None:
        async def add(draft: ItemDraft | None) -> None:
            if draft is None:
                return
            item = await self._journal(
                self.room.add_action_item(
                    self.incident_id, draft.text, owner=draft.owner, deadline=draft.deadline
                )
            )
            if item is not None:
                await self._items_changed(item)
                self._warn_item(item)

        today = self.room.now().date()
        self.app.push_screen(ActionItemForm(f"New action item for {self._ref()}", today), add)

    def action_edit_item(self) -> None:
        item = self._selected_item()
        if item is None:
            self.action_add_item()
            return

        async def edit(draft: ItemDraft | None) -> None:
            if draft is None:
                return
            changed = await self._journal(
                self.room.update_action_item(
                    item.id, text=draft.text, owner=draft.owner, deadline=draft.deadline
                )
            )
            if changed is not None:
                await self._items_changed(changed)
                self._warn_item(changed)

        today = self.room.now().date()
        self.app.push_screen(ActionItemForm(f"Edit action item {item.id}", today, item), edit)

    def _warn_item(self, item: ActionItem) -> None:
        """Saved as typed, but a missing owner or a past deadline is probably a slip: say so
        where it cannot be missed once the form has closed."""
        warnings = action_item_warnings(item.owner, item.deadline, self.room.now().date())
        if warnings:
            self.notify(
                f"Action item {item.id} saved, but: {'; '.join(warnings)}.",
                title="Check this action item",
                severity="warning",
                timeout=10,
                markup=False,
            )

    async def action_toggle_item(self) -> None:
        item = self._selected_item()
        if item is None:
            return
        changed = await self._journal(self.room.update_action_item(item.id, done=not item.done))
        if changed is not None:
            await self._items_changed(changed)

    async def _items_changed(self, item: ActionItem) -> None:
        incident = await self._journal(self.room.incident(self.incident_id), "Cannot read")
        if incident is None:
            return
        self._show(incident)
        table = self.query_one(ActionItemsTable)
        ids = [i.id for i in self.items]
        if item.id in ids:
            table.move_cursor(row=ids.index(item.id))
        table.focus()
        self._saved_at = self.room.now()
        self._set_saved_label()
        self._schedule_preview()
