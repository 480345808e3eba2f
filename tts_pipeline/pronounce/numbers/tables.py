"""Words the normaliser looks for around a number, and the units it knows."""
from __future__ import annotations

import re

# Unit written after a number -> spoken unit, and whether 2 before it is 两.
# Case matters: 5g is five grams, 5G is "five G". Listed longest first where
# one unit is the prefix of another.
UNITS: dict[str, tuple[str, bool]] = {
    "km/h": ("公里每小时", True),
    "m/s": ("米每秒", True),
    "km²": ("平方公里", True),
    "m²": ("平方米", True),
    "m³": ("立方米", True),
    "kWh": ("千瓦时", True),
    "mAh": ("毫安时", True),
    "kHz": ("千赫", True),
    "MHz": ("兆赫", True),
    "GHz": ("吉赫", True),
    "min": ("分钟", True),
    "km": ("公里", True),
    "kg": ("公斤", True),
    "cm": ("厘米", True),
    "mm": ("毫米", True),
    "nm": ("纳米", True),
    "mg": ("毫克", True),
    "ml": ("毫升", True),
    "mL": ("毫升", True),
    "ms": ("毫秒", True),
    "kW": ("千瓦", True),
    "MW": ("兆瓦", True),
    "GW": ("吉瓦", True),
    "Hz": ("赫兹", True),
    "dB": ("分贝", True),
    "°C": ("摄氏度", False),
    "°F": ("华氏度", False),
    "m": ("米", True),
    "g": ("克", True),
    "t": ("吨", True),
    "L": ("升", True),
    "h": ("小时", True),
    "V": ("伏", True),
    "㎡": ("平方米", True),
    "㎞": ("公里", True),
    "㎏": ("公斤", True),
    "℃": ("摄氏度", False),
    "℉": ("华氏度", False),
    "°": ("度", False),
}
TEMPERATURE_UNITS = frozenset({"°C", "°F", "℃", "℉"})
UNIT_PATTERN = re.compile(
    "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
)

CURRENCY_PREFIXES = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}

# Han characters after an amount that belong to it: ¥3.5万 -> 三点五万元.
MAGNITUDES = "万亿千"

PERCENT_SIGNS = {"%": "百分之", "‰": "千分之", "‱": "万分之"}

# Between two numbers: a range, 3-5 -> 三到五.
RANGE_DASHES = "-~—–〜"

# After a bare number: a measure word or magnitude, so the number counts
# something (2个 -> 两个) and is never a code.
MEASURE_WORD = re.compile(
    "分钟|小时|星期|个月|公里|千米|公斤|千克|平方|美元|欧元|英镑|港元|周岁"
    "|[个位名人次年天岁倍本件条张只种项辆家所座台部支架艘批份场轮周元块角毛米斤吨升克"
    "层亩间户套笔株棵颗头匹句段篇首顿趟遍回声双对组类节门栋幢片点分秒千万亿百多余]"
)

# After four digits: a year, read digit by digit (2024年, 2023-2024赛季).
YEAR_AFTER = ("年", "赛季", "学年", "财年")

# Before or after a digit run: it is a telephone number (read with 幺).
PHONE_CUES = ("电话", "热线", "手机", "拨打", "致电", "专线", "传真", "客服", "房间", "来电", "室")
# ... or some other code read digit by digit (with 一).
CODE_CUES = ("编号", "代码", "邮编", "车次", "航班", "工号", "学号", "账号", "帐号", "密码",
             "验证码", "尾号", "号码", "证号", "型号", "序号", "批号", "编码")
CUE_WINDOW = 6

# Around a:b or a-b: a score or ratio, not a time or range.
SCORE_CUES_NEAR = ("比分", "比赛")  # anywhere in the window before
SCORE_CUES_BEFORE = ("战胜", "击败", "负于", "不敌", "战平", "打成", "逆转")
SCORE_CUES_AFTER = ("战胜", "击败", "获胜", "取胜", "胜出", "告负", "落败", "险胜", "大胜",
                    "战平", "的比分", "比分", "逆转", "胜", "负", "赢", "输")

OPENING_QUOTES = "“\"‘'「『《〈(（【["
CLOSING_QUOTES = "”\"’'」』》〉)）】]"
