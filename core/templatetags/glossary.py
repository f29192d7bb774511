"""{% glossary "CPD" %} links a word to its entry on the glossary page (core/glossary.py).
{% glossary "expert by experience" "experts by experience" %} shows other words for it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from core.glossary import term_for

register = template.Library()


@register.simple_tag
def glossary(word: str, shown: str = "") -> str:
    term = term_for(word)
    return format_html(
        '<a href="{}#{}" class="glossary-link">{}</a>',
        reverse("portal:glossary"),
        term.anchor,
        shown or word,
    )
