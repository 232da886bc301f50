"""`general_money`: pay each listed student an amount of a chosen money type (help, olympiads, rewards)."""

from __future__ import annotations

from campbank.rules.base import AmountPerStudent


class GeneralMoney(AmountPerStudent):
    type = "general_money"
    label = "Money"
    money_types = ("initial",)  # the initial grant each new student gets is a general_money
    kind_field = "money_type"
    kind_label = "Money type"
    amount_label = "Amount per student"


RULE = GeneralMoney()
