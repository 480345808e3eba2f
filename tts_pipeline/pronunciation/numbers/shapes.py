"""Numbers whose shape says what they are: phone numbers and codes (023-63862288), versions and addresses
(192.168.1.1), scores and ratios (2:1), fractions (3/4)."""
from __future__ import annotations

import re

from .context import Context, Reading
from .words import digit_by_digit, plain_number

_HYPHENATED = re.compile(r"(\+86[- ]?|\+\d{1,3}[- ])?\d+(?:-\d+)*(?!\d|\.\d)")
_RATIO = re.compile(r"(\d+):(\d+)(?![\d:])")
_FRACTION = re.compile(r"(\d+)/(\d+)(?!\d|[/.]\d)")
_DOTTED = re.compile(r"\d+(?:\.\d+){2,}(?!\d)")


class ShapeRules(Context):
    """The shape rules, each returning a Reading or None when the run is not its shape."""

    def hyphenated(self, i: int) -> Reading | None:
        """Phone numbers and codes: 023-63862288, 400-820-8820, +86-10-12345678."""
        m = _HYPHENATED.match(self.folded, i)
        if not m:
            return None
        prefix = m.group(1) or ""
        groups = self.folded[i + len(prefix):m.end()].split("-")
        if not prefix and len(groups) == 1:
            return None
        phone_shaped = (prefix or groups[0].startswith("0") or len(groups) >= 3
                        or any(len(g) >= 5 for g in groups))
        if not phone_shaped or len(groups) == 2 and (self.is_score(i, m.end(), colon=False)
                                                     or all(len(g) <= 2 for g in groups)):  # 0-0, 05-10
            return None
        spoken = "加" + digit_by_digit(prefix, yao=True) if prefix else ""
        spoken += "".join(digit_by_digit(g, yao=True) for g in groups)
        return Reading(i, m.end(), spoken)

    def dotted(self, i: int) -> Reading | None:
        """Version numbers and addresses: 192.168.1.1 -> 一九二点一六八点一点一."""
        m = _DOTTED.match(self.folded, i)
        if not m:
            return None
        groups = m.group().split(".")
        return Reading(i, m.end(), "点".join(digit_by_digit(g) for g in groups))

    def ratio(self, i: int) -> Reading | None:
        """Scores and ratios: 2:1 -> 二比一, 1:50000 -> 一比五万."""
        m = _RATIO.match(self.folded, i)
        if not m:
            return None
        left, right = m.groups()
        return Reading(i, m.end(), plain_number(left) + "比" + plain_number(right))

    def fraction(self, i: int) -> Reading | None:
        m = _FRACTION.match(self.folded, i)
        if not m or self.arithmetic(m.end(1)):
            return None  # 6/3=2: the slash is 除以
        numerator, denominator = m.groups()
        return Reading(i, m.end(), plain_number(denominator) + "分之" + plain_number(numerator))
