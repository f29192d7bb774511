from decimal import Decimal

from django import template

from payments import money as money_module

register = template.Library()


@register.filter
def money(amount, symbol="£") -> str:
    """{{ line.amount|money:line.symbol }} shows £1,234.50, or -£12.50 for a correction."""
    if amount is None or amount == "":
        return ""
    return money_module.money(Decimal(amount), symbol or "")
