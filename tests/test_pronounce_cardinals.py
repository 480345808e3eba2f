"""Cardinals are said as cn2an says them (it was called before), without importing cn2an."""
from __future__ import annotations

import itertools
import random

import cn2an
import pytest

from freshimports import imported_by
from tts_pipeline.pronunciation.numbers.words import below_yi, cardinal


def test_every_number_below_twenty_thousand():
    for value in range(20000):
        assert below_yi(value) == cn2an.an2cn(str(value)), value


def test_numbers_up_to_yi_with_runs_of_zeros_and_ones():
    for length in range(1, 9):
        for digits in itertools.product("012", repeat=length):
            value = int("".join(digits))
            assert below_yi(value) == cn2an.an2cn(str(value)), value


def test_random_numbers_up_to_yi():
    rng = random.Random(8)
    for _ in range(20000):
        value = rng.randrange(10**8)
        assert below_yi(value) == cn2an.an2cn(str(value)), value


@pytest.mark.parametrize("digits, spoken", [
    ("10", "十"), ("0010", "十"), ("10010", "一万零一十"), ("10001000", "一千万一千"),
    ("100001000", "一亿零一千"), ("120000000", "一亿二千万"), ("100000000", "一亿"),
    ("1" + "0" * 15, "一千万亿"), ("1" * 17, "一" * 17),
])
def test_cardinals_from_yi_up_split_at_yi(digits, spoken):
    assert cardinal(digits) == spoken


def test_below_yi_refuses_what_is_not_below_yi():
    with pytest.raises(ValueError):
        below_yi(10**8)


def test_a_number_is_read_without_importing_cn2an():
    code = "from tts_pipeline.pronunciation import pronounce_text; pronounce_text('2024年有365天。')"
    assert imported_by(code, ("cn2an",)) == []
