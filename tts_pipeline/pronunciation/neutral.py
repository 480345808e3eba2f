"""Everyday words whose last syllable the standard language reads in the neutral tone.

The phrase dictionaries disagree on the neutral tone: one prints 头发 tóufa,
two tóufà; 地方 "place" is dìfang in 现代汉语词典 and dìfāng in two of the three
lists. Listeners and teachers hear the full tone in these words as a foreign
accent, so the words below, common words that Putonghua proficiency lists
and 现代汉语词典 give a neutral last syllable, are read with one, whatever the
dictionaries' majority. Words whose neutral tone depends on the sense
(东西 "thing" / "east and west", 地方 "place" / "local") are listed in the
sense everyday text means most; before a noun (FULL_BEFORE_NOUN: 地方政府,
东西走向) polyphones.py reads the other sense, in the full tone.
Reduplicated kin terms and -子/-头 nouns are left to the dictionaries, which
already agree on them.
"""
from __future__ import annotations

from functools import lru_cache

from .lexicon import word_allows
from .readings import char_readings, toneless

NEUTRAL_LAST = frozenset(
    """
    东西 地方 时候 明白 喜欢 告诉 衣服 衣裳 事情 意思 知道 客气 漂亮 认识 休息 先生 学生
    朋友 麻烦 舒服 清楚 消息 窗户 豆腐 月亮 太阳 眼睛 头发 暖和 商量 关系 知识 名字
    丈夫 媳妇 姑娘 亲戚 大夫 师傅 打扮 打听 打算 打量 招呼 吩咐 嘱咐 咳嗽 聪明 糊涂
    马虎 老实 结实 踏实 热闹 凉快 痛快 厉害 干净 新鲜 收拾 折腾 琢磨 萝卜 葡萄 核桃
    点心 馒头 枕头 石头 木头 骨头 舌头 指头 念头 尾巴 嘴巴 下巴 哑巴 脑袋 口袋 故事 本事
    生意 买卖 队伍 早上 晚上 笑话 耳朵 钥匙 护士 玻璃 喉咙 胳膊 眉毛 谢谢 合同 力气
    脾气 运气 福气 小气 规矩 道理 委屈 机灵 称呼 动静 风筝 时辰 日子 院子 屋子
    云彩 庄稼 粮食 牲口 畜生 石榴 芝麻 蘑菇 黄瓜 南瓜 西瓜 冬瓜 苍蝇 蚊子 狐狸 骆驼
    困难 能耐 体面 模糊 含糊 啰嗦 苗条 秀气 大方 和气 客人 亲家 伙计 爱人 记得
    晓得 认得 觉得 懂得 值得 舍得 免得 使得 怪不得 了不得 巴不得 算计 盘算 合计
    便宜 累赘 答理 搭理 薄荷 岁数 难处 数落
    """.split()
)

# Longer words ending in one of NEUTRAL_LAST whose last syllable 现代汉语词典 gives in the full tone:
# 学生 xuésheng, but 小学生 xiǎoxuéshēng.
FULL_LONGER = frozenset("小学生 中学生 大学生 留学生 研究生 医学生 高中生 初中生".split())

# Words that, right before a noun, mean what their full-tone reading means: 地方政府 dìfāng "local", 东西走向 dōngxī.
FULL_BEFORE_NOUN = frozenset(("地方", "东西"))
# Words after them that jieba does not tag as nouns but that ask for that sense (东西走向, 东西两侧).
SENSE_WORDS = frozenset(("走向", "方向", "两侧", "两边", "之间", "向"))


@lru_cache(maxsize=4096)
def neutral_syllable(word: str, offset: int) -> str | None:
    """The neutral-tone syllable of word[offset] when offset is the word's last and the word is one of
    NEUTRAL_LAST or ends in one (看不清楚, 麻婆豆腐, 换衣服)."""
    if offset != len(word) - 1 or word in FULL_LONGER:
        return None
    ending = next((word[k:] for k in range(len(word) - 1) if word[k:] in NEUTRAL_LAST), None)
    if ending is None:
        return None
    char = word[offset]
    listed = {toneless(s) for s in word_allows(ending, len(ending) - 1)}
    base = next(iter(listed)) if len(listed) == 1 else toneless((char_readings(char) or ("",))[0])
    return f"{base}5" if base else None
