"""The declare form's severity: a radio set that reads without colour and does not wrap."""

from __future__ import annotations

from textual.widgets import RadioButton, RadioSet


class SeverityButton(RadioButton):
    """Its dot is drawn only when it is the choice: the stock button draws one in every row and
    tells them apart by colour alone, which a monochrome terminal (or a tired eye) cannot."""

    @property
    def BUTTON_INNER(self) -> str:  # Textual's name for the inside of the button
        return "●" if self.value else " "


class SeverityChoice(RadioSet):
    """The arrows move the choice itself (one cursor, the dot) and stop at the first and last
    rows: Up on SEV-1 must not make it SEV-3."""

    def on_mount(self) -> None:
        self._selected = max(0, self.pressed_index)  # the cursor starts on the choice

    def action_previous_button(self) -> None:
        self._step(-1)

    def action_next_button(self) -> None:
        self._step(1)

    def _step(self, step: int) -> None:
        current = self.pressed_index
        if current < 0:  # RadioSet's own mount moves its cursor before it knows the choice
            return
        buttons = list(self.query(RadioButton))
        if 0 <= current + step < len(buttons):
            buttons[current + step].value = True
