"""`fine`: each listed student pays an amount for a chosen fine type."""

from __future__ import annotations

from campbank.rules.base import AmountPerStudent


class Fine(AmountPerStudent):
    type = "fine"
    label = "Fine"
    kind_field = "fine_type"
    kind_label = "Fine type"
    amount_label = "Fine per student"
    sign = -1


RULE = Fine()
