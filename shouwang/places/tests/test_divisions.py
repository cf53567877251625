"""The division picker offers today's GB/T 2260 divisions and finds them the way workers type.

Data: python-stdnum's ``cn/loc.dat``; 110104 宣武区 and 110103 崇文区 were merged into 西城区
(110102) and 东城区 (110101) in 2010, so they must not be offered.
"""

from __future__ import annotations

import time

import pytest

from shouwang.core.errors import InvalidInput
from shouwang.places.divisions import Division, all_divisions, get_division, search_divisions, short_name


def labels(divisions: list[Division]) -> list[str]:
    return [d.label for d in divisions]


# -- the list ----------------------------------------------------------------------------------


def test_a_county_carries_its_province_city_and_search_keys() -> None:
    jianghan = get_division("420103")
    assert jianghan == Division(
        code="420103",
        province="湖北省",
        city="武汉市",
        county="江汉区",
        label="湖北省 武汉市 江汉区",
        level="county",
        pinyin="hubeisheng wuhanshi jianghanqu",
        initials="hbs whs jhq",
    )


def test_provinces_and_cities_are_offered_so_a_worker_can_stop_at_the_city() -> None:
    assert get_division("420000").label == "湖北省"
    assert get_division("420000").level == "province"
    wuhan = get_division("420100")
    assert (wuhan.label, wuhan.level, wuhan.county) == ("湖北省 武汉市", "city", "")


def test_a_municipality_district_has_no_city_part() -> None:
    # 110100 市辖区 is a grouping row of the table, not a place.
    assert get_division("110102").label == "北京市 西城区"
    assert get_division("110102").city == ""
    with pytest.raises(InvalidInput):
        get_division("110100")


def test_a_county_level_city_under_the_province_belongs_to_the_province() -> None:
    # 429004 仙桃市 sits under the 省直辖县级行政单位 group (429000), which is no place.
    xiantao = get_division("429004")
    assert (xiantao.label, xiantao.level) == ("湖北省 仙桃市", "county")
    with pytest.raises(InvalidInput):
        get_division("429000")


def test_abolished_codes_are_not_offered() -> None:
    codes = {d.code for d in all_divisions()}
    assert "110102" in codes  # 西城区, which absorbed 宣武区
    assert "110104" not in codes  # [-2010]宣武区
    assert "110103" not in codes  # [-2010]崇文区
    assert "420400" not in codes  # [-1994]沙市市, now 荆州市's 沙市区 (421002)
    assert get_division("421002").label == "湖北省 荆州市 沙市区"
    assert search_divisions("宣武") == []
    assert search_divisions("110104") == []


def test_a_renamed_code_carries_its_current_name() -> None:
    # 420203 was 石灰窑区 until 2000 and is 西塞山区 since 2001.
    assert get_division("420203").county == "西塞山区"


def test_the_list_is_sorted_by_code_with_unique_codes() -> None:
    codes = [d.code for d in all_divisions()]
    assert codes == sorted(set(codes))
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    levels = {d.level for d in all_divisions()}
    assert levels == {"province", "city", "county"}
    assert len([d for d in all_divisions() if d.level == "province"]) == 34


def test_names_spelled_in_traditional_characters_in_the_source_are_simplified() -> None:
    assert get_division("232761").county == "加格达奇区"


# -- unknown codes ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["999999", "110104", "4201", "4201030", "42010x", "", "４２０１０３x"])
def test_an_unknown_or_malformed_code_is_refused_with_a_stable_code(code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        get_division(code, field="origin")
    assert caught.value.code == "division_unknown"
    assert caught.value.field == "origin"
    assert caught.value.params == {"code": code}


def test_full_width_digits_and_spaces_around_a_code_are_accepted() -> None:
    assert get_division(" ４２０１０３ ").code == "420103"


# -- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["武汉", "武汉市", "湖北 武汉", "湖北武汉", "wuhan", "wu han", "WuHan", "hbwh"]
)
def test_the_city_comes_first_however_it_is_typed(query: str) -> None:
    found = search_divisions(query)
    assert found[0].label == "湖北省 武汉市"
    # Then its districts, in code order: 江岸区 (420102) before 江汉区 (420103).
    assert labels(found[1:3]) == ["湖北省 武汉市 江岸区", "湖北省 武汉市 江汉区"]


def test_a_county_by_its_own_name() -> None:
    assert labels(search_divisions("江汉区")) == ["湖北省 武汉市 江汉区"]
    assert search_divisions("江汉")[0].code == "420103"


def test_initials_per_level() -> None:
    found = labels(search_divisions("whjh"))
    assert "湖北省 武汉市 江汉区" in found
    # 芜湖市 镜湖区 has the same initials; both are exact, so code order decides.
    assert found == ["安徽省 芜湖市 镜湖区", "湖北省 武汉市 江汉区"]


def test_a_code_prefix() -> None:
    found = search_divisions("4201")
    assert found[0].code == "420100"
    assert all(d.code.startswith("4201") for d in found)
    assert [d.code for d in found[1:]] == sorted(d.code for d in found[1:])
    assert search_divisions("420103")[0].code == "420103"


def test_a_part_inside_a_name() -> None:
    assert labels(search_divisions("汉区")) == ["湖北省 武汉市 江汉区"]


def test_levels_may_be_skipped_but_not_reordered() -> None:
    assert labels(search_divisions("北京东城")) == ["北京市 东城区"]
    assert search_divisions("湖北江汉")[0].code == "420103"
    assert search_divisions("江汉湖北") == []


def test_exact_names_before_prefixes_and_cities_before_counties() -> None:
    found = [d.code for d in search_divisions("朝阳")]
    # 朝阳 is the short name of 朝阳市 (a city, first), then of the 朝阳区/朝阳县 in code order,
    # then 朝阳市's other districts (matched through their city).
    assert found[:4] == ["211300", "110105", "211321", "220104"]
    assert found[4:6] == ["211302", "211303"]


def test_a_partial_city_does_not_promote_its_districts() -> None:
    # 武(汉市) + 汉(阳区) is a weaker reading of 武汉 than 武汉市's own districts in code order.
    assert [d.county for d in search_divisions("武汉")[1:5]] == ["江岸区", "江汉区", "硚口区", "汉阳区"]
    # 长沙 (exact) before 长治市's districts read as chang(zhi) + sha(ngdang).
    found = labels(search_divisions("changsha"))
    assert found[:2] == ["湖南省 长沙市", "湖南省 长沙市 长沙县"]
    assert found.index("湖南省 长沙市 芙蓉区") < found.index("山西省 长治市 上党区")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("chongqing", "500000"),
        ("changsha", "430100"),
        ("xiamen", "350200"),
        ("bengbu", "340300"),
        ("lu'an", "341500"),
        ("luan", "341500"),
        ("changzhi", "140400"),  # 长治, not zhangzhi
        ("luohe", "411100"),  # 漯河, not tahe
        ("minhang", "310112"),  # 闵行, not minxing
        ("shifang", "510682"),  # 什邡, not shenfang
        ("kuerle", "652801"),  # 库尔勒, not kuerlei
        ("huadu", "440114"),  # 花都, not huadou
        ("laoting", "130225"),  # 乐亭, not leting
        ("xianggang", "810000"),
        ("neimenggu", "150000"),
        ("lvliang", "141100"),
        ("lüliang", "141100"),
    ],
)
def test_polyphonic_place_names_are_read_as_the_place_is_called(query: str, code: str) -> None:
    assert search_divisions(query)[0].code == code


def test_pinyin_of_polyphonic_names() -> None:
    assert get_division("500000").pinyin == "chongqingshi"
    assert get_division("430100").pinyin == "hunansheng changshashi"
    assert get_division("350200").pinyin == "fujiansheng xiamenshi"
    assert get_division("340300").pinyin == "anhuisheng bengbushi"
    assert get_division("341500").pinyin == "anhuisheng luanshi"
    assert get_division("140428").pinyin == "shanxisheng changzhishi zhangzixian"  # 长治 but 长子


def test_short_names() -> None:
    assert short_name("湖北省") == "湖北"
    assert short_name("恩施土家族苗族自治州") == "恩施"
    assert short_name("新疆维吾尔自治区") == "新疆"
    assert short_name("内蒙古自治区") == "内蒙古"
    assert short_name("西藏自治区") == "西藏"
    assert short_name("香港特别行政区") == "香港"
    assert short_name("房县") == "房县"


def test_limit_and_empty_queries() -> None:
    assert len(search_divisions("h", limit=5)) == 5
    assert search_divisions("h", limit=0) == []
    assert search_divisions("") == []
    assert search_divisions("  ’ ") == []
    assert search_divisions("zzzzqx") == []


def test_search_is_fast_once_built() -> None:
    all_divisions()
    queries = ["武汉", "whjh", "changsha", "湖北 武汉", "4201", "h"]
    start = time.perf_counter()
    for query in queries:
        search_divisions(query)
    per_query = (time.perf_counter() - start) / len(queries)
    # Target 20 ms; the bound is loose because the test machine is shared.
    assert per_query < 0.1
