"""Template helpers of the force-generation pages: numbers as staff read them, and the
nation page's list of pledges."""

from __future__ import annotations

from django import template

from stabforce.forcegen import presenters

register = template.Library()


@register.filter
def thousands(value) -> str:
    """12000 → '12,000' (the way force figures are briefed), regardless of locale."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—" if value in (None, "") else str(value)


@register.filter
def percent(value) -> str:
    """0.4375 → '44 %'; None → '—'."""
    if value is None:
        return "—"
    return f"{round(float(value) * 100)} %"


@register.simple_tag
def share(part, whole) -> str:
    """part / whole as a whole percentage ('—' when there is no whole)."""
    if not whole:
        return "—"
    return f"{round(100 * part / whole)} %"


@register.inclusion_tag("forcegen/_nation_pledges.html", takes_context=True)
def nation_pledges(context, nation):
    """The nation's pledges in the signed-in user's missions (what they may see)."""
    user = context["request"].user
    return {"pledges": presenters.nation_pledges(user, nation), "nation": nation}
