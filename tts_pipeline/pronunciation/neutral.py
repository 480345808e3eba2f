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
    巴掌 把手 白净 帮手 棒槌 包袱 包涵 比方 扁担 别扭 拨弄 簸箕 补丁 不由得 不在乎 部分 裁缝 财主 差事 柴火 除了 锄头 刺猬 凑合 耷拉 答应 打点 打发 大爷 耽搁 耽误
    道士 灯笼 提防 弟弟 弟兄 东家 动弹 嘟囔 对付 多么 甘蔗 干事 高粱 膏药 疙瘩 哥哥 跟头 工夫 公公 功夫 姑姑 寡妇 怪物 官司 闺女 蛤蟆 行当 和尚 红火 后头 厚道 胡琴
    皇上 幌子 活泼 火候 脊梁 记号 记性 家伙 架势 嫁妆 见识 将就 交情 叫唤 街坊 姐夫 姐姐 戒指 舅舅 窟窿 快活 阔气 喇叭 喇嘛 懒得 老婆 老爷 姥姥 篱笆 利落 利索 痢疾
    连累 溜达 妈妈 麻利 码头 忙活 冒失 媒人 妹妹 门道 眯缝 迷糊 苗头 名堂 木匠 那么 奶奶 难为 念叨 娘家 奴才 女婿 疟疾 牌楼 屁股 铺盖 欺负 勤快 扫帚 上司 烧饼 少爷
    什么 师父 石匠 拾掇 使唤 似的 收成 首饰 叔叔 舒坦 疏忽 爽快 思量 太太 特务 挑剔 跳蚤 铁匠 妥当 唾沫 挖苦 娃娃 为了 稳当 稀罕 吓唬 乡下 相声 小伙子 心思 星星 猩猩
    行李 秀才 学问 丫头 衙门 胭脂 烟筒 秧歌 养活 吆喝 妖精 爷爷 应酬 冤枉 月饼 在乎 怎么 扎实 眨巴 栅栏 张罗 帐篷 丈人 招牌 这么 指甲 主意 转悠 壮实 状元 字号 自在
    祖宗 作坊 唠叨 硬朗 哈欠 泥鳅
    """.split()
)

# Longer words ending in one of NEUTRAL_LAST whose last syllable 现代汉语词典 gives in the full tone:
# 学生 xuésheng, but 小学生 xiǎoxuéshēng (polyphones._neutral asks this before neutral_syllable).
FULL_LONGER = frozenset("小学生 中学生 大学生 留学生 研究生 医学生 高中生 初中生 士大夫 上大夫 中大夫 下大夫".split())

# Words that, right before a noun, mean what their full-tone reading means: 地方政府 dìfāng "local", 东西走向 dōngxī.
FULL_BEFORE_NOUN = frozenset(("地方", "东西"))
# Words after them that jieba does not tag as nouns but that ask for that sense (东西走向, 东西两侧).
SENSE_WORDS = frozenset(("走向", "方向", "两侧", "两边", "之间", "向"))


@lru_cache(maxsize=4096)
def neutral_syllable(word: str, offset: int) -> str | None:
    """The neutral-tone syllable of word[offset] when offset is the word's last and the word is one of
    NEUTRAL_LAST or ends in one (看不清楚, 麻婆豆腐, 换衣服)."""
    if offset != len(word) - 1:
        return None
    ending = next((word[k:] for k in range(len(word) - 1) if word[k:] in NEUTRAL_LAST), None)
    if ending is None:
        return None
    char = word[offset]
    listed = {toneless(s) for s in word_allows(ending, len(ending) - 1)}
    base = next(iter(listed)) if len(listed) == 1 else toneless((char_readings(char) or ("",))[0])
    return f"{base}5" if base else None
