"""The other person of a match or proposal, for templates, which cannot pass `user` to
`other_party`: `{{ match|other_party:user }}`."""

from django import template

register = template.Library()


@register.filter
def other_party(match_or_proposal, person):
    return match_or_proposal.other_party(person)
