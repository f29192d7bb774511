"""Where a running round is, for the progress include: `{% round_progress round as progress %}`
(templates/matching/_round_progress.html), so a page that shows it needs no view change."""

from django import template

from matching import selectors

register = template.Library()


@register.simple_tag
def round_progress(matching_round) -> dict:
    return selectors.round_progress(matching_round)


@register.filter
def duration_words(milliseconds) -> str:
    """How long something took, in words a coordinator reads: "less than a second",
    "12 seconds", "3 minutes and 5 seconds"."""
    return selectors.duration_in_words(milliseconds)
