"""The one rule that keeps the dock's tabs readable at its minimum width (tests/qgis/test_layout.py looks).

A combo box asks for its longest item and a form row for label plus field side by side: in a narrow dock
both push the page wider than the view, and its right side is cut off. Here combos ask for a few
characters (the list still opens at full width) and form rows put a field below its label when short of room.
"""

from __future__ import annotations

from qgis.PyQt.QtWidgets import QComboBox, QFormLayout, QWidget

COMBO_CHARS = 12  # characters a combo box asks room for (its popup shows the whole text)
COMBO_MIN_PX = 120  # and its minimum width: Qt 5 keeps a combo's minimum size hint from before the policy changed


def fit_narrow(root: QWidget) -> None:
    for combo in root.findChildren(QComboBox):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(COMBO_CHARS)
        combo.setMinimumWidth(COMBO_MIN_PX)
    for form in root.findChildren(QFormLayout):
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
