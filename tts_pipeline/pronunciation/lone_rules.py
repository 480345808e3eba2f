"""Rules for polyphones that stand alone as a word: the words around them decide.

Inside a word the dictionaries settle a reading (银行 háng, 头发 fa); a
character that jieba leaves as a word of its own is the hard case, and the
context model, trained on Wikipedia, reads everyday grammar badly: 慢慢地 dì,
明天还你 hái, 跑得快 dé. Each rule below is one a teacher would state,
looking only at the word before and the word after:

- 地 after an adverbial of two or more characters (慢慢地, 认真地) is the
  particle de; after a one-character word or a noun or measure word it is dì.
- 得 after a verb or adjective (跑得快, 高兴得跳) is the particle de; after a
  subject, a time or an adverb and before a verb (我得走了, 明天得早起) it is
  děi "must"; before 了/过/到 as the main verb (他得了第一) it is dé.
- 了 in a potential complement (去不了, 来得了) is liǎo.
- 着 after 不/得 (睡不着, 用得着) or in 找着了 is zháo; a move in chess
  (这一着) zhāo; 穿着 after 的 (她的穿着) zhuó; otherwise the particle zhe.
- 还 after a modal or 没 (要还, 还要还, 没还) or before a person or 钱/书 (还你,
  还钱) is huán "give back"; otherwise hái.
- 长 after a degree word (很长, 又长) is cháng; before 高/大/出/胖/满 zhǎng.
- 只 after a numeral or demonstrative before a noun (一只猫, 这只鸟) is zhī.
- 种 after a numeral or demonstrative (这种) is zhǒng; before a plant or
  了/出/下 (种花, 种了) zhòng.
- 数 before 一/了/过/清/钱 … (数一数, 数钱) is the verb shǔ.
- 中 after a verb of hitting a target (射中, 考中) or before 了 (他中了奖) is zhòng.
- 重 after a degree word is zhòng; before a verb (重来, 重写) chóng.
- 背 before 着/起/上/不/下/到 (背着书包) is bēi; before what one recites
  (背课文) bèi.
- 看 before 孩子/家/门/行李 (看孩子) is kān.
- 调 after 上/下 or before 大/小/高/低/好/整/到 (调大, 下调) is tiáo; before
  到/往 and a place (调到香港) diào.
- 干 after a degree word (很干) is gān; before 什么/活/嘛 gàn.
- 曾/单 after 姓 or before a title (曾老师, 单先生) are the surnames zēng/shàn.
- 行 after a numeral, not before 人 (一行字) is háng.
- 和 before 面/泥 at the head of a verb phrase (和面) is huó.
- 的 after 打 before a verb or at the end of a clause (打的去) is dī.
- 发 after 理/短/长/白/烫/染/剪 … (理发, 短发) is fà.
- 量 before 一/了/过/体温/血压 … (量体温) is the verb liáng.
- 空 after 抽/有/没 (抽空) is kòng.
- A character that is a verb in one reading and a noun in another (撒 sǎ,
  铺 pū, 钉 dìng, 弄 nòng, 卷 juǎn, 缝 féng, 钻 zuān, 塞 sāi, 扎 zhā, 夹 jiā,
  磨 mó, 担 dān, 刨 páo) takes its verb reading before a complement of place
  or result (撒在, 铺上, 钉进, 弄干, 卷起) or after 把/被/将 (把门钉上).
"""
from __future__ import annotations

from dataclasses import dataclass

from .grammar import CLAUSE_END
from .lexicon import lexicon
from .segment import word_tag

DEGREE = frozenset("很 太 真 又 好 最 更 挺 特别 非常 比较 这么 那么 多 够 有点 有点儿 有些 相当 十分 极 越来越 不".split())
NUMERAL_ENDS = "一二三四五六七八九十两几每"
DEMONSTRATIVES = "这那哪"
NUMERALS = frozenset("一 二 三 四 五 六 七 八 九 十 两 几 半 每 这 那 哪 某 各 多 第 最后一 好几 一百".split())
MODALS = frozenset("要 得 会 能 该 应该 必须 按时 及时 准时 没 没有 不 去 来 快 早点 赶紧 马上 记得 忘 忘了 别".split())
PERSONS = frozenset("你 我 他 她 它 你们 我们 他们 她们 人家 大家 别人 人 给 钱 书 债 账 款 贷款 房贷 回去 回来 回 清".split())
TITLES = frozenset(
    "先生 老师 女士 小姐 医生 医师 经理 教授 主任 总 同学 阿姨 叔叔 大爷 大妈 师傅 校长 局长 部长 "
    "处长 科长 市长 县长 总经理 董事长 律师 记者 博士 家 太太 奶奶 爷爷 教练 大娘 大姐 大哥 大叔 老先生 老 "
    "院士 书记 队长 院长 所长 主席 总裁 导演 作家 画家 护士 师父 老板 姐 哥 某 氏".split()
)
# Roles written right before a full name in news: 主任医师仇立新, 村支书解长青, 新任校长任建国.
ROLES = ("医师", "支书", "书记", "校长", "主任", "教授", "记者", "院长", "局长", "市长", "县长", "队长", "所长",
         "经理", "主席", "导演", "作家", "教练", "专家", "代表", "委员", "厂长", "村长", "老师", "同学", "选手")
# What follows a full name in a news sentence: 曾庆华在…, 单雄在…, 仇立新说.
AFTER_NAME = frozenset("在 说 表示 是 的 曾 也 还 今年 回忆 认为 指出 介绍 告诉 生前 早年 当选 获得 夺得 跑出 带领".split())
# Polyphones that are also surnames, with the surname reading.
SURNAMES = {
    "解": "xie4", "仇": "qiu2", "查": "zha1", "区": "ou1", "盖": "ge3", "华": "hua4", "任": "ren2", "种": "chong2",
    "单": "shan4", "曾": "zeng1", "燕": "yan1", "朴": "piao2", "缪": "miao4", "覃": "qin2", "纪": "ji3",
    "翟": "zhai2", "尉": "yu4", "召": "shao4", "繁": "po2",
}
# The words a rule looks at stop at a clause end and also at an enumeration comma, quotes and brackets.
CONTEXT_ENDS = CLAUSE_END | frozenset("、“”‘’「」《》（）()—")
NOUN_TAGS = frozenset("n nr ns nt nz ng m q mq r s f t".split())
# Tags of a word that a measure word before it cannot count: verbs, adverbs, prepositions, particles …
NOT_COUNTED_TAGS = tuple("v d p c u r y e o".split())
PLACE_TAGS = frozenset("ns nt s".split())


@dataclass(frozen=True)
class Around:
    """The words before and after a one-character word, "" past the clause."""

    before: str
    after: str
    before2: str
    after2: str


def _around(text: str, spans: list[tuple[int, int]], index: int) -> Around:
    def word(k: int) -> str:
        if 0 <= k < len(spans):
            found = text[spans[k][0] : spans[k][1]]
            return "" if set(found) & CONTEXT_ENDS or found.isspace() else found
        return ""

    before, after = word(index - 1), word(index + 1)
    return Around(before, after, word(index - 2) if before else "", word(index + 2) if after else "")


def _counted(word: str, ends: str) -> bool:
    """Whether a measure word after `word` counts something: `word` is a numeral or demonstrative
    (NUMERALS) or ends in one of `ends` (两只, 这只, 最后一行)."""
    return bool(word) and (word in NUMERALS or word[-1] in ends)


def _verbal(word: str) -> bool:
    return bool(word) and (word_tag(word).startswith(("v", "a")) or word in ("上", "下", "进", "出", "回", "过", "起"))


def _de_ground(a: Around) -> str | None:  # 地
    if len(a.before) >= 2 and word_tag(a.before) not in NOUN_TAGS and a.after and a.after[0] not in "上下里面区方点图铁震":
        return "de5"
    if len(a.before) >= 2 and a.before[0] == a.before[1] and a.after:
        return "de5"  # 慢慢, 高高兴兴 that jieba does not tag
    return "di4"


def _de_get(a: Around) -> str | None:  # 得
    if a.before in ("只", "不", "免", "使", "获", "取", "夺", "赢", "博", "记", "懂", "觉", "值", "舍", "难", "显"):
        return None  # 只得, 不得, 免得 …: words of their own
    tag = word_tag(a.before)
    person = tag.startswith("r") or a.before in MODALS
    if a.before and not person and (a.after in DEGREE or a.after[:1] in ("很", "太", "真", "挺", "像", "直") or a.after in ("要命", "不行", "厉害")):
        return "de5"  # 红得像苹果, 结实得很, 上得很快, 烙得真薄: what follows says how, whatever jieba tags before
    if a.after in ("不到", "不了", "不着"):
        return "de2"  # 还得不到: obtain
    if not a.before or tag.startswith(("r", "n", "t", "d", "f", "s")) or a.before in MODALS:
        if a.after in ("了", "过", "到", "奖", "分"):
            return "de2"
        if a.after and (word_tag(a.after).startswith(("v", "d", "p", "i", "l", "j", "t", "r")) or a.after in ("早点", "早点儿", "先")
                        or (person and (a.after in DEGREE or a.after[:1] in ("很", "太")))):  # 我们得很小心
            return "dei3"
        return None
    return "de5"


def _le(a: Around) -> str | None:  # 了
    if a.before in ("不", "得") and _verbal(a.before2):
        return "liao3"
    if len(a.before) == 2 and a.before[1] in "不得" and _verbal(a.before[0]) and not lexicon().get(a.before):
        return "liao3"  # 吃不了 joined by jieba (not 取得了, 觉得了: words of their own)
    return "le5"


def _zhe(a: Around) -> str | None:  # 着
    if a.before[-1:] in ("不", "得"):
        return "zhao2"
    if a.before[-1:] in ("找", "睡", "猜", "摸", "见", "碰", "逮", "抓", "够", "点", "烧") and a.after in ("了", "啦", "吗", "呢", "没有", ""):
        return "zhao2"
    if a.before in ("一", "这", "那", "高", "绝", "妙", "险", "损", "新", "这一", "那一") and a.after in ("", "棋", "儿"):
        return "zhao1"
    if a.before == "穿" and a.before2 == "的":
        return "zhuo2"
    return "zhe5"


def _huan(a: Around) -> str | None:  # 还
    modal = a.before in MODALS or (len(a.before) == 2 and a.before[0] in "还也就都又才" and a.before[1] in MODALS)
    if modal and (not a.after or a.after in PERSONS or word_tag(a.after).startswith(("m", "t"))):
        return "huan2"
    if a.after in PERSONS and a.after not in ("人", "回", "清") and a.after2 not in ("是", "在", "有", "要", "会", "没", "不", "想"):
        returned = a.after in ("钱", "书", "债", "账", "款", "贷款", "房贷", "给")
        if returned or not a.after2 or word_tag(a.after2).startswith(("n", "m", "q")):
            return "huan2"
    return None


def _chang(a: Around) -> str | None:  # 长
    if a.before in DEGREE or a.after in ("时间", "期", "久", "途", "篇", "假", "寿", "跑", "度"):
        return "chang2"
    if a.before and a.before[-1] in "家校班组队部局市县村里厂院社处科署州省船机团" and len(a.before) == 1:
        return "zhang3"  # 家长, 里长: the head of
    if a.after and a.after[0] in "高大出胖满" and not (a.after == "大" and a.before in DEGREE):
        return "zhang3"
    if a.after in ("得", "着") or (a.after == "了" and word_tag(a.after2).startswith("m") and a.after2 not in ("一点", "一点儿", "一些")):
        return "zhang3"  # 长得很高, 长着一张圆脸, 长了一岁: grow (not 长了一点儿: too long)
    return None


def _zhi(a: Around) -> str | None:  # 只
    if a.after in ("身", "只") or a.before in ("只", "一只"):
        return "zhi1"  # 只身; 一只只: each one
    if _counted(a.before, NUMERAL_ENDS + DEMONSTRATIVES) and a.after2 == "的" and a.after not in ("是", "有", "要"):
        return "zhi1"  # 那只受伤的小鸟
    if _counted(a.before, NUMERAL_ENDS + DEMONSTRATIVES) and a.after:
        if not word_tag(a.after).startswith(NOT_COUNTED_TAGS) and a.after not in ("好", "有", "是", "要"):
            return "zhi1"  # 一只猫, 这只鸟 (jieba tags 鸟 zg): what follows is counted
    return None


def _zhong_plant(a: Around) -> str | None:  # 种
    if _counted(a.before, NUMERAL_ENDS + DEMONSTRATIVES + "各"):
        return "zhong3"
    crops = "花树菜草地田瓜果豆稻麦苗粮米蒜葱姜茶棉"
    if a.after and (a.after in ("了", "过", "着", "出", "出来", "下", "上", "满", "的", "得", "在") or a.after[0] in crops or a.after[-1] in crops):
        return "zhong4"
    return None


def _shu(a: Around) -> str | None:  # 数
    if a.after and a.after[0] in "十百千万天个年月日次人位名种倍家条项所":
        return "shu4"  # 数十, 数天: "several"
    if a.after in ("一", "了", "过", "着", "清", "不", "钱", "到", "数", "一数", "得", "星星", "一下") or a.after.startswith("不") \
            or a.before in ("一", "把", "又", "数一"):
        return "shu3"
    return None


def _zhong_hit(a: Around) -> str | None:  # 中
    if "在" in (a.before, a.before2):
        return "zhong1"  # 消失在人群中了: in, among
    if a.before in ("射", "考", "猜", "打", "击", "选", "看", "正", "命", "一语", "押", "抽", "说"):
        return "zhong4"
    if a.after == "了" and a.before and not word_tag(a.before).startswith(("p", "f", "m")):
        return "zhong4"
    return None


def _chong(a: Around) -> str | None:  # 重
    if a.before in DEGREE:
        return "zhong4"
    if a.after and a.after[0] in "来做写读画说装修建启播考演拍选返组申算排游温听看新" and len(a.after) <= 2:
        return "chong2"
    return None


def _bei(a: Around) -> str | None:  # 背
    recited = ("课文", "单词", "单字", "书", "诗", "古诗", "唐诗", "台词", "公式", "口诀", "生词", "词", "课")
    if a.after in recited or a.after in ("熟", "会", "诵", "过") or any(w.endswith(recited) for w in (a.after, a.after2) if w):
        return "bei4"
    if a.after and a.after[0] in "着起上不下到走回动" or a.after in ("著",):
        return "bei1"
    return None


def _kan(a: Around) -> str | None:  # 看
    if a.after in ("孩子", "小孩", "孩儿", "家", "门", "行李", "摊", "摊子", "仓库"):
        return "kan1"
    if a.after in ("一下", "着", "好") and a.after2 in ("行李", "孩子", "小孩", "东西", "门"):
        return "kan1"
    return None


def _tiao(a: Around) -> str | None:  # 调
    if a.before == "上" and word_tag(a.after) in PLACE_TAGS | {"nt", "n"}:
        return "diao4"  # 上调天津队: moved up to
    if a.before in ("下", "上", "微", "再", "可以"):
        return "tiao2"  # 下调, 上调 (prices, rates)
    setting = a.after2[-1:] in ("度", "档", "号") or a.after2.startswith(("最", "静音", "频道", "模式"))
    moved = "把" not in (a.before, a.before2) or a.before in PRONOUNS  # 把他调到香港, not 把音量调到
    if a.after in ("到", "往", "去", "来", "走") and moved and not setting and a.after2:
        return "diao4"  # 调到香港, 调到了上海, 调往北京: a move to a post
    if a.after and a.after[0] in "大小高低好整到成休" and len(a.after) <= 2:
        return "tiao2"
    return None


def _gan(a: Around) -> str | None:  # 干
    if a.before in DEGREE or a.before in ("吹", "晾", "晒", "烘", "擦", "烤", "风", "阴"):
        return "gan1"  # 很干; 吹干, 晒干: dry as a result
    if a.before in ("一", "不", "别", "可不", "不想", "能", "肯", "想", "要", "愿意", "敢", "会", "来", "着", "再") \
            or a.after in ("这行", "这个", "那个", "这种", "工作"):
        return "gan4"  # 一干就是十年, 我可不干, 不想干
    if a.after == "了" and a.after2 in ("", "没有", "没", "吗", "吧", "呢"):
        return "gan1"  # 衣服干了。 叶子都干了。 干了没有？: the clause ends in the change of state
    if a.after in ("什么", "嘛", "吗", "活", "啥", "事", "完", "了", "过", "得", "点儿", "点", "不了", "不动") or (a.after == "的" and not a.after2):
        return "gan4"  # 干点儿活儿, 就是他干的
    return None


def _surname(reading: str, other=None):
    """The surname reading after 姓, before a title (解教授, 查老先生), after a role (村支书解长青), or at
    the head of a full name jieba does not know that a name's verbs follow (曾庆华在, 单雄在); else
    the character's own rule, if any."""
    def rule(a: Around) -> str | None:
        if a.before == "姓" or a.after in TITLES or (not a.before and word_tag(a.after) == "nr"):
            return reading
        given = 1 <= len(a.after) <= 2 and not word_tag(a.after) and not lexicon().get(a.after)
        if given and (a.before.endswith(ROLES) or (a.after2 in AFTER_NAME and not word_tag(a.before).startswith(("v", "p")))):
            return reading
        return other(a) if other else None

    return rule


def _jiao(a: Around) -> str | None:  # 觉
    if a.before in ("睡", "好", "个", "一", "午", "懒", "场", "没睡", "睡个", "睡了") or "睡" in a.before + a.before2:
        return "jiao4"  # 睡觉, 睡个好觉, 睡不好觉
    return None


def _dang(a: Around) -> str | None:  # 当
    if a.after in ("天", "晚", "日", "夜", "月") and a.before not in ("在", "正"):
        return "dang4"  # 当天 "that same day"
    return None


def _dou(a: Around) -> str | None:  # 都
    if a.after and a.after[0] in "市城":
        return "du1"
    if a.after and word_tag(a.after)[:1] in tuple("vdaplc"):
        return "dou1"
    return None


def _zhuan(a: Around) -> str | None:  # 传
    if a.before in ("前", "自", "正", "外", "别", "列", "评", "后") and not (a.after and word_tag(a.after).startswith("v")):
        return "zhuan4"
    return None


def _hang(a: Around) -> str | None:  # 行
    if _counted(a.before, NUMERAL_ENDS) and a.after != "人":
        return "hang2"
    return None


def _huo(a: Around) -> str | None:  # 和
    if a.after and a.after[0] in "面泥" and (not a.before or a.before in ("在", "正在", "正", "先", "要", "会", "来", "去", "帮", "给", "里")):
        return "huo2"
    return None


def _di_taxi(a: Around) -> str | None:  # 的
    if a.before == "打" and (not a.after or a.after == "的" or word_tag(a.after).startswith("v")):
        return "di1"
    return None


def _fa(a: Around) -> str | None:  # 发
    if a.before and a.before[-1] in "理短长白黑烫染剪卷秀银削护洗毛" and len(a.before) == 1:
        return "fa4"
    return None


def _liang(a: Around) -> str | None:  # 量
    if a.after in ("一", "了", "过", "体温", "血压", "身高", "尺寸", "一下", "一量", "好", "一次", "两次") \
            or a.after2 in ("体温", "血压", "身高", "尺寸"):
        return "liang2"
    return None


PRONOUNS = frozenset("我 你 他 她 它 您 我们 你们 他们 她们 咱们 大家 人家 别人 人".split())


def _chong_towards(a: Around) -> str | None:  # 冲
    if a.after in PRONOUNS or a.after[:1] in ("我", "你", "他", "她", "您") or a.before in DEGREE \
            or (a.after == "着" and (a.after2 in PRONOUNS or word_tag(a.after2).startswith("n"))):
        return "chong4"  # 冲我笑, 冲着陌生人叫 (towards); 说话很冲 (blunt)
    return None


def _la(a: Around) -> str | None:  # 落
    if a.after == "在" and "把" in (a.before, a.before2):
        return "la4"  # 把钥匙落在…: left behind (the places it is left in: grammar.LEFT_BEHIND)
    return None


def _zhuan_turn(a: Around) -> str | None:  # 转
    if (a.before == "一" and not a.after) or a.after in ("得", "着") or "圈" in a.after + a.after2 or a.after2 in ("一下", "一下儿"):
        return "zhuan4"  # 眼珠一转, 转得太响, 转了好几圈: turning round
    return None


def _dang_take(a: Around) -> str | None:  # 当 (after 当天 …)
    if a.after in ("成", "作", "做") or (a.before in PRONOUNS and a.after == "是"):
        return "dang4"  # 把你当成, 我当是谁: take for
    return _dang(a)


def _ji_tie(a: Around) -> str | None:  # 系
    tied = ("鞋带", "领带", "围巾", "安全带", "扣子", "腰带", "绳子", "红领巾", "丝带")
    if a.after in tied or a.after2 in tied:
        return "ji4"
    if word_tag(a.before).startswith("n") and "把" not in (a.before2, a.before):
        return None  # 计算机系在全国很有名: the department
    return _as_verb("ji4")(a)


def _ying(a: Around) -> str | None:  # 应
    if a.after and word_tag(a.after)[:1] in tuple("vdapc") and a.after not in ("声", "了", "着", "过", "邀", "聘"):
        return "ying1"  # 应尽早就医, 应及时, 应先拨打: should
    return None


def _cha(a: Around) -> str | None:  # 差
    if a.before in DEGREE or a.after == "得":
        return "cha4"  # 服务太差了, 还差得远
    return None


def _hao(a: Around) -> str | None:  # 好
    if a.after in ("了", "的") and (_verbal(a.before) or a.before in VERB_READINGS):
        return "hao3"  # 缝好了, 做好的: done
    return None


def _bo(a: Around) -> str | None:  # 薄
    if word_tag(a.after) in ("nr", "ns", "nrt", "nz") or a.after[-1:] in ("省", "县", "市"):
        return "bo2"  # the surname and place names (薄辽省); alone it is otherwise báo, thin
    return None


def _lei(a: Around) -> str | None:  # 累
    if a.after[:1] and a.after[0] in "迁转升擢任官积计及":
        return "lei3"  # 累迁, 累官: repeatedly (promoted), in histories
    return None


def _xue(a: Around) -> str | None:  # 削
    if any(w[:1] and w[0] in "官爵藩籍职权品减弱" for w in (a.after, a.after2)):
        return "xue1"  # 削去官职, 削亲王品级: strip of rank
    return None


def _kong(a: Around) -> str | None:  # 空
    if a.before in ("抽", "有", "没", "没有", "得"):
        return "kong4"
    return None


# Readings of a character as a verb, where its other readings are nouns (or a rarer verb).
VERB_READINGS = {
    "撒": "sa3", "铺": "pu1", "钉": "ding4", "弄": "nong4", "卷": "juan3", "缝": "feng2", "钻": "zuan1",
    "塞": "sai1", "扎": "zha1", "夹": "jia1", "磨": "mo2", "担": "dan1", "刨": "pao2", "藏": "cang2",
    "弹": "tan2",
}
# What follows a verb and not a noun: a complement of direction, place or result, or an aspect particle.
COMPLEMENTS = frozenset("在 上 下 进 入 出 到 满 了 着 过 成 开 起 好 完 住 走 掉 回 干 坏 破 死 平 紧 齐 得 出来 进去 起来 下来 上去 回去 一下".split())


def _as_verb(reading: str):
    def rule(a: Around) -> str | None:
        if a.after in COMPLEMENTS or a.before in ("把", "被", "将", "给"):
            return reading
        return None

    return rule


RULES = {
    "地": _de_ground, "得": _de_get, "了": _le, "着": _zhe, "还": _huan, "长": _chang, "只": _zhi,
    "种": _zhong_plant, "数": _shu, "中": _zhong_hit, "重": _chong, "背": _bei, "看": _kan, "调": _tiao,
    "干": _gan, "行": _hang, "和": _huo, "的": _di_taxi,
    "发": _fa, "量": _liang, "空": _kong, "觉": _jiao, "当": _dang_take, "都": _dou, "传": _zhuan,
    "冲": _chong_towards, "落": _la, "转": _zhuan_turn, "累": _lei, "削": _xue, "系": _ji_tie, "差": _cha,
    "好": _hao, "应": _ying, "薄": _bo,
    **{char: _as_verb(reading) for char, reading in VERB_READINGS.items()},
}


RULES.update({char: _surname(reading, RULES.get(char)) for char, reading in SURNAMES.items()})


def lone_reading(text: str, spans: list[tuple[int, int]], index: int) -> str | None:
    """What the rules decide for the one-character word spans[index], or None."""
    start, end = spans[index]
    rule = RULES.get(text[start]) if end - start == 1 else None
    return rule(_around(text, spans, index)) if rule else None
