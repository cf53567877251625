"""The 西长安街街道 demo scenario: the operation of DESIGN.md §1, rebuilt with synthetic people.

Everything real is kept: the sub-district, its two communities, the three named checkpoints and
their character, the kinds of institution inside (ministry office buildings, a fire station, a
health station, small hotels, the six small shops), the 15 deployed cadres in two temporary teams.
Everything personal is invented: surnames from Faker ``zh_CN``, given names by sex and era, ID
numbers built with a valid check digit, mobile numbers in real mainland ranges. Extra gates beyond
the three on record carry ``invented=True``; no real ministry is named.

People, passes and quarantine go through the services (``upsert_resident``, ``register_member``,
``issue_passes``, ``revoke_pass``, ``register_returnee``, ``record_follow_up``), so the demo exercises the same code as
the pages. Reference rows with no service yet (sub-district, communities, checkpoints,
institutions, pass types, teams, staff accounts) are created with the ORM.

Dates: the record runs from 2020-02-29; passes cover it, and also *today* (``today - 1`` to
``today + 90``), so a demo started years later still lets residents in. Quarantine of the
returnees is placed around today so the gate shows its deny paths.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from shouwang.core.choices import Role
from shouwang.core.models import Staff, Team
from shouwang.incidents.services import close_incident, escalate_incident, log_service, raise_incident
from shouwang.passes.cards import render_pass_type_picture
from shouwang.passes.models import Pass, PassType
from shouwang.passes.services import issue_passes, revoke_pass
from shouwang.people.choices import InstitutionKind
from shouwang.people.models import Household, Institution, InstitutionMember, Resident
from shouwang.people.services import ResidentIn, register_member, upsert_resident
from shouwang.places.models import Checkpoint, Community, Subdistrict
from shouwang.quarantine.choices import IN_FORCE, Source
from shouwang.quarantine.models import QuarantinePlan
from shouwang.quarantine.services import PersonIn, TripIn, record_follow_up, register_returnee, release_due
from shouwang.roster.services import (
    ensure_default_templates,
    publish_roster,
    set_staffing_level,
    sign_in,
    sign_out,
    solve_roster,
)
from shouwang.visitors.services import HostIn, VisitorIn, invite_visitor, register_delivery, register_visit

SUBDISTRICT_CODE = "xichangan"
SUBDISTRICT_NAME = "西长安街街道"
# The demo's well-known log-in password: printed on start, for a local demo only.
DEMO_PASSWORD = "shouwang-demo"  # noqa: S105
# The deployed cadres reported on 28 Feb 2020 and stood their first duty on 29 Feb.
SCENARIO_START = dt.date(2020, 2, 29)
SCENARIO_END = dt.date(2020, 5, 31)
# Ages are taken in the scenario's year, so the same seed gives the same people whatever today is.
_AGE_REFERENCE = dt.date(2020, 2, 28)
# Share of the residents living in 太仆寺街社区; the rest live in 西单北社区.
_TPS_SHARE = 0.45

COMMUNITIES: tuple[tuple[str, str], ...] = (("xdb", "西单北社区"), ("tps", "太仆寺街社区"))


@dataclass(frozen=True)
class CheckpointSpec:
    community: str
    code: str
    name: str
    notes: str
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    invented: bool = False


_SIX_TO_TEN = (dt.time(6, 0), dt.time(22, 0))

# fmt: off
CHECKPOINTS: tuple[CheckpointSpec, ...] = (
    CheckpointSpec(
        "tps", "lixue-e", "力学胡同东口",
        "离中南海院墙最近，敏感度最高。"
        "Closest to the compound wall; highest sensitivity.",
    ),
    CheckpointSpec(
        "tps", "xiaojiangfang-w", "小酱坊胡同西口",
        "紧邻灵境胡同地铁站，最受关注的“明星卡口”。"
        "Next to Lingjing Hutong subway station; the most watched.",
    ),
    CheckpointSpec(
        "xdb", "dongxie-n", "东斜街北口",
        "附近有菜市场和宾馆，高峰每小时 200 余人。"
        "Food market and hotel nearby; peak over 200 people/h.",
    ),
    CheckpointSpec(
        "tps", "taipusi-w", "太仆寺街西口",
        "演示虚构的卡口，非真实记录。"
        "Invented for the demo, not in the record.",
        *_SIX_TO_TEN, invented=True,
    ),
    CheckpointSpec(
        "xdb", "xidanbei-x", "西单北大街某胡同口",
        "演示虚构的卡口，非真实记录。"
        "Invented for the demo, not in the record.",
        *_SIX_TO_TEN, invented=True,
    ),
    CheckpointSpec(
        "xdb", "xixie-s", "西斜街南口",
        "演示虚构的卡口，仅白天开放。"
        "Invented for the demo, not in the record; daytime only.",
        dt.time(7, 0), dt.time(19, 0), invented=True,
    ),
)
# fmt: on


@dataclass(frozen=True)
class InstitutionSpec:
    """An institution and the pass it issues; ``roles`` gives one member each; ``gates`` (codes)
    restricts its passes to those checkpoints, empty for every gate of the community."""

    community: str
    name: str
    kind: str
    address: str
    pass_code: str
    pass_name: str
    description: str
    colour: str
    roles: tuple[str, ...]
    gates: tuple[str, ...] = ()


_OFFICE, _FIRE, _HEALTH = InstitutionKind.OFFICE, InstitutionKind.FIRE_STATION, InstitutionKind.HEALTH_STATION
_HOTEL, _SHOP, _OTHER = InstitutionKind.HOTEL, InstitutionKind.SHOP, InstitutionKind.OTHER

# fmt: off
INSTITUTIONS: tuple[InstitutionSpec, ...] = (
    # 太仆寺街社区
    InstitutionSpec(
        "tps", "中央国家机关某部委办公楼（甲）", _OFFICE, "太仆寺街某号院",
        "office-a", "办公楼（甲）工作证",
        "深蓝色 PVC 硬卡，持证人照片，白字单位名称，背面烫金编号，深蓝挂绳。"
        "Dark-blue PVC card with photo, gold-foil number on the back, blue lanyard.",
        "#1f3a93", ("处长", "科员", "科员", "司机", "后勤", "值班员"), ("lixue-e", "xiaojiangfang-w"),
    ),
    InstitutionSpec(
        "tps", "中央国家机关某部委办公楼（乙）", _OFFICE, "灵境胡同某号",
        "office-b", "办公楼（乙）出入证",
        "灰绿色卡片，左侧一道竖红条，印“出入证”和编号，无照片。"
        "Grey-green card with a red vertical stripe, number, no photo.",
        "#5d8a6b", ("副处长", "科员", "科员", "保安"), ("xiaojiangfang-w",),
    ),
    InstitutionSpec(
        "tps", "西长安街消防站", _FIRE, "太仆寺街",
        "fire", "消防站执勤证",
        "橙红色硬卡，印消防徽标和“执勤”二字；执勤人员昼夜通行。"
        "Orange-red card with the fire-service emblem; on-duty crews pass at any hour.",
        "#e8590c", ("站长", "消防员", "消防员", "消防员", "驾驶员"),
    ),
    InstitutionSpec(
        "tps", "太仆寺街社区卫生服务站", _HEALTH, "太仆寺街",
        "health", "卫生站工作牌",
        "白底胸牌，绿色十字和站名，夹在白大褂上。"
        "White badge with a green cross, clipped to the white coat.",
        "#2b9348", ("站长", "全科医生", "护士"),
    ),
    InstitutionSpec(
        "tps", "灵境胡同招待所", _HOTEL, "灵境胡同",
        "hotel", "招待所员工证",
        "浅紫色塑封纸卡，手写姓名，盖招待所公章。"
        "Lilac laminated paper card, handwritten name, hotel stamp.",
        "#8e6cc0", ("经理", "前台", "保洁"), ("xiaojiangfang-w",),
    ),
    InstitutionSpec(
        "tps", "力学胡同炸酱面馆", _SHOP, "力学胡同",
        "shop-snack", "面馆从业人员证",
        "黄色小卡片，印碗面图案，背面盖居委会章。"
        "Yellow card with a noodle-bowl drawing, committee stamp on the back.",
        "#f2c14e", ("店主", "厨师"), ("lixue-e",),
    ),
    InstitutionSpec(
        "tps", "太仆寺街老刘理发店", _SHOP, "太仆寺街",
        "shop-barber", "理发店从业人员证",
        "红白蓝三色斜条纹卡，像理发店转灯。"
        "Red, white and blue diagonal stripes, like a barber's pole.",
        "#d62828", ("店主", "理发师"),
    ),
    InstitutionSpec(
        "tps", "灵境胡同便民超市", _SHOP, "灵境胡同",
        "shop-grocery", "超市员工证",
        "天蓝色塑料胸卡，印超市标志和工号。"
        "Sky-blue plastic badge with the shop logo and staff number.",
        "#4ea8de", ("店主", "收银员", "理货员"),
    ),
    InstitutionSpec(
        "tps", "小酱坊洗衣店", _SHOP, "小酱坊胡同",
        "shop-laundry", "洗衣店从业人员证",
        "浅青色纸卡，印衣架图案，塑封。"
        "Pale-teal laminated card with a coat-hanger drawing.",
        "#80cbc4", ("店主", "店员"),
    ),
    InstitutionSpec(
        "tps", "太仆寺街早点铺", _SHOP, "太仆寺街",
        "shop-breakfast", "早点铺从业人员证",
        "米黄色纸卡，印油条豆浆图案，手写营业时间 05:30–10:00。"
        "Beige card with fried-dough-and-soy-milk drawing, opening hours handwritten.",
        "#e9c46a", ("店主", "帮工"),
    ),
    InstitutionSpec(
        "tps", "灵境胡同社区药店", _SHOP, "灵境胡同",
        "shop-pharmacy", "药店员工证",
        "白底绿边卡片，印绿色药店十字和执业药师编号。"
        "White card with a green border, pharmacy cross and pharmacist number.",
        "#52b788", ("执业药师", "店员"),
    ),
    # 西单北社区
    InstitutionSpec(
        "xdb", "中央国家机关某部委办公楼（丙）", _OFFICE, "西单北大街某号",
        "office-c", "办公楼（丙）工作证",
        "酒红色硬卡，持证人照片，金色边框，透明卡套。"
        "Wine-red card with photo and gold border, clear sleeve.",
        "#7b2d26", ("处长", "科员", "科员", "机要员", "司机"), ("dongxie-n",),
    ),
    InstitutionSpec(
        "xdb", "西单北社区卫生服务站", _HEALTH, "东斜街",
        "health", "卫生站工作牌",
        "白底胸牌，蓝色十字和站名，别在左胸。"
        "White badge with a blue cross, pinned on the left chest.",
        "#3a86ff", ("站长", "全科医生", "护士"),
    ),
    InstitutionSpec(
        "xdb", "东斜街宾馆", _HOTEL, "东斜街",
        "hotel-dongxie", "宾馆员工证",
        "咖啡色磁卡，正面宾馆名，背面磁条。"
        "Coffee-brown key-card style badge, magnetic stripe on the back.",
        "#6f4e37", ("经理", "前台", "前台", "保洁"), ("dongxie-n",),
    ),
    InstitutionSpec(
        "xdb", "西斜街旅馆", _HOTEL, "西斜街",
        "hotel-xixie", "旅馆员工证",
        "粉色纸卡，手写姓名，盖旅馆章，无照片。"
        "Pink paper card, handwritten name, hotel stamp, no photo.",
        "#f4a6c1", ("老板", "服务员"),
    ),
    InstitutionSpec(
        "xdb", "东斜街菜市场", _OTHER, "东斜街",
        "market", "菜市场摊主证",
        "绿色塑料牌，印摊位号，挂在胸前。"
        "Green plastic tag with the stall number, worn on the chest.",
        "#38b000", ("市场管理员", "摊主", "摊主", "摊主"), ("dongxie-n",),
    ),
    InstitutionSpec(
        "xdb", "东斜街卤煮小吃", _SHOP, "东斜街",
        "shop-snack", "小吃店从业人员证",
        "深橙色纸卡，印“卤煮”两字，塑封。"
        "Dark-orange laminated card printed with the dish's name.",
        "#dd6b20", ("店主", "厨师"), ("dongxie-n",),
    ),
    InstitutionSpec(
        "xdb", "西单北老王理发店", _SHOP, "西单北大街",
        "shop-barber", "理发店从业人员证",
        "黑底白字卡片，印剪刀图案。"
        "Black card with white letters and a pair of scissors.",
        "#222222", ("店主", "理发师"),
    ),
    InstitutionSpec(
        "xdb", "西单北大街便利店", _SHOP, "西单北大街",
        "shop-grocery", "便利店员工证",
        "靛蓝色胸卡，印便利店标志和工号。"
        "Indigo badge with the shop logo and staff number.",
        "#3f37c9", ("店长", "店员", "店员"),
    ),
    InstitutionSpec(
        "xdb", "西斜街洗衣店", _SHOP, "西斜街",
        "shop-laundry", "洗衣店从业人员证",
        "淡蓝色纸卡，印泡泡图案。"
        "Light-blue paper card with a bubble pattern.",
        "#a2d2ff", ("店主", "店员"),
    ),
    InstitutionSpec(
        "xdb", "大木仓胡同早点铺", _SHOP, "大木仓胡同",
        "shop-breakfast", "早点铺从业人员证",
        "奶油色纸卡，印包子图案，背面盖居委会章。"
        "Cream card with a steamed-bun drawing, committee stamp.",
        "#fff3b0", ("店主", "帮工"),
    ),
    InstitutionSpec(
        "xdb", "西单北大街药店", _SHOP, "西单北大街",
        "shop-pharmacy", "药店员工证",
        "深绿色卡片，白色十字和药店名。"
        "Dark-green card with a white cross and the shop name.",
        "#1b4332", ("执业药师", "店员"),
    ),
)
# fmt: on

RESIDENT_PASS_TYPES: dict[str, tuple[str, str, str]] = {
    # community → (issuer, description, colour)
    "tps": (
        "太仆寺街社区居委会",
        "红色硬纸卡，印“太仆寺街社区出入证”，手写姓名和门牌号，盖居委会红章。"
        "Red card, name and door number handwritten, committee's red stamp.",
        "#c0392b",
    ),
    "xdb": (
        "西单北社区居委会",
        "橙黄色硬纸卡，印“西单北社区出入证”，手写姓名和门牌号，盖居委会红章。"
        "Orange-yellow card, name and door number handwritten, committee's red stamp.",
        "#f39c12",
    ),
}


@dataclass(frozen=True)
class StreetSpec:
    """A street of the area with door numbers ``first``–``last``. Doors are courtyards shared by
    one to four households (大杂院, ``力学胡同7号东厢房``) except ``flats``, which are blocks of
    flats (``灵境胡同5号院2号楼1单元301``)."""

    community: str
    name: str
    first: int
    last: int
    flats: tuple[int, ...] = ()


STREETS: tuple[StreetSpec, ...] = (
    StreetSpec("tps", "太仆寺街", 1, 80),
    StreetSpec("tps", "力学胡同", 1, 45),
    StreetSpec("tps", "小酱坊胡同", 1, 40),
    StreetSpec("tps", "灵境胡同", 1, 36, flats=(5, 17)),
    StreetSpec("xdb", "东斜街", 1, 60),
    StreetSpec("xdb", "西斜街", 1, 70, flats=(44,)),
    StreetSpec("xdb", "西单北大街", 101, 189, flats=(131, 167)),
    StreetSpec("xdb", "大木仓胡同", 1, 50),
)
_ROOMS = ("北房", "南房", "东厢房", "西厢房", "后院", "耳房")

# Region codes (first six digits of the ID): Xicheng; 宣武区 (merged into Xicheng in 2010, still on
# the cards of people born before); other Beijing districts; county codes elsewhere in China.
XICHENG = "110102"
XUANWU = "110104"
BEIJING_OTHER = ("110101", "110105", "110106", "110107", "110108")
# fmt: off
ELSEWHERE = (
    "130102", "120103", "370102", "410105", "420106", "510104", "230103", "320106", "610103", "440104",
    "340104", "430102", "140121", "210224", "330122", "360121", "622921", "152502", "310104", "510121",
    "650121", "532322",
)
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "198", "199",
)
# fmt: on


# Given names by sex and by the era of birth, as Beijing registers show them: Faker's zh_CN lists
# do not keep the sexes apart, so only surnames come from Faker.
# fmt: off
_GIVEN_NAMES: dict[tuple[bool, int], tuple[str, ...]] = {
    (True, 1960): (
        "建国", "国庆", "建华", "志强", "德明", "振华", "福生", "长顺", "宝山", "玉山",
        "金福", "永利", "文斌", "广才", "树林", "凤山", "德胜", "世杰", "有才", "春生",
        "立新", "卫国", "占元", "国华",
    ),
    (True, 1990): (
        "伟", "强", "磊", "军", "勇", "涛", "斌", "超", "明", "刚",
        "平", "辉", "鹏", "建军", "建平", "海涛", "志刚", "小东", "永刚", "晓明",
        "红兵", "卫东", "立军", "宏伟", "国栋", "俊杰", "建伟",
    ),
    (True, 9999): (
        "浩", "宇", "轩", "博", "子轩", "浩然", "宇航", "俊熙", "一鸣", "梓豪",
        "天佑", "子墨", "思远", "嘉豪", "明哲", "睿", "泽宇", "家豪", "皓轩", "晨阳",
    ),
    (False, 1960): (
        "桂兰", "秀英", "淑珍", "玉兰", "凤英", "桂芝", "秀兰", "淑英", "玉珍", "秀珍",
        "桂英", "素梅", "翠兰", "金凤", "凤兰", "玉梅", "秀云", "桂荣", "淑华", "兰英",
    ),
    (False, 1990): (
        "丽", "静", "敏", "艳", "娟", "霞", "燕", "玲", "红", "丽华",
        "海燕", "晓燕", "红梅", "丽娟", "雪梅", "春燕", "秀芳", "晓红", "文静", "慧",
        "琳", "颖", "丹", "婷",
    ),
    (False, 9999): (
        "欣怡", "子涵", "梓涵", "诗涵", "雨萱", "佳怡", "可馨", "一诺", "思琪", "梦瑶",
        "雨桐", "若汐", "佳琪", "心怡", "晓彤", "雪", "悦", "萌",
    ),
}
# fmt: on


@dataclass(frozen=True)
class SpecialPerson:
    """A resident the tests and the demo rely on (rare characters, heteronym surnames)."""

    community: str
    name: str
    male: bool
    birth: dt.date
    region: str
    address: str
    relation: str = "户主"


# fmt: off
SPECIAL_PEOPLE: tuple[SpecialPerson, ...] = (
    SpecialPerson("tps", "买买提·艾力", True, dt.date(1984, 6, 12), "653101",
                  "小酱坊胡同12号北房"),
    SpecialPerson("tps", "阿依努尔·吐尔逊", False, dt.date(1987, 3, 8), "653101",
                  "小酱坊胡同12号北房", "配偶"),
    SpecialPerson("tps", "李䶮", True, dt.date(1992, 11, 3), XICHENG,
                  "力学胡同9号东厢房"),
    SpecialPerson("tps", "单振国", True, dt.date(1956, 4, 21), XICHENG,
                  "太仆寺街33号南房"),
    SpecialPerson("tps", "仇建军", True, dt.date(1968, 9, 30), XUANWU,
                  "灵境胡同5号院2号楼1单元301"),
    SpecialPerson("xdb", "曾晓燕", False, dt.date(1979, 1, 17), XICHENG,
                  "东斜街18号西厢房"),
    SpecialPerson("xdb", "解文华", True, dt.date(1963, 7, 2), XICHENG,
                  "西斜街27号北房"),
    SpecialPerson("xdb", "区慧仪", False, dt.date(1990, 5, 25), "440104",
                  "西单北大街131号院3号楼2单元502"),
)
# fmt: on


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    description: str


@dataclass(frozen=True)
class DemoSummary:
    """What the demo holds; ``already_loaded`` when the sub-district existed before the call
    (then ``logins`` carry the password asked for, which is the one set only if it matches the
    first load's)."""

    already_loaded: bool
    communities: int
    checkpoints: int
    invented_checkpoints: int
    institutions: int
    pass_types: int
    households: int
    residents: int
    members: int
    passes: int
    passes_valid_today: int
    staff: int
    teams: int
    quarantined: int
    today: dt.date
    seconds: float
    logins: tuple[Login, ...] = field(default_factory=tuple)


@dataclass
class _Person:
    surname: str
    name: str
    id_number: str
    male: bool
    phone: str
    age: int


class _People:
    """Deterministic synthetic people: every draw comes from one seeded ``random.Random`` and
    one seeded Faker, in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic people, not secrets
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.used_ids: set[str] = set()

    def phone(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def birth(self, age: int) -> dt.date:
        return _AGE_REFERENCE - dt.timedelta(days=age * 365 + self.rng.randrange(365))

    def region(self, birth: dt.date, *, local: float) -> str:
        """A plausible region code: ``local`` is the share registered in Xicheng itself."""
        draw = self.rng.random()
        if draw < local:
            return XUANWU if birth.year < 2010 and self.rng.random() < 0.06 else XICHENG
        if draw < local + (1 - local) * 0.35:
            return self.rng.choice(BEIJING_OTHER)
        return self.rng.choice(ELSEWHERE)

    def id_number(self, region: str, birth: dt.date, male: bool) -> str:
        """An 18-digit ID with the right check digit, the sex digit matching ``male``, a region
        code that existed in the birth year (else Xicheng's) and never seen before."""
        if not _region_valid(region, birth):
            region = XICHENG
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if male else 0)
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def given_name(self, *, male: bool, birth: dt.date) -> str:
        era = next(y for y in (1960, 1990, 9999) if birth.year < y)
        return self.rng.choice(_GIVEN_NAMES[(male, era)])

    def person(self, *, male: bool, age: int, surname: str | None = None, local: float = 0.8) -> _Person:
        """Someone of ``age`` (in 2020); ``surname`` for a child of the family, else Faker's."""
        birth = self.birth(age)
        surname = surname or self.fake.last_name()
        name = surname + self.given_name(male=male, birth=birth)
        number = self.id_number(self.region(birth, local=local), birth, male)
        return _Person(surname, name, number, male, self.phone() if age >= 12 else "", age)


_REGION_CACHE: dict[tuple[str, int], bool] = {}


def _region_valid(region: str, birth: dt.date) -> bool:
    """Whether python-stdnum knows ``region`` for someone born in ``birth.year``: stricter than
    the gate's own check (:func:`shouwang.people.identity.region_in_use`), so generated numbers
    look right to either."""
    key = (region, birth.year)
    if key not in _REGION_CACHE:
        body = f"{region}{birth:%Y%m%d}001"
        try:
            ric.get_birth_place(body + ric.calc_check_digit(body + "0"))
            _REGION_CACHE[key] = True
        except StdnumError:
            _REGION_CACHE[key] = False
    return _REGION_CACHE[key]


def _flats(street: str, door: int, buildings: range) -> list[str]:
    return [
        f"{street}{door}号院{b}号楼{u}单元{f}0{r}"
        for b in buildings
        for u in (1, 2)
        for f in range(1, 7)
        for r in (1, 2)
    ]


def _addresses(people: _People, community: str, taken: set[str]) -> Iterator[str]:
    """The community's addresses in a seeded order, then (if more are needed) new blocks of flats.

    A courtyard whose door is in an address of ``taken`` is left out whole; a flat, only itself."""
    taken_doors = {a[: a.index("号") + 1] for a in taken}
    found: list[str] = []
    blocks: list[tuple[str, int]] = []
    for street in STREETS:
        if street.community != community:
            continue
        for door in range(street.first, street.last + 1):
            if door in street.flats:
                blocks.append((street.name, door))
                found.extend(a for a in _flats(street.name, door, range(1, 4)) if a not in taken)
                continue
            if f"{street.name}{door}号" in taken_doors:
                continue
            rooms = people.rng.choice((1, 1, 2, 3, 4))
            if rooms == 1:
                found.append(f"{street.name}{door}号")
            else:
                found.extend(f"{street.name}{door}号{room}" for room in _ROOMS[:rooms])
    people.rng.shuffle(found)
    yield from found
    for building in itertools.count(4):
        for street_name, door in blocks:
            yield from _flats(street_name, door, range(building, building + 1))


def _household(people: _People, address: str, size: int) -> list[ResidentIn]:
    """A household of ``size``: a head, maybe a spouse, children, the head's parents, grandchildren."""
    head_age = people.rng.choice((*range(26, 90), *range(55, 85)))  # Hutong households skew old.
    head_male = people.rng.random() < 0.62
    head = people.person(male=head_male, age=head_age)
    members: list[tuple[_Person, str]] = [(head, "户主")]
    family = head.surname
    if size >= 2 and head_age >= 24 and people.rng.random() < 0.8:
        spouse_age = max(20, head_age + people.rng.randint(-6, 6))
        spouse = people.person(male=not head_male, age=spouse_age)
        members.append((spouse, "配偶"))
        if not head_male:
            family = spouse.surname
    sons = daughters = 0
    while len(members) < size:
        if head_age < 55 and people.rng.random() < 0.25 and not any(r == "母亲" for _, r in members):
            parent_age = min(head_age + people.rng.randint(24, 34), 99)
            mother = people.person(male=False, age=parent_age, local=0.7)
            members.append((mother, "母亲"))
            continue
        if head_age >= 62 and people.rng.random() < 0.3:
            grandchild_male = people.rng.random() < 0.5
            age = people.rng.randint(0, 14)
            members.append(
                (
                    people.person(male=grandchild_male, age=age, surname=family, local=0.95),
                    "孙子" if grandchild_male else "孙女",
                )
            )
            continue
        child_male = people.rng.random() < 0.5
        child_age = max(0, head_age - people.rng.randint(24, 36))
        child = people.person(male=child_male, age=child_age, surname=family, local=0.92)
        if child_male:
            sons += 1
            relation = "长子" if sons == 1 else "次子" if sons == 2 else "子"
        else:
            daughters += 1
            relation = "长女" if daughters == 1 else "次女" if daughters == 2 else "女"
        members.append((child, relation))
    return [
        ResidentIn(
            name=p.name,
            id_number=p.id_number,
            gender="M" if p.male else "F",
            phone=p.phone,
            address=address,
            relation_to_head=relation,
        )
        for p, relation in members
    ]


def _special_residents(people: _People, community: str) -> list[ResidentIn]:
    found = []
    for sp in SPECIAL_PEOPLE:
        if sp.community != community:
            continue
        found.append(
            ResidentIn(
                name=sp.name,
                id_number=people.id_number(sp.region, sp.birth, sp.male),
                gender="M" if sp.male else "F",
                phone=people.phone(),
                address=sp.address,
                relation_to_head=sp.relation,
            )
        )
    return found


def _residents_for(people: _People, community: str, count: int) -> list[ResidentIn]:
    """``count`` residents of ``community``: the special people first, then whole households."""
    found = _special_residents(people, community)[:count]
    addresses = _addresses(people, community, {sp.address for sp in SPECIAL_PEOPLE})
    while len(found) < count:
        size = people.rng.choices((1, 2, 3, 4, 5), weights=(22, 32, 27, 12, 7))[0]
        found.extend(_household(people, next(addresses), min(size, count - len(found))))
    return found


def _load_logins(password: str) -> tuple[Login, ...]:
    return (
        Login(
            "admin",
            password,
            Role.SUBDISTRICT_ADMIN.value,
            "街道管理员，两个社区 sub-district admin, both communities",
        ),
        Login(
            "worker",
            password,
            Role.COMMUNITY_WORKER.value,
            "太仆寺街社区工作者 community worker, Taipusi Street",
        ),
        Login(
            "worker-xdb",
            password,
            Role.COMMUNITY_WORKER.value,
            "西单北社区工作者 community worker, Xidan North",
        ),
        Login(
            "health",
            password,
            Role.HEALTH_STATION.value,
            "社区卫生站，两个社区 health station, both communities",
        ),
        Login("gate", password, Role.GATE_STAFF.value, "卡口值守，两个社区 gate staff, both communities"),
        Login(
            "inspector", password, Role.INSPECTOR.value, "督查，只读 read-only inspector, both communities"
        ),
        Login(
            "dpo",
            password,
            Role.DATA_PROTECTION_OFFICER.value,
            "数据保护专员 data-protection officer: the audit log",
        ),
        Login(
            "cadre01",
            password,
            Role.GATE_STAFF.value,
            "下沉干部（第一临时党支部负责人）deployed cadre, team 1 lead",
        ),
    )


def _summary(
    sub: Subdistrict, *, today: dt.date, already: bool, seconds: float, password: str
) -> DemoSummary:
    communities = Community.objects.filter(subdistrict=sub)
    checkpoints = Checkpoint.objects.filter(community__subdistrict=sub)
    passes = Pass.objects.filter(community__subdistrict=sub)
    return DemoSummary(
        already_loaded=already,
        communities=communities.count(),
        checkpoints=checkpoints.count(),
        invented_checkpoints=checkpoints.filter(invented=True).count(),
        institutions=Institution.objects.filter(community__subdistrict=sub).count(),
        pass_types=PassType.objects.filter(community__subdistrict=sub).count(),
        households=Household.objects.filter(community__subdistrict=sub).count(),
        residents=Resident.objects.filter(community__subdistrict=sub).count(),
        members=InstitutionMember.objects.filter(community__subdistrict=sub).count(),
        passes=passes.count(),
        passes_valid_today=passes.filter(
            revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today
        ).count(),
        staff=Staff.objects.filter(subdistrict=sub).count(),
        teams=Team.objects.filter(subdistrict=sub).count(),
        quarantined=QuarantinePlan.objects.filter(
            community__subdistrict=sub, status__in=IN_FORCE, first_day__lte=today, last_day__gte=today
        ).count(),
        today=today,
        seconds=seconds,
        logins=_load_logins(password),
    )


def _make_staff(
    username: str,
    *,
    hashed: str,
    sub: Subdistrict,
    role: str,
    display_name: str,
    communities: Sequence[Community],
    team: Team | None = None,
    is_lead: bool = False,
    phone: str = "",
    superuser: bool = False,
) -> Any:
    # One hash for every demo account: hashing 19 passwords one by one would cost seconds.
    user = get_user_model().objects.create(
        username=username, password=hashed, is_staff=superuser, is_superuser=superuser
    )
    staff = Staff.objects.create(
        user=user,
        subdistrict=sub,
        role=role,
        display_name=display_name,
        team=team,
        is_lead=is_lead,
        phone=phone,
    )
    staff.communities.set(communities)
    return user


def _load_staff(people: _People, sub: Subdistrict, comms: dict[str, Community], password: str) -> Any:
    """The demo accounts (admin, workers, health station, gate, inspector, DPO) and the 15 deployed cadres in two teams; returns the admin user."""
    hashed = make_password(password)
    both = [comms["tps"], comms["xdb"]]
    admin = _make_staff(
        "admin",
        hashed=hashed,
        sub=sub,
        role=Role.SUBDISTRICT_ADMIN,
        display_name="街道管理员（演示）",
        communities=both,
        superuser=True,
    )
    _make_staff(
        "worker",
        hashed=hashed,
        sub=sub,
        role=Role.COMMUNITY_WORKER,
        display_name="太仆寺街社区工作者（演示）",
        communities=[comms["tps"]],
    )
    _make_staff(
        "worker-xdb",
        hashed=hashed,
        sub=sub,
        role=Role.COMMUNITY_WORKER,
        display_name="西单北社区工作者（演示）",
        communities=[comms["xdb"]],
    )
    _make_staff(
        "health",
        hashed=hashed,
        sub=sub,
        role=Role.HEALTH_STATION,
        display_name="社区卫生站（演示）",
        communities=both,
    )
    _make_staff(
        "gate",
        hashed=hashed,
        sub=sub,
        role=Role.GATE_STAFF,
        display_name="卡口值守（演示）",
        communities=both,
    )
    _make_staff(
        "inspector",
        hashed=hashed,
        sub=sub,
        role=Role.INSPECTOR,
        display_name="区督查组（演示，只读）",
        communities=both,
    )
    _make_staff(
        "dpo",
        hashed=hashed,
        sub=sub,
        role=Role.DATA_PROTECTION_OFFICER,
        display_name="数据保护专员（演示）",
        communities=[],
    )
    teams = [
        Team.objects.create(subdistrict=sub, name="下沉干部第一临时党支部"),
        Team.objects.create(subdistrict=sub, name="下沉干部第二临时党支部"),
    ]
    for n in range(1, 16):
        team_index = 0 if n <= 8 else 1
        cadre = people.person(male=people.rng.random() < 0.7, age=people.rng.randint(26, 56), local=0.5)
        _make_staff(
            f"cadre{n:02d}",
            hashed=hashed,
            sub=sub,
            role=Role.GATE_STAFF,
            display_name=cadre.name,
            communities=both,
            team=teams[team_index],
            is_lead=n in (1, 9),
            phone=cadre.phone,
        )
    return admin


def _load_places(sub: Subdistrict) -> tuple[dict[str, Community], dict[str, Checkpoint]]:
    comms = {
        code: Community.objects.create(subdistrict=sub, code=code, name=name) for code, name in COMMUNITIES
    }
    gates = {
        spec.code: Checkpoint.objects.create(
            community=comms[spec.community],
            code=spec.code,
            name=spec.name,
            notes=spec.notes,
            opens_at=spec.opens_at,
            closes_at=spec.closes_at,
            invented=spec.invented,
        )
        for spec in CHECKPOINTS
    }
    return comms, gates


def _save_picture(pass_type: PassType) -> None:
    pass_type.picture = render_pass_type_picture(pass_type)
    pass_type.save(update_fields=["picture"])


def _load_pass_types(
    comms: dict[str, Community],
) -> tuple[dict[str, PassType], list[tuple[InstitutionSpec, Institution, PassType]]]:
    resident_types: dict[str, PassType] = {}
    for code, community in comms.items():
        issuer, description, colour = RESIDENT_PASS_TYPES[code]
        resident_types[code] = PassType.objects.create(
            community=community,
            code="resident",
            name="居民出入证",
            issuer=issuer,
            description=description,
            colour=colour,
        )
        _save_picture(resident_types[code])
    institutions = []
    for spec in INSTITUTIONS:
        community = comms[spec.community]
        inst = Institution.objects.create(
            community=community, name=spec.name, kind=spec.kind, address=spec.address
        )
        pass_type = PassType.objects.create(
            community=community,
            code=spec.pass_code,
            name=spec.pass_name,
            issuer=spec.name,
            institution=inst,
            description=spec.description,
            colour=spec.colour,
        )
        _save_picture(pass_type)
        institutions.append((spec, inst, pass_type))
    return resident_types, institutions


@dataclass(frozen=True)
class _Window:
    """Validity of a live pass: the scenario's span, stretched to cover today."""

    valid_from: dt.date
    valid_until: dt.date

    @classmethod
    def around(cls, today: dt.date) -> _Window:
        return cls(
            min(SCENARIO_START, today - dt.timedelta(days=1)),
            max(SCENARIO_END, today + dt.timedelta(days=90)),
        )


_REVOKE_REASONS = (
    "证件遗失，已补办新证 lost; a new pass was issued",
    "已搬离本社区 moved out of the community",
    "借给他人使用，已收回 lent to someone else; withdrawn",
    "信息登记错误，作废重办 registered with wrong details",
)


def _load_resident_passes(
    people: _People,
    residents: list[Resident],
    *,
    pass_type: PassType,
    window: _Window,
    today: dt.date,
    actor: Any,
    protected: set[int],
) -> None:
    """Live passes for most; a handful expired, a few revoked (some replaced), a few with none."""
    pool = [r for r in residents if r.pk not in protected]
    people.rng.shuffle(pool)
    n = len(residents)
    no_pass = pool[: max(1, n // 100)]
    expired = pool[len(no_pass) : len(no_pass) + max(2, n // 150)]
    revoked = pool[len(no_pass) + len(expired) : len(no_pass) + len(expired) + max(3, n // 250)]
    skip = {r.pk for r in no_pass} | {r.pk for r in expired}
    live = [r for r in residents if r.pk not in skip]
    issued = issue_passes(
        live, pass_type=pass_type, valid_from=window.valid_from, valid_until=window.valid_until, actor=actor
    )
    by_holder = {p.resident_id: p for p in issued}
    replaced = []
    for i, resident in enumerate(revoked):
        reason = _REVOKE_REASONS[i % len(_REVOKE_REASONS)]
        revoke_pass(by_holder[resident.pk], reason=reason, actor=actor)
        if i % len(_REVOKE_REASONS) == 0:
            replaced.append(resident)
    if replaced:
        issue_passes(
            replaced, pass_type=pass_type, valid_from=today, valid_until=window.valid_until, actor=actor
        )
    if expired:
        until = max(window.valid_from, today - dt.timedelta(days=people.rng.randint(1, 10)))
        issue_passes(
            expired, pass_type=pass_type, valid_from=window.valid_from, valid_until=until, actor=actor
        )


# Where the demo's returnees came back from (GB/T 2260 prefecture codes): Hubei first, then the
# neighbouring provinces and the big cities people went home to for the Spring Festival.
_ORIGINS = (
    "420100",
    "421000",
    "130600",
    "411500",
    "230100",
    "440300",
    "330300",
    "370100",
    "341200",
    "430100",
)
_TRIPS = (("train", "G508"), ("train", "Z38"), ("flight", "CA1234"), ("car", "冀F12345"), ("coach", ""))


def _load_quarantine(
    people: _People, residents: list[Resident], *, today: dt.date, actor: Any, protected: set[int]
) -> None:
    """Returnees (~1.5 %) through the quarantine services, arrival as day 1: half still in home
    quarantine today (one on its last day), one free since this morning, the rest from the
    spring of 2020 and released when due. Plans in force have their follow-ups up to yesterday
    (one yesterday evening with a fever, one with a cough, for the health station to act on)."""
    adults = [r for r in residents if r.pk not in protected and r.phone]
    count = max(3, len(residents) * 3 // 200)
    returnees = people.rng.sample(adults, min(count, len(adults)))
    community = returnees[0].community if returnees else None
    if community is None:
        return
    tz = community.tz
    for i, resident in enumerate(returnees):
        if i == 0:
            arrival = today - dt.timedelta(days=13)  # last day of quarantine: still stopped today
        elif i == 1:
            arrival = today - dt.timedelta(days=14)  # day 15: free from the start of today
        elif i % 2 == 0:
            arrival = today - dt.timedelta(days=people.rng.randint(0, 12))
        else:
            arrival = dt.date(2020, 2, 10) + dt.timedelta(days=people.rng.randint(0, 30))
        transport, number = people.rng.choice(_TRIPS)
        arrived_at = dt.datetime.combine(arrival, dt.time(people.rng.randint(6, 22), 30), tzinfo=tz)
        plan = register_returnee(
            community,
            person=PersonIn(resident=resident.pk),
            trip=TripIn(
                origin=people.rng.choice(_ORIGINS),
                arrived_at=arrived_at,
                transport=transport,
                transport_number=number,
                companions=people.rng.choice(("", "", "配偶 spouse", "子女 child")),
            ),
            source=people.rng.choice((Source.WORKER, Source.GATE, Source.SELF_REPORT)),
            actor=actor,
            now=arrived_at + dt.timedelta(hours=2),
        )
        last = min(plan.last_day, today - dt.timedelta(days=1))
        day = plan.first_day + dt.timedelta(days=1)
        while day <= last:
            for slot, hour in (("am", 9), ("pm", 16)):
                sick = i == 2 and day == last and slot == "pm"
                coughing = i == 4 and day == last and slot == "am"
                method = people.rng.choice(("phone", "phone", "visit", "self"))
                record_follow_up(
                    plan,
                    temperature="37.8"
                    if sick
                    else people.rng.choice(("36.4", "36.5", "36.6", "36.7", "36.8")),
                    symptoms=["cough"] if coughing else [],
                    method=method,
                    actor=None if method == "self" else actor,
                    slot=slot,
                    local_date=day,
                    now=dt.datetime.combine(day, dt.time(hour, 10), tzinfo=tz),
                )
            day += dt.timedelta(days=1)
        if plan.last_day < today:
            release_due(
                [plan],
                actor=actor,
                now=dt.datetime.combine(plan.last_day, dt.time(8), tzinfo=tz) + dt.timedelta(days=1),
            )


def _load_outsiders(
    people: _People,
    gates: dict[str, Checkpoint],
    residents_by_community: dict[str, list[tuple[Resident, ResidentIn]]],
    *,
    actor: Any,
) -> None:
    """This morning at the gates (DESIGN.md §1), through the services: riders of the four big
    platforms handing over at 东斜街北口, a few visitors (one invited by their host), the man with
    no pass and no mask who tried to force his way in (escalated to the police station), and the
    staff walking ahead to check a barber was open before an elderly non-resident queued."""
    now = timezone.now()
    market, lixue = gates["dongxie-n"], gates["lixue-e"]
    tps_home = residents_by_community["tps"][0][0]
    xdb_home = residents_by_community["xdb"][0][0]
    for n, platform in enumerate(("meituan", "eleme", "sf", "jd", "meituan")):
        rider = people.person(male=True, age=people.rng.randint(20, 45), local=0.2)
        register_delivery(
            market,
            platform=platform,
            phone=rider.phone,
            name=rider.name,
            temperature=people.rng.choice(("36.4", "36.5", "36.7")),
            mask=True,
            actor=actor,
            occurred_at=now - dt.timedelta(minutes=30 + 17 * n),
        )
    for n, (gate, home) in enumerate(((lixue, tps_home), (market, xdb_home), (market, xdb_home))):
        guest = people.person(male=people.rng.random() < 0.5, age=people.rng.randint(25, 75), local=0.5)
        assert home.household_id is not None
        register_visit(
            gate,
            visitor=VisitorIn(name=guest.name, phone=guest.phone, id_number=guest.id_number),
            host=HostIn(kind="household", id=home.household_id),
            reason=("探亲 visiting family", "送物资 bringing supplies", "照护老人 caring for an elder")[n],
            temperature="36.6",
            mask=True,
            actor=actor,
            occurred_at=now - dt.timedelta(minutes=50 + 25 * n),
        )
    guest = people.person(male=False, age=34, local=0.5)
    assert tps_home.household_id is not None
    invite_visitor(
        lixue.community,
        visitor=VisitorIn(name=guest.name, phone=guest.phone, id_number=guest.id_number),
        visit_date=lixue.community.local_date(now),
        host=HostIn(kind="household", id=tps_home.household_id),
        on_behalf_of=tps_home.pk,
        reason="送药 bringing medicine",
        actor=actor,
    )
    incident = raise_incident(
        market,
        kind="forced_entry",
        severity="high",
        people="男，约 40 岁，无出入证、未戴口罩 man about 40, no pass, no mask",
        description="拒绝测温登记，欲强行进入，值守人员阻拦并报派出所。Refused screening, tried to force his way in; blocked, police called.",
        occurred_at=now - dt.timedelta(hours=2),
        actor=actor,
    ).incident
    escalate_incident(
        incident, to="police_station", actor=actor, at=now - dt.timedelta(hours=2) + dt.timedelta(minutes=3)
    )
    close_incident(
        incident,
        outcome="派出所民警到场劝离 the police came and he left",
        actor=actor,
        at=now - dt.timedelta(hours=1, minutes=30),
    )
    log_service(
        market,
        kind="escort",
        person="外社区老人，来理发 an elderly non-resident come for a haircut",
        note="先行到理发店确认营业，再引导老人登记 walked ahead to check the barber was open, then helped him register",
        occurred_at=now - dt.timedelta(hours=1),
        actor=actor,
    )


# Staff needed per 4-hour shift at the three gates of the record: about ten stints a day, which
# over 26 days is the "1,000+ duty hours" of 15 cadres (250 shifts × 4 h); the evening shift and
# the invented gates were kept by community volunteers, who are not rostered here.
_STAFFING = {
    "lixue-e": {"06-10": 1, "10-14": 1, "14-18": 1},
    "xiaojiangfang-w": {"06-10": 1, "10-14": 1, "14-18": 1},
    "dongxie-n": {"06-10": 1, "10-14": 2, "14-18": 1},
}


def _load_roster(sub: Subdistrict, gates: dict[str, Checkpoint], *, today: dt.date, actor: Any) -> None:
    """A published week of 4-hour shifts from two days ago, solved through the roster service,
    and the sign-ins and sign-outs of the shifts already stood (a few minutes late now and then)."""
    templates = {t.code: t for t in ensure_default_templates(sub, actor=actor)}
    for code, gate in gates.items():
        for template in templates.values():
            needed = _STAFFING.get(code, {}).get(template.code, 0)
            set_staffing_level(gate, template=template, staff_needed=needed, lead_needed=False, actor=actor)
    start = today - dt.timedelta(days=2)
    tz = gates["lixue-e"].community.tz
    began = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    outcome = solve_roster(sub, start=start, days=7, actor=actor, time_limit_s=10, seed=2020, now=began)
    if outcome.roster is None:
        return
    publish_roster(outcome.roster, actor=actor, now=began)
    now = timezone.now()
    for n, shift in enumerate(
        outcome.roster.shifts.select_related("staff", "checkpoint").order_by("starts_at")
    ):
        if shift.ends_at > now:
            break
        late = dt.timedelta(minutes=(13 if n % 9 == 4 else n % 5))
        sign_in(
            shift.staff, checkpoint=shift.checkpoint, at=shift.starts_at + late, now=shift.starts_at + late
        )
        sign_out(shift.staff, at=shift.ends_at, now=shift.ends_at)


def _load_members(
    people: _People,
    institutions: list[tuple[InstitutionSpec, Institution, PassType]],
    residents_by_community: dict[str, list[tuple[Resident, ResidentIn]]],
    gates: dict[str, Checkpoint],
    *,
    window: _Window,
    actor: Any,
) -> None:
    """A few members per institution, some living in the community; passes of its own type."""
    revoked_one = False
    for spec, inst, pass_type in institutions:
        members = []
        candidates = [(r, d) for r, d in residents_by_community[spec.community] if r.phone]
        for role in spec.roles:
            if candidates and people.rng.random() < 0.3:
                # Pop, so no one is registered twice at the same institution.
                resident, data = candidates.pop(people.rng.randrange(len(candidates)))
                name, id_number, phone = resident.name, data.id_number, data.phone
            else:
                p = people.person(male=people.rng.random() < 0.55, age=people.rng.randint(20, 58), local=0.15)
                name, id_number, phone = p.name, p.id_number, p.phone
            members.append(
                register_member(inst, name=name, id_number=id_number, phone=phone, role=role, actor=actor)
            )
        issued = issue_passes(
            members,
            pass_type=pass_type,
            valid_from=window.valid_from,
            valid_until=window.valid_until,
            actor=actor,
            checkpoints=[gates[code] for code in spec.gates],
        )
        if spec.kind == InstitutionKind.SHOP and not revoked_one and len(issued) > 1:
            revoked_one = True
            revoke_pass(issued[-1], reason="已离职 left the job", actor=actor)


def load_xichangan(
    *, residents: int = 3000, seed: int = 2020, password: str = DEMO_PASSWORD, today: dt.date | None = None
) -> DemoSummary:
    """Build the 西长安街街道 scenario (DESIGN.md §1) once; a second call changes nothing.

    ``residents`` synthetic residents (deterministic for ``seed``) are split between the two
    communities; ``today`` (local date, default now) places live passes and active quarantines
    so the gate has something to allow and something to deny. Every demo account gets ``password``.
    """
    today = today or timezone.localdate()
    existing = Subdistrict.objects.filter(code=SUBDISTRICT_CODE).first()
    if existing is not None:
        return _summary(existing, today=today, already=True, seconds=0.0, password=password)
    started = time.monotonic()
    people = _People(seed)
    window = _Window.around(today)
    with transaction.atomic():
        sub = Subdistrict.objects.create(code=SUBDISTRICT_CODE, name=SUBDISTRICT_NAME)
        comms, gates = _load_places(sub)
        admin = _load_staff(people, sub, comms, password)
        resident_types, institutions = _load_pass_types(comms)
        tps_count = round(residents * _TPS_SHARE)
        counts = {"tps": tps_count, "xdb": residents - tps_count}
        by_community: dict[str, list[tuple[Resident, ResidentIn]]] = {}
        special_names = {sp.name for sp in SPECIAL_PEOPLE}
        for code, community in comms.items():
            loaded = []
            for data in _residents_for(people, code, counts[code]):
                resident, _ = upsert_resident(community, data, actor=admin, audit=False)
                loaded.append((resident, data))
            by_community[code] = loaded
            rows = [r for r, _ in loaded]
            protected = {r.pk for r in rows if r.name in special_names}
            _load_resident_passes(
                people,
                rows,
                pass_type=resident_types[code],
                window=window,
                today=today,
                actor=admin,
                protected=protected,
            )
            _load_quarantine(people, rows, today=today, actor=admin, protected=protected)
        _load_members(people, institutions, by_community, gates, window=window, actor=admin)
        _load_outsiders(people, gates, by_community, actor=admin)
        _load_roster(sub, gates, today=today, actor=admin)
        return _summary(
            sub, today=today, already=False, seconds=time.monotonic() - started, password=password
        )
