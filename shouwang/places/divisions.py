"""GB/T 2260 administrative divisions in use today (province / prefecture city / county), with search.

The list comes from python-stdnum's ``stdnum/cn/loc.dat`` (the code tables of zh.wikipedia),
read through ``stdnum.numdb`` as :mod:`shouwang.people.identity` does. Each name there carries
the years it was in use: ``[-2010]宣武区`` was abolished (merged into 西城区, 110102) and
``[2025-]两江新区`` is current; a code whose names all have a closing year is not offered.

The list is built once per process, on first use (:func:`all_divisions`). Search matches the
query against the names level by level, so ``湖北武汉``, ``hubei wuhan`` and ``hbwh`` all find
湖北省 武汉市; see :func:`search_divisions`.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from pypinyin import Style, lazy_pinyin
from stdnum import numdb

from shouwang.core.errors import InvalidInput

Level = Literal["province", "city", "county"]
_LEVEL_RANK: dict[str, int] = {"province": 0, "city": 1, "county": 2}
_NO_MATCH = 4  # one past the worst grade of _walk

# Placeholder rows of the code table, not places a person lives in: the "districts under the
# city" (市辖区) and "counties" (县) groups of the municipalities, and the "county-level units
# under the province" group (e.g. 429000, over 仙桃市) whose members belong to the province itself.
_GROUPS = frozenset({"市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位", "省直辖行政单位"})

# Readings pypinyin gets wrong in place names (its phrase dictionary already knows 重庆, 长沙,
# 厦门, 蚌埠, 六安, 丽水, 台州, 番禺, 铅山, 亳州, 莘县, 乐亭, 蔚县, 盱眙, 犍为…). Found by reading
# every current name that has a heteronym against the place's official romanisation. First the
# characters with one reading in every place name (长 chang: 长治 长清 长宁; 都 du: 花都 丰都;
# 乐 le: 民乐 南乐; 勒 le: 库尔勒; 什 shi: 什邡 阿图什; 朝 chao: 朝阳市; 佛 fo: 佛坪), then whole
# stems, which win (长子 zhangzi, 乐清 yueqing).
_CHAR_READINGS: dict[str, str] = {
    "长": "chang",
    "都": "du",
    "乐": "le",
    "勒": "le",
    "什": "shi",
    "朝": "chao",
    "佛": "fo",
}
PLACE_READINGS: dict[str, tuple[str, ...]] = {
    "长子": ("zhang", "zi"),
    "乐亭": ("lao", "ting"),
    "乐清": ("yue", "qing"),
    "曾都": ("zeng", "du"),
    "洪洞": ("hong", "tong"),
    "单县": ("shan", "xian"),
    "筠连": ("jun", "lian"),
    "涡阳": ("guo", "yang"),
    "浚县": ("xun", "xian"),
    "荥经": ("ying", "jing"),
    "六合": ("lu", "he"),
    "召陵": ("shao", "ling"),
    "马尾": ("ma", "wei"),
    "蚌山": ("beng", "shan"),
    "漯河": ("luo", "he"),
    "泊头": ("bo", "tou"),
    "闵行": ("min", "hang"),
    "珲春": ("hun", "chun"),
    "万柏林": ("wan", "bai", "lin"),
    "繁峙": ("fan", "shi"),
    "穆棱": ("mu", "ling"),
    "龙圩": ("long", "xu"),
    "覃塘": ("qin", "tang"),
    "崆峒": ("kong", "tong"),
    "浪卡子": ("lang", "ka", "zi"),
    "牟定": ("mu", "ding"),
    "伽师": ("jia", "shi"),
}
# loc.dat spells four districts of 大兴安岭 (2327xx) in traditional characters.
_SIMPLIFY = str.maketrans("區達嶺", "区达岭")

# The 55 recognised minority peoples, as they appear in the names of autonomous areas
# (sometimes without 族: 新疆维吾尔自治区, 巴音郭楞蒙古自治州).
_PEOPLES = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|"
    "纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
    "鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各"  # 各族: 龙胜各族自治县
)
# The last people named before 自治…: 恩施土家族苗族 → 苗族, then 土家族 on the next pass.
_TRAILING_PEOPLE = re.compile(f"(?:{_PEOPLES})族?$")
_AUTONOMOUS = re.compile("自治(?:区|州|县|旗)$")
_SUFFIXES = ("特别行政区", "地区", "林区", "特区", "新区", "矿区", "省", "市", "区", "县", "盟", "旗")
_QUERY_DROP = re.compile(r"[\s'’‘`\-·.,，、]+")


@dataclass(frozen=True)
class Division:
    """One division in use: ``code`` 6 digits; ``label`` the names from province down, space-separated
    (``湖北省 武汉市 江汉区``; a municipality's district has no city: ``北京市 东城区``).

    ``pinyin`` and ``initials`` follow the label part by part: ``hubeisheng wuhanshi jianghanqu``,
    ``hbs whs jhq``.
    """

    code: str
    province: str
    city: str
    county: str
    label: str
    level: Level
    pinyin: str
    initials: str

    @property
    def name(self) -> str:
        """The division's own name: the county, else the city, else the province."""
        return self.county or self.city or self.province


@dataclass(frozen=True)
class _Name:
    """Search forms of one name: full and short (suffix dropped) in characters, pinyin and initials."""

    forms: tuple[str, str, str]  # characters, pinyin, initials
    shorts: tuple[str, str, str]


@dataclass
class _Node:
    division: Division
    name: _Name
    children: list[_Node] = field(default_factory=list)


@dataclass(frozen=True)
class _Index:
    divisions: dict[str, Division]
    roots: list[_Node]


def _current_name(value: str) -> str | None:
    """The name in use from a loc.dat value like ``[1983-2000]石灰窑区,[2001-]西塞山区``, or None.

    A name is in use when it has no years or its years are open-ended (``[2001-]``).
    """
    for entry in value.split(","):
        if not entry.startswith("["):
            return entry
        years, _, name = entry[1:].partition("]")
        if years.endswith("-"):
            return name
    return None


def short_name(name: str) -> str:
    """The name as people say it: 湖北省 → 湖北, 恩施土家族苗族自治州 → 恩施, 香港特别行政区 → 香港.

    A short name keeps at least two characters (房县 stays 房县, 西藏自治区 becomes 西藏).
    """
    if _AUTONOMOUS.search(name):
        stem = name[:-3]
        while (match := _TRAILING_PEOPLE.search(stem)) and match.start() >= 2:
            stem = stem[: match.start()]
        return stem
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _syllables(name: str) -> list[str]:
    # One syllable per character, so that readings and short names apply by position. Every name
    # in loc.dat is Han text; were one not, its non-Han run would come back as one item.
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL)]
    if len(syllables) != len(name):  # pragma: no cover - defensive
        return syllables
    for at, char in enumerate(name):
        if char in _CHAR_READINGS:
            syllables[at] = _CHAR_READINGS[char]
    for stem, readings in PLACE_READINGS.items():
        at = name.find(stem)
        if at >= 0:
            syllables[at : at + len(stem)] = readings
    return syllables


def _name(zh: str, cache_: dict[str, _Name]) -> _Name:
    known = cache_.get(zh)
    if known is not None:
        return known
    syllables = _syllables(zh)
    short = short_name(zh)
    head = syllables[: len(short)]
    made = _Name(
        forms=(zh, "".join(syllables), "".join(s[0] for s in syllables)),
        shorts=(short, "".join(head), "".join(s[0] for s in head)),
    )
    cache_[zh] = made
    return made


def _division(
    code: str,
    level: Level,
    province: tuple[str, _Name],
    city: tuple[str, _Name] | None = None,
    county: tuple[str, _Name] | None = None,
) -> Division:
    parts = [p for p in (province, city, county) if p is not None]
    return Division(
        code=code,
        province=province[0],
        city=city[0] if city else "",
        county=county[0] if county else "",
        label=" ".join(zh for zh, _ in parts),
        level=level,
        pinyin=" ".join(name.forms[1] for _, name in parts),
        initials=" ".join(name.forms[2] for _, name in parts),
    )


@cache
def _index() -> _Index:
    names: dict[str, _Name] = {}
    nodes: dict[str, _Node] = {}
    roots: list[_Node] = []
    for _, prov_code, _, _, rows in numdb.get("cn/loc").prefixes:
        current = {
            row[1]: zh.translate(_SIMPLIFY) for row in rows if (zh := _current_name(row[3].get("county", "")))
        }
        if "0000" not in current:
            continue
        province = (current["0000"], _name(current["0000"], names))
        root = _Node(_division(prov_code + "0000", "province", province), province[1])
        roots.append(root)
        nodes[root.division.code] = root
        cities: dict[str, tuple[str, _Name]] = {}
        # Cities first (rest ends in 00), so each county finds its city whatever the file order.
        for rest, zh in sorted(current.items(), key=lambda item: (not item[0].endswith("00"), item[0])):
            if rest == "0000" or zh in _GROUPS:
                continue
            own = (zh, _name(zh, names))
            code = prov_code + rest
            if rest.endswith("00"):
                cities[rest[:2]] = own
                node = _Node(_division(code, "city", province, own), own[1])
                parent = root
            else:
                # No city: a municipality's district or a county-level city under the province.
                city = cities.get(rest[:2])
                node = _Node(_division(code, "county", province, city, own), own[1])
                parent = nodes[prov_code + rest[:2] + "00"] if city else root
            parent.children.append(node)
            nodes[code] = node
    return _Index({code: nodes[code].division for code in sorted(nodes)}, roots)


def all_divisions() -> list[Division]:
    """Every division in use, in code order (about 3,200: 34 provinces, ~340 cities, the rest counties).

    Built on first call (≈0.2 s, mostly pypinyin) and kept for the life of the process.
    """
    return list(_index().divisions.values())


def get_division(code: str, *, field: str = "division") -> Division:
    """The division in use with this 6-digit code (``"420103"`` → 湖北省 武汉市 江汉区).

    Raises :class:`InvalidInput` ``division_unknown`` (on ``field``) for a code that is not
    6 digits, was never assigned, or was abolished (110104 宣武区, merged into 西城区 110102 in 2010).
    """
    key = unicodedata.normalize("NFKC", code).strip()
    division = _index().divisions.get(key) if len(key) == 6 and key.isascii() and key.isdigit() else None
    if division is None:
        raise InvalidInput("division_unknown", field=field, code=code)
    return division


def _normalise_query(query: str) -> str:
    text = _QUERY_DROP.sub("", unicodedata.normalize("NFKC", query).lower())
    return text.replace("ü", "v")  # pypinyin writes ü as v (lv for 吕)


def _pieces(name: _Name, query: str, start: int, *, inside: bool) -> Iterator[tuple[int, int]]:
    """``(end, grade)`` for each way ``query[start:end]`` can name this level: a prefix of the
    name in characters, pinyin or initials (grade 0 when it is the whole or the short name, else 1),
    or, with ``inside``, the rest of the query found inside the name's characters (grade 2:
    汉区 in 江汉区)."""
    rest = len(query) - start
    first = query[start]
    for form, short in zip(name.forms, name.shorts, strict=True):
        if form[0] != first:
            continue
        limit = min(rest, len(form))
        k = 1
        while k < limit and form[k] == query[start + k]:
            k += 1
        for length in range(1, k + 1):
            yield start + length, 0 if length in (len(form), len(short)) else 1
    if inside and not first.isascii() and query[start:] in name.forms[0][1:]:
        yield len(query), 2


def _walk(
    nodes: list[_Node], query: str, reached: dict[int, bool], found: list[tuple[int, int, str]]
) -> None:
    """Depth-first over the tree, collecting ``(grade, level rank, code)`` of each match.

    ``reached`` maps the query positions the levels above consumed up to (a level may be skipped:
    ``湖北江汉`` names 湖北省 and 江汉区) to whether every piece so far named a whole level.
    Grades: 0 own name exact, 1 own name prefix, 2 inside the own name or through whole names
    above (武汉市's districts for ``武汉``), 3 through partial names above. Without grade 3,
    ``武汉`` would rank 汉阳区, read as 武(汉市) + 汉(阳区), as a prefix match above 江岸区.
    """
    end = len(query)
    for node in nodes:
        grade = _NO_MATCH if end not in reached else 2 if reached[end] else 3
        after = dict(reached)
        for start, whole in reached.items():
            if start == end:
                continue
            for stop, piece in _pieces(node.name, query, start, inside=whole):
                if stop == end:
                    grade = min(grade, piece if whole else 3)
                after[stop] = after.get(stop, False) or (whole and piece == 0)
        if grade < _NO_MATCH:
            division = node.division
            found.append((grade, _LEVEL_RANK[division.level], division.code))
        if node.children:
            _walk(node.children, query, after, found)


def search_divisions(query: str, limit: int = 20) -> list[Division]:
    """Divisions matching ``query``, best first, at most ``limit``.

    ``query`` may be characters (``武汉``, ``江汉区``, ``湖北 武汉``), full pinyin (``wuhan``,
    ``wu han``), initials (``whjh``: 武汉市 江汉区), a mix by level (``hubei武汉``), or a code prefix
    (``4201``). Each level's name is matched from its start; levels may be skipped but keep their
    order (province, city, county). Ranking: the division's own name matched exactly (full or short:
    ``武汉`` = 武汉市) first, then its own name by prefix, then divisions matched through a part
    inside the name or through whole names above (武汉市's districts for ``武汉``), last those
    matched through partial names above (长治市 上党区 for ``changsha``: chang… sha…); within
    each, provinces and cities before counties, then code order. Empty query → ``[]``.
    """
    text = _normalise_query(query)
    if not text or limit <= 0:
        return []
    index = _index()
    if text.isascii() and text.isdigit():
        hits = [d for code, d in index.divisions.items() if code.startswith(text)]
        return heapq.nsmallest(limit, hits, key=lambda d: (d.code != text, _LEVEL_RANK[d.level], d.code))
    found: list[tuple[int, int, str]] = []
    _walk(index.roots, text, {0: True}, found)
    return [index.divisions[code] for _, _, code in heapq.nsmallest(limit, found)]
