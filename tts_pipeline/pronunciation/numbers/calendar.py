"""Dates and times of day: 2024-07-04, 2023.11, 11/05, 8:30, 3pm, and a range of them (2023.1-2023.6)."""
from __future__ import annotations

import re
from functools import partial

from . import tables as T
from .context import Context, Reading
from .words import cardinal, digit_by_digit, two_digits, with_liang

_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d|\.\d)")
_DATE_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?!\d|\.\d)")
_YEAR_MONTH = re.compile(r"(\d{4})([-/.])(\d{1,2})(?!\d|\2\d|:\d)")
_MONTH_DAY = re.compile(r"(\d{1,2})([-/])(\d{1,2})(?!\d|\2\d|[.:]\d)")
_MONTH_ONLY = re.compile(r"\d{1,2}(?!\d|[-/.:]\d)")  # 2023.1-6: the month a range ends in
_HOUR = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")


class CalendarRules(Context):
    """The date and time rules, each returning a Reading or None when the run is not its shape."""

    def until(self, first: Reading) -> Reading:
        """A date and a dash and another date (2023.1-2023.6, 11/05-11/10): 到 between them."""
        folded, end = self.folded, first.end
        if folded[end:end + 1] not in T.RANGE_DASHES or not folded[end + 1:end + 2].isdigit():
            return first
        for rule in (self.date, self.year_month, partial(self.month_day, dated=True)):
            second = rule(end + 1)
            if second is not None:
                return Reading(first.start, second.end, first.spoken + "到" + second.spoken)
        month = _MONTH_ONLY.match(folded, end + 1)
        if first.spoken.endswith("月") and month and 1 <= int(month.group()) <= 12 and not self.counts(month.end()):
            return Reading(first.start, month.end(), first.spoken + "到" + _date_words(None, month.group()))
        return first

    def date(self, i: int) -> Reading | None:
        """2024-07-04 with the year first; 05-11-2023 -> 二零二三年十一月五日 with the year last, the day
        first unless only the first number can be the month (11-25-2023)."""
        m = _DATE.match(self.folded, i)
        if m:
            year, _, month, day = m.groups()
        else:
            m = _DATE_DAY_FIRST.match(self.folded, i)
            if not m:
                return None
            first, _, second, year = m.groups()
            day, month = (second, first) if int(second) > 12 else (first, second)
        if not _is_date(month, day):
            return None
        return Reading(i, m.end(), _date_words(year, month, day))

    def year_month(self, i: int) -> Reading | None:
        """2023-11, 2023/11, 2023.11 -> 二零二三年十一月; not an amount (2023.11元, 2023.5万)."""
        m = _YEAR_MONTH.match(self.folded, i)
        if not m:
            return None
        year, mark, month = m.groups()
        earliest = 1900 if mark == "." else 1000
        if not (earliest <= int(year) <= 2099 and 1 <= int(month) <= 12) or self.counts(m.end()):
            return None
        if self.after(m.end()).startswith(T.YEAR_AFTER):
            return None  # 2008-09赛季: two years
        return Reading(i, m.end(), _date_words(year, month))

    def month_day(self, i: int, dated: bool = False) -> Reading | None:
        """11/05, 11-05 -> 十一月五日, when a part is written with a leading 0 or a date word is near
        (截至11/5, 11-5起); else 3/4 is a fraction and 3-5 a range."""
        m = _MONTH_DAY.match(self.folded, i)
        if not m:
            return None
        month, _, day = m.groups()
        if not _is_date(month, day) or self.counts(m.end()):
            return None
        padded = any(len(part) == 2 and part[0] == "0" for part in (month, day))
        before, after = self.before(i), self.after(m.end())
        if not (dated or padded or before.endswith(T.DATE_CUES_BEFORE) or after.startswith(T.DATE_CUES_AFTER)
                or _CLOCK.match(self.folded, m.end() + 1) and self.folded[m.end():m.end() + 1] == " "):
            return None
        return Reading(i, m.end(), _date_words(None, month, day))

    def clock(self, i: int) -> Reading | None:
        """8:30 -> 八点三十分, 08:05 -> 八点零五分, 8:30-9:00 as a range of times."""
        first = self._clock_time(i)
        if first is None:
            return None
        end, spoken = first
        if end < len(self.folded) and self.folded[end] in T.RANGE_DASHES:
            second = self._clock_time(end + 1)
            if second is not None:
                end, last = second
                spoken += "到" + last
        return Reading(i, end, spoken)

    def _clock_time(self, i: int) -> tuple[int, str] | None:
        m = _CLOCK.match(self.folded, i)
        if not m:
            return None
        hour, minute, second = m.groups()
        if int(hour) > 24 or int(minute) > 59 or (second and int(second) > 59):
            return None
        if self.is_score(i, m.end(), colon=True):
            return None
        return m.end(), _time_words(hour, minute, second)

    def meridiem(self, i: int) -> Reading | None:
        """8:30 a.m. -> 上午八点三十分, 3pm -> 下午三点: the a.m./p.m. after a time said before it."""
        m = _HOUR.match(self.folded, i)
        if not m:
            return None
        mark = T.MERIDIEM.match(self.folded, m.end())
        if not mark:
            return None
        hour, minute, second = m.groups()
        if not 1 <= int(hour) <= 12 or int(minute or 0) > 59 or int(second or 0) > 59:
            return None
        spoken = T.MERIDIEM_WORDS[mark.group(1).lower()] + _time_words(hour, minute, second)
        return Reading(i, mark.end(), spoken)


def _is_date(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _date_words(year: str | None, month: str, day: str | None = None) -> str:
    """二零二三年十一月五日: the year digit by digit, month and day as cardinals; a part not given is left out."""
    spoken = digit_by_digit(year) + "年" if year else ""
    spoken += cardinal(month.lstrip("0")) + "月"
    return spoken + (cardinal(day.lstrip("0")) + "日" if day else "")


def _time_words(hour: str, minute: str | None, second: str | None) -> str:
    """八点三十分, 八点零五分, 两点: a time of day; minutes and seconds only when there are some."""
    spoken = with_liang(cardinal(hour), alone=True) + "点"
    if minute and int(minute) or second:
        spoken += two_digits(minute) + "分"
    if second:
        spoken += two_digits(second) + "秒"
    return spoken
