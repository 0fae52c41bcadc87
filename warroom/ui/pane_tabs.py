"""The pane tabs of a narrow console (which pane fills the body), drawn unfocused a frame late.

A key that asks something (a milestone's short text) moves the focus from the tabs to the
prompt bar. Losing the focus restyles the tabs, every tab and the underline (about ten nodes,
5-8 ms on a 2-core box), and repaints them: work that went before the key's own frame and made
it late. Here the tabs take their unfocused look just after that frame instead, a frame later
than the focus moved; taking the focus still restyles them at once.
"""

from __future__ import annotations

from textual.widgets import Tabs


class PaneTabs(Tabs):
    def watch_has_focus(self, has_focus: bool) -> None:
        if has_focus:
            super().watch_has_focus(has_focus)
        else:
            self.call_after_refresh(self._blurred)

    def _blurred(self) -> None:
        if not self.has_focus:  # else the focus came back, and restyled them already
            self.update_node_styles()
