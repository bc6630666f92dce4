"""The few English word forms the planner's explanations need, in one place.

The service layer translates keys in explanation texts into display names, singular and
plural; it must build plurals exactly as the explanations do, hence one shared function.
"""

from __future__ import annotations


def plural(text: str) -> str:
    """``companies``, ``teams``, ``police trainers``, ``formed police units (fpu)``."""
    head, sep, tail = text.partition(" (")
    if head.endswith("s"):
        word = head
    elif head.endswith("y") and head[-2:-1] not in set("aeiou"):
        word = head[:-1] + "ies"
    else:
        word = head + "s"
    return word + sep + tail


def counted(n: int, word: str) -> str:
    """``3 companies``, ``2 teams``, ``1 candidate``."""
    return f"{n} {word if n == 1 else plural(word)}"


def capability_words(capability: str) -> str:
    """A capability key as words when no display name is known (``mp_coy`` → ``mp company``)."""
    return capability.replace("_coy", " company").replace("_", " ")


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (``only 1 ...`` → ``Only 1 ...``)."""
    return text[:1].upper() + text[1:]
