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


@register.filter
def hours(minutes) -> str:
    """{{ week.minutes|hours }}: 210 minutes show as "3 hours 30 minutes"."""
    whole, rest = divmod(int(minutes or 0), 60)
    parts = []
    if whole or not rest:
        parts.append(f"{whole} hour" if whole == 1 else f"{whole} hours")
    if rest:
        parts.append(f"{rest} minute" if rest == 1 else f"{rest} minutes")
    return " ".join(parts)
