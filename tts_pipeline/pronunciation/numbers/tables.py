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
    "cm²": ("平方厘米", True),
    "mm²": ("平方毫米", True),
    "cm³": ("立方厘米", True),
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

CURRENCY_PREFIXES = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑", "₩": "韩元", "₹": "卢比"}

# Currencies written with letters, before a number (USD 5, HK$12.5) or after it
# (5 USD): read after the amount like the signs above. Only next to a number:
# elsewhere the letters are letters.
CURRENCY_CODES = {
    "CNY": "元", "RMB": "元", "USD": "美元", "US$": "美元", "HKD": "港元", "HK$": "港元",
    "EUR": "欧元", "GBP": "英镑", "JPY": "日元", "AUD": "澳元", "A$": "澳元", "AU$": "澳元",
    "CAD": "加元", "C$": "加元", "SGD": "新加坡元", "S$": "新加坡元", "TWD": "新台币", "NT$": "新台币",
    "KRW": "韩元", "MOP": "澳门元", "CHF": "瑞士法郎", "NZD": "新西兰元", "INR": "卢比", "RUB": "卢布",
}
CURRENCY_CODE = re.compile(
    "(?<![A-Za-z])(?:" + "|".join(re.escape(c) for c in sorted(CURRENCY_CODES, key=len, reverse=True)) + ")(?![A-Za-z])"
)
CURRENCIES = {**CURRENCY_PREFIXES, **CURRENCY_CODES}

# Letters after a number in casual text that stand for a magnitude: 300w is
# 三百万, 5k is 五千. In upper case 4K and 3W are more often video and watts.
CASUAL_MAGNITUDES = {"w": "万", "k": "千"}
# ... and in upper case too after one of these (月薪5K, 粉丝10W).
CASUAL_MAGNITUDE_CUES = ("薪", "工资", "收入", "预算", "价", "粉", "播放", "阅读", "点赞", "存款", "身价",
                         "租", "费", "奖金", "销量", "花了", "赚")

# After a time (8:30 a.m., 3pm): said before it.
MERIDIEM = re.compile(r" ?([aApP])(\.?)[mM](?(2)\.?)(?![A-Za-z])")
MERIDIEM_WORDS = {"a": "上午", "p": "下午"}

# Signs between two numbers or letters, spaces allowed around them (2 = 1 + 1).
# − (U+2212) is always minus; the ASCII - is minus only in a line of arithmetic
# (an = or a comparison in it), else it is a range, a hyphen or a score.
OPERATORS = {"+": "加", "−": "减", "×": "乘", "*": "乘", "÷": "除以", "=": "等于", "≠": "不等于",
             "<=": "小于等于", ">=": "大于等于", "≤": "小于等于", "≥": "大于等于", "<": "小于", ">": "大于",
             "≈": "约等于"}
OPERATOR_PATTERN = re.compile("|".join(re.escape(o) for o in sorted(OPERATORS, key=len, reverse=True)))
# Signs that make a line arithmetic, and the signs read as operators only in such a line
# (elsewhere 3-5 is a range and 1/3 a fraction).
EQUATION_SIGNS = frozenset("=≠<>≤≥≈")
ARITHMETIC_ONLY = {"-": "减", "/": "除以"}
# Before a number: ±3 正负三; after a number or letter: x² x的平方.
PLUS_MINUS = "±"
POWERS = {"²": "的平方", "³": "的立方"}

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
PHONE_CUES = ("电话", "热线", "手机", "拨打", "致电", "专线", "传真", "客服", "房间", "来电", "室",
              "拨", "呼叫", "报警", "急救", "求助", "短信", "回复", "发送", "打电话")
# ... or some other code read digit by digit (with 一).
CODE_CUES = ("编号", "代码", "邮编", "车次", "航班", "工号", "学号", "账号", "帐号", "密码",
             "验证码", "尾号", "号码", "证号", "型号", "序号", "批号", "编码")
# Right before a run of three or more digits: a number to call (打110).
PHONE_CUES_RIGHT_BEFORE = ("打",)
# Before a run of seven or more digits: it is an amount, read as a cardinal (共3004005).
QUANTITY_CUES = ("共", "共计", "合计", "总计", "总共", "累计", "达", "达到", "约", "超过", "突破", "增至",
                 "降至", "增加", "减少", "增长", "下降", "人口", "数量", "总数", "总量", "销量", "产量",
                 "金额", "收入", "余额", "价值", "投资", "面积", "有", "是", "为", "了", "近", "逾", "余")
CUE_WINDOW = 6

# Before or after a month and day written without a year (11/5, 11-5): they are a date,
# as they are when one of them is written with a leading 0 (11/05).
DATE_CUES_BEFORE = ("日期", "截止", "截至", "定于", "将于", "于", "生日", "出生", "今年", "去年", "明年", "每年")
DATE_CUES_AFTER = ("起", "当天", "举行", "举办", "开幕", "上映", "发布", "发售", "开始", "到期", "截止")
# Around a:b or a-b: a score or ratio, not a time or range.
SCORE_CUES_NEAR = ("比分", "比赛")  # anywhere in the window before
SCORE_CUES_BEFORE = ("战胜", "击败", "负于", "不敌", "战平", "打成", "逆转", "队")
SCORE_CUES_AFTER = ("战胜", "击败", "获胜", "取胜", "胜出", "告负", "落败", "险胜", "大胜",
                    "战平", "的比分", "比分", "逆转", "胜", "负", "赢", "输")

OPENING_QUOTES = "“\"‘'「『《〈(（【["
CLOSING_QUOTES = "”\"’'」』》〉)）】]"
