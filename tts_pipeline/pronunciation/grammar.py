"""Grammatical rules: readings that the sentence's structure settles.

The context model learned from Wikipedia, where a lone 为 is nearly always
the copula wéi ("is, as"); it reads the preposition wèi ("for, on behalf
of") the same way. The preposition heads a beneficiary or purpose phrase that
a verb then completes: 为人民服务, 为全会胜利召开营造良好氛围, 为孩子操心.
So a 为 that jieba leaves as a word of its own reads wèi when, later in its
clause and after at least one word (the beneficiary), comes a verb that takes
a 为-beneficiary, unless the clause shows the copula's own frames:

- 以…为…  (以人民为中心), 以 earlier in the clause;
- 为…所…  (为人民所喜爱), the passive, 所 before that verb;
- a one-character verb that 为 completes right before it (贬为, 选为, 改为);
  the common ones (成为, 作为, 认为, 视为, 称为, 分为) are words of their
  own and never reach this rule.

The particle 地 (de) follows an adverbial that describes how something is done,
and the plainest adverbials show themselves by their form: a doubled word
(轻轻地, 高高兴兴地, 一滴一滴地, 一摇一摆地) or a four-character idiom
(慢条斯理地, 小心翼翼地). After those 地 is de even where jieba joined it to
what follows (断断续续/地下/着, 慢条斯理/地说), which would read dì.

A few verbs show their sense by the phrase they head, whatever words jieba
makes of it (PHRASES): 看 is kān "look after" in 看好你的钱包, 帮我看着孩子,
看着点儿; 结 is jiē "bear (fruit)" in 结满了果子; 相 is xiàng "photograph" in
照相馆, 照了好多相.

`rule_readings` returns what the rules decide, each with a reason for people;
the resolver gives it a vote no model probability can outweigh, and the hint
check lets it overrule a hint on a one-character word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..hanzi import HAN_CLASS
from .lexicon import word_allows
from .readings import marked
from .segment import split_at, tokenizer
from .segment import word_tag as tag_of

# Verbs (and verb phrases) that take a beneficiary or purpose introduced by 为.
BENEFACTIVE_VERBS = frozenset(
    """
    服务 效力 效劳 效命 卖命 出力 尽力 献力 献身 献出 献上 献计 献策 献礼 献
    提供 奠定 营造 创造 创设 打造 作出 做出 贡献 打下 注入 付出 争取 谋求 谋取
    谋福利 谋福祉 负责 担心 担忧 操心 着想 考虑 骄傲 自豪 高兴 欢呼 喝彩 感到
    惋惜 难过 伤心 惋叹 加油 助威 鼓掌 庆祝 祝福 祈祷 祈福 默哀 送行 饯行 送别
    开辟 铺平 铺路 搭建 搭台 保驾护航 护航 买单 埋单 辩护 辩解 开脱 求情 说情
    奋斗 拼搏 努力 牺牲 捐躯 流血 流汗 操劳 奔走 奔波 呐喊 发声 代言 作证 作保
    担保 撑腰 出头 出气 报仇 雪耻 平反 昭雪 解围 解忧 分忧 排忧 解难 纾困 减负
    松绑 让路 开道 鸣锣开道 让位 腾出 留出 准备 预备 量身定制 定制
    颁奖 颁发 授予 举办 设立 开设 安排 配备 出谋划策 把关
    发愁 排练 排演 演出 表演 唱歌 加班 工作 忙碌 忙 操办 筹备 筹款 募捐 捐款 捐 让座 开门 做饭
    点赞 打气 撑起 筑牢 夯实 增添 增光 添彩 增色 争光 添砖加瓦 赋能 助力
    送 送去 送来 送上 送到 带来 捐赠 赠送 发放 解决 办理 办 办实事 办好事 理发 看病 治病 上课 讲课
    """.split()
)
# Verbs that 为 completes ("make into, as") when jieba leaves them apart:
# 贬为侯, 选为代表, 继任为王. Two-character ones are listed in full, because
# nouns end in the same characters (主任为大家服务 is wèi).
COMPLETED_BY_WEI = frozenset("贬降升封立拜任尊奉列评誉译定改变化分称视选推聘派转划编并合易更名命号追谥")
COMPLETED_BY_WEI_WORDS = frozenset(
    """
    继任 升任 出任 担任 转任 改任 调任 兼任 选任 委任 任命 聘任 当选 推选 评选 选举 票选
    册立 册封 追封 加封 受封 晋封 改封 追谥 追尊 追认 改称 简称 并称 合称 号称 尊称 誉称
    俗称 统称 总称 泛称 昵称 自称 人称 被称 改编 合并 并入 扩编 缩编 更名 改名 命名 定名
    正名 易名 改组 重组 改制 升格 降格 贬谪 降职 晋升 提升 提拔 擢升 演变 演化 蜕变 退化
    进化 简化 分化 异化 转变 转换 变换 变更 变成 译成 翻译 音译 意译 认定 评定 鉴定 确定
    指定 规定 划定 判定 界定 列入 归类 奉若 尊奉 奉立 立嗣 拥立 收养 过继
    """.split()
)
# Punctuation that ends a clause; 、 and quotation marks stay inside one.
CLAUSE_END = frozenset("，,。．.；;：:！!？?\n…")


@dataclass(frozen=True)
class RuleReading:
    """A reading the sentence's grammar decides, and why (for notices)."""

    pinyin: str
    rule: str
    reason: str


def _clause(text: str, spans: list[tuple[int, int]], index: int) -> tuple[int, int]:
    """Indices [first, last) into `spans` of the clause around spans[index]."""
    first = index
    while first > 0 and not (set(text[spans[first - 1][0] : spans[first - 1][1]]) & CLAUSE_END):
        first -= 1
    last = index + 1
    while last < len(spans) and not (set(text[spans[last][0] : spans[last][1]]) & CLAUSE_END):
        last += 1
    return first, last


def _preposition_wei(text: str, spans: list[tuple[int, int]], index: int) -> RuleReading | None:
    first, last = _clause(text, spans, index)
    before = [text[s:e] for s, e in spans[first:index]]
    if "以" in before:
        return None
    if before and (before[-1] in COMPLETED_BY_WEI or before[-1] in COMPLETED_BY_WEI_WORDS):
        return None  # 贬为, 继任为
    after = [text[s:e] for s, e in spans[index + 1 : last]]
    if before and after and _benefactive(after[0]):
        return None  # the copula before a verb phrase: 职责为提供服务
    for word in after[1:]:
        if word == "所":
            return None
        verb = _benefactive(word)
        if verb:
            return RuleReading("wei4", "preposition-wei", f"为 before …{verb} is the preposition {marked('wei4')}")
    if not before and after and (tag_of(after[0])[:1] in ("v", "a") or tag_of(after[0][:2])[:1] == "v"):
        # With no subject before it, 为 cannot be the copula: 为缓解拥堵，… 为方便患者，…
        return RuleReading("wei4", "preposition-wei", f"为 opening a clause before a verb is the preposition {marked('wei4')}")
    return None


def _benefactive(word: str) -> str | None:
    """The verb of benefit `word` is, or starts with before another word (感到高兴, not 服务器)."""
    if word in BENEFACTIVE_VERBS:
        return word
    known = tokenizer().FREQ
    for length in range(len(word) - 2, 1, -1):
        if word[:length] in BENEFACTIVE_VERBS and known.get(word[length:], 0) > 0:
            return word[:length]
    return None


# Before 得, what leaves it free to be děi "must": a person, or an adverb or modal (我得, 还得, 必须得).
_NOT_MUST = f"(?<![我你他她它们咱您还也就都又才须要必总先只可该得])(?<=[{HAN_CLASS}])"
# Where something is left behind (落在家里 là), not where it falls (落在地上 luò).
LEFT_BEHIND = ("家", "家里", "食堂", "教室", "办公室", "宿舍", "学校", "车上", "出租车", "店里", "公司", "图书馆",
               "这儿", "那儿", "这里", "那里", "桌上")
_GUARDED = "孩子|小孩|小孩儿|弟弟|妹妹|钱包|行李|东西|门|家|包|箱子|摊子|仓库|犯人"
_OWNER = "(?:你的|我的|他的|她的|自己的|大家的|你|我|他|她)?"
# (a pattern matching where a character stands, as its group "c", and its reading); the table keeps
# the character too, read from the pattern, so that a sentence without it is not searched.
PHRASES = tuple(
    (re.search(r"\(\?P<c>(.)\)", pattern).group(1), re.compile(pattern), reading)
    for pattern, reading in (
        (f"(?P<c>看)(?:好|住){_OWNER}(?:{_GUARDED})", "kan1"),
        ("(?P<c>看)着点儿?", "kan1"),
        (f"帮(?:我|你|他|她|忙)?(?P<c>看)(?:着|一下|一会儿?){_OWNER}(?:{_GUARDED})", "kan1"),
        ("(?P<c>结)(?:满了|满|了|出了|出|着)[^，。！？；、]{0,5}?(?:果|瓜|籽|桃|梨|枣|杏|李子|橘|柿|葡萄|穗|荚)", "jie1"),
        ("(?P<c>结)(?:果子|果儿)", "jie1"),
        ("照(?:了|过)?(?:好多|很多|不少|几张|一张|张|些|个)?(?P<c>相)", "xiang4"),
        ("(?:课文|单词|生词|台词|古诗|诗|公式|口诀|全文|文章)[^。！？]*?(?P<c>背)(?![包着起走])", "bei4"),
        ("(?:耳朵|耳)(?:有点儿?|很|太|也|都)?(?P<c>背)", "bei4"),
        ("(?:在|[手脚后刀椅驼])(?P<c>背)(?![包着起走])", "bei4"),
        ("(?P<c>背)对", "bei4"),
        ("[把将][^，。！？；]{1,6}?(?P<c>当)[成作做]", "dang4"),
        ("(?P<c>中)(?:了|过)?(?:奖|彩|签|标|头奖|大奖)", "zhong4"),
        ("穿(?P<c>着)(?:打扮|方面|讲究|得体|朴素|时尚|要|应)", "zhuo2"),
        ("请(?:了|过)?[一两三几半]?[天周个]?(?:的)?(?P<c>假)", "jia4"),
        ("(?P<c>划)(?:破|伤|开|过|着?小?(?:船|桨|艇))", "hua2"),
        ("(?:枝|棍|腿|杆|绳|线|棒|摔|压)(?P<c>折)", "she2"),
        ("(?P<c>折)了?(?:不少|很多|好多)?本", "she2"),  # 折本: lose money
        ("[刀门壶锅勺伞的](?P<c>把)儿", "ba4"),
        ("(?P<c>落)了?枕", "lao4"),
        ("睡[^，。！？；]{0,8}?(?P<c>觉)(?!得)", "jiao4"),
        ("(?P<c>好)面子", "hao4"),
        ("(?:[王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤]|看|找|请|叫|问)(?P<c>大)夫", "dai4"),
        ("[晴阴](?P<c>间)(?:多云|阴|晴|小雨|阵雨)", "jian4"),
        ("(?P<c>划)了?(?:一|个)?(?:道|个)?(?:口子|伤口|口儿)", "hua2"),
        ("的(?P<c>背)(?![包着起走心])", "bei4"),
        ("(?<![天太高星夜领航上当])(?P<c>空)(?:着(?!手|肚)|出|位|座|座位|房|格|地(?!导弹|协同|一体|对))", "kong4"),
        ("空(?P<c>着)手", "zhe5"),  # 空着手来: empty-handed, not 着手
        ("(?:清晨|早晨|早上|初升|一轮|东方|的)[的，,]?(?P<c>朝)[阳陽霞晖暉露](?![区區路门門市县縣公街医醫大北南站])", "zhao1"),
        ("(?P<c>朝)[阳陽](?=[照洒灑升映染透从從把])", "zhao1"),
        ("(?<=[来去])(?P<c>得)(?=早|晚|及|正好|巧)", "de5"),
        (f"{_NOT_MUST}(?P<c>得)(?=很|太|真|挺|像|直|浑身|满头|满脸|要命|比|到处|满地|满屋|遍地|一塌糊涂|乱七八糟)", "de5"),
        (f"{_NOT_MUST}(?P<c>得)(?=住|起|动|完|下|清)", "de5"),  # 耐得住, 买得起, 搬得动: can
        ("(?<=[气急吓累饿困冷热忙乐笑哭疼痛渴醉怕羞慌闷烦])(?P<c>得)", "de5"),  # 气得一晚上没说话
        ("(?P<c>弹)(?:了|着|过)?(?:一首|一曲)?(?:吉他|钢琴|琴|琵琶|古筝|三弦|曲子|奏)", "tan2"),
        ("(?:很|真|挺|特别|非常|显得|看起来|看上去)很?精(?P<c>神)", "shen5"),
        ("精(?P<c>神)多了", "shen5"),
        ("(?P<c>只)身", "zhi1"),
        ("(?P<c>称)(?:心|职|身|脚)", "chen4"),
        ("[温时误落高](?P<c>差)", "cha1"),
        ("门(?P<c>将)", "jiang4"),
        ("补(?P<c>给)", "ji3"),
        ("过(?P<c>分)(?=了|的|吧|啊|！|。|，)", "fen4"),
        ("(?:果实|硕果)(?P<c>累)累", "lei2"),  # hanging in clusters; 伤痕累累 is lěilěi
        ("(?:果实|硕果)累(?P<c>累)", "lei2"),
        ("(?:^|[“「‘，。！？：])(?P<c>大)夫[，,！!？?]", "dai4"),
        ("(?P<c>大)夫(?=说|让|给|开|看|来|告诉|嘱咐)", "dai4"),
        ("老(?P<c>大)夫", "dai4"),
        ("(?P<c>着)(?=什么急|啥急)", "zhao2"),
        ("(?<=[摔碰冻饿烫吓伤凉])(?P<c>着)(?=[。！，]|$|了|墙|头|手|脚)", "zhao2"),  # 别摔着, 别冻着: get hurt
        ("[火灯](?P<c>着)了", "zhao2"),
        ("(?<=[拉牵握挽])(?P<c>着)手", "zhe5"),
        ("(?P<c>没)过了?(?:膝盖|脚踝|腰|头顶|脖子|小腿|大腿|胸口)", "mo4"),
        ("(?P<c>累)(?:垮|坏|倒|病)", "lei4"),
        ("(?P<c>结)得(?:特别|很|真|挺)?多", "jie1"),
        ("(?P<c>长)相", "zhang3"),
        ("长(?P<c>相)", "xiang4"),
        ("(?P<c>长)长了", "zhang3"),
        ("(?P<c>露)了?(?:一手|底|馅|脸|面|怯|富)", "lou4"),
        ("(?<![类相近酷貌好恰胜])(?P<c>似)的", "shi4"),  # 飞也似的, not 类似的
        ("(?P<c>便)宜", "pian2"),
        ("(?P<c>分)量", "fen4"),
        ("成(?P<c>分)", "fen4"),
        ("(?P<c>切)(?:到|破|伤|开|成|好)", "qie1"),
        ("(?P<c>号)(?:哭|叫|啕)", "hao2"),
        ("面(?P<c>和)(?:好|匀|开)", "huo2"),
        ("(?P<c>处)处", "chu4"),
        ("处(?P<c>处)", "chu4"),
        ("(?P<c>尽)(?:量|快|早|管)", "jin3"),
        ("没(?P<c>还)(?=呢|吧|吗|[，。！？]|$)", "huan2"),
        ("一(?P<c>觉)(?:醒|睡到|到天亮)", "jiao4"),
        ("中(?P<c>间)", "jian1"),
        ("(?P<c>转)(?:个不停|来转去|圈)", "zhuan4"),
        ("(?P<c>得)罪", "de2"),
        ("终(?P<c>了)", "liao3"),
        ("[真太](?P<c>背)(?=[了，。！]|$)", "bei4"),  # 今天真背: unlucky
        ("一(?P<c>教)就", "jiao1"),  # 一教就会
        ("(?:很|太|越来越|更|最|较|比较|非常|特别|这么|那么)(?P<c>少)", "shao3"),
        ("(?:船|刀|玻璃|钉子)(?P<c>划)", "hua2"),
        ("(?P<c>划)了?(?:一根)?火柴", "hua2"),
        ("(?:性|力|气|质量|成绩|态度|服务|条件|视力|身体|水平|效果|信号)(?P<c>差)", "cha4"),
        ("变(?P<c>差)", "cha4"),
        ("(?P<c>干)(?:死|裂|透|枯|巴巴)", "gan1"),
        ("(?:就|权|只)(?P<c>当)(?:是|作|成)", "dang4"),
        ("(?:^|(?<=[，,。：；]))(?P<c>得)(?=[换买去来做找用改走看加再先])", "dei3"),
        ("(?P<c>种)(?=[一两三几]?[棵株])", "zhong4"),
        ("(?:不|很|太|真|好|挺|多)(?P<c>累)", "lei4"),
        ("(?P<c>累)得", "lei4"),
        (f"(?P<c>落)在(?:{'|'.join(LEFT_BEHIND)})", "la4"),
        ("(?P<c>钻)(?:个|一个|了个|进|出|到)", "zuan1"),
        ("里(?P<c>钻)", "zuan1"),
        ("(?P<c>长)到[一二三四五六七八九十两几0-9]", "zhang3"),
        ("(?:不|很|太|真|挺|更|最)(?P<c>难)", "nan2"),
        ("理[^，。！？]{0,3}(?P<c>发)", "fa4"),
        ("(?P<c>调)(?:到|成)[一二三四五六七八九十两零0-9]+度", "tiao2"),
        ("(?:温度|音量|空调|亮度|声音)[^，。！？]{0,4}(?P<c>调)", "tiao2"),
        ("该(?P<c>还)了", "huan2"),
        ("(?P<c>还)(?:书|钱|债)", "huan2"),
        ("不得(?P<c>了)", "liao3"),
        ("(?P<c>差)得远", "cha4"),
        ("(?P<c>乐)(?:坏了|得合不拢|开了花)", "le4"),
        ("(?P<c>中)了?(?:对方的|敌人的|他的|别人的)?(?:圈套|计|埋伏|暑|邪|枪)", "zhong4"),
        ("(?<=[0-9])(?P<c>弄)", "long4"),  # 596弄: a lane
        ("(?P<c>弄)(?=堂|社区)", "long4"),  # 弄堂
        # 涌 chōng ends a place name in Guangdong and Hong Kong (麻涌, 葵涌, 鸭涌河); the verb yǒng has a complement.
        (f"(?<=[{HAN_CLASS}])(?<![汹泉喷奔潮管翻云蜂前波浪])(?P<c>涌)(?=[、，。；）]|河|两岸|村|镇|口|社区|站|路|$)", "chong1"),
    )
)

# Verbs said twice (教教我, 缝一缝, 量了量, 数一数): both are the verb, whatever the model makes of the
# second, which no dictionary lists.
DOUBLED_VERBS = {"教": "jiao1", "缝": "feng2", "量": "liang2", "数": "shu3", "转": "zhuan4"}
_DOUBLED = re.compile(f"([{''.join(DOUBLED_VERBS)}])(一|了|了又|又)?\\1")

IDIOM_TAGS = frozenset(("i", "l"))
# What 地 starts as the noun "ground, place" after a name: 慢条斯理 is tagged nz like 加勒比海.
PLACE_AFTER_DI = frozenset("区方带图址理域段点面表")


def _doubled(before: str) -> bool:
    """Whether `before` ends in a doubled form: AA, AABB, ABAB, or 一A一B."""
    a = before[-4:]
    if len(before) >= 2 and before[-1] == before[-2] and before[-1] not in "一":
        return True
    return len(a) == 4 and ((a[0] == a[1] and a[2] == a[3]) or a[:2] == a[2:] or (a[0] == a[2] == "一"))


def _adverbial_de(text: str, spans: list[tuple[int, int]], position: int) -> RuleReading | None:
    before = text[max(0, position - 4) : position]
    if not before or set(before[-1:]) & CLAUSE_END:
        return None
    word = next((text[s:e] for s, e in spans if e == position), "")
    tag = tag_of(word) if len(word) == 4 else ""
    idiom = tag in IDIOM_TAGS or (tag == "nz" and text[position + 1 : position + 2] not in PLACE_AFTER_DI)
    if _doubled(before) or idiom:
        return RuleReading("de5", "adverbial-de", f"地 after {word if idiom else before[-2:]} is the particle {marked('de5')}")
    return None


def rule_readings(text: str, spans: list[tuple[int, int]]) -> dict[int, RuleReading]:
    """The readings the rules decide in `text`, by offset; `spans` are its words."""
    found: dict[int, RuleReading] = {}
    for char, pattern, reading in PHRASES:
        if char in text:
            for match in pattern.finditer(text):
                found[match.start("c")] = RuleReading(reading, "phrase", f"{char} in {match.group()} is {marked(reading)}")
    for match in _DOUBLED.finditer(text):
        reading = DOUBLED_VERBS[match.group(1)]
        for position in (match.start(), match.end() - 1):
            found[position] = RuleReading(reading, "doubled-verb", f"{match.group()} is the verb {marked(reading)} said twice")
    for position, char in enumerate(text):
        if char == "地":
            reading = _adverbial_de(text, spans, position)
            if reading is not None:
                found[position] = reading
    for index, (start, end) in enumerate(spans):
        if text[end - 1] != "为" or (end - start > 1 and word_allows(text[start:end], end - 1 - start)):
            continue  # 为 alone, or ending a word no dictionary lists (真为你感到骄傲), not a listed one (认为)
        reading = _preposition_wei(text, *split_at(spans, index, end - 1))
        if reading is not None:
            found[end - 1] = reading
    return found
