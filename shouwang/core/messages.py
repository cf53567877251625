"""Words for every stable code (errors and screening reasons), in zh-Hans and en.

One table so the API, the pages and the CLI say the same thing. Keys are the stable codes.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # Generic input errors.
    "invalid_input": ("输入有误，请检查标出的字段。", "Some input is wrong; see the fields marked."),
    "required": ("{what}必须填写。", "{what} is required."),
    "one_identifier": (
        "请提供且只提供一种身份识别方式：qr（二维码）、pass_number（出入证号）、id_number（证件号）、resident 或 member（从姓名搜索选中的人）。",
        "Give exactly one of: qr, pass_number, id_number, resident, member (a person picked from the name search).",
    ),
    "checkpoint_unknown": (
        "没有编号为“{code}”的卡口，或您不在该卡口所属社区工作。可用 GET /api/v1/checkpoints 查看您的卡口。",
        "There is no checkpoint '{code}' in your communities; GET /api/v1/checkpoints lists yours.",
    ),
    "body_unreadable": (
        "请求内容不是有效的 JSON。请发送 Content-Type: application/json 和一个 JSON 对象。",
        "The request body is not valid JSON: send Content-Type: application/json and a JSON object.",
    ),
    "output_not_pdf": (
        "“{path}”不是 PDF 文件名：请给出以 .pdf 结尾的文件路径，例如 cards.pdf。",
        "'{path}' is not a PDF file name: give a path ending in .pdf, e.g. cards.pdf.",
    ),
    "database_not_ready": (
        "数据库尚未初始化（{detail}）。请先运行：shouwang migrate（或 shouwang demo --load-only）。",
        "The database is not set up yet ({detail}). Run first: shouwang migrate (or shouwang demo --load-only).",
    ),
    "division_unknown": (
        "“{code}”不是现行的行政区划代码。请从列表中选择来自地区（可输入中文、拼音或首字母搜索，如“武汉”“wuhan”“wh”）。",
        "'{code}' is not a current division code. Pick where they came from in the list (search in Chinese, pinyin or initials, e.g. 武汉, wuhan, wh).",
    ),
    "notifier_unknown": (
        "通知方式“{spec}”无效，可选：log、email、webhook:https://…，多个用逗号分隔。",
        "Notifier '{spec}' is not valid: use log, email or webhook:https://…, several separated by commas.",
    ),
    "body_too_big": ("请求内容太大（超过 2.5 MB）。", "The request body is too large (over 2.5 MB)."),
    "server_error": (
        "服务器出错，此次操作未保存。请稍后重试；如仍出错请联系管理员。",
        "Something went wrong on the server and nothing was saved. Try again; tell your admin if it persists.",
    ),
    "occurred_at_naive": (
        "occurred_at 须带时区，例如 2020-03-01T08:30:00+08:00。",
        "occurred_at needs a UTC offset, e.g. 2020-03-01T08:30:00+08:00.",
    ),
    "occurred_at_too_old": (
        "occurred_at 早于 {days} 天前，不能补录。",
        "occurred_at is more than {days} days ago; it cannot be recorded now.",
    ),
    "checkpoint_closed": (
        "本卡口开放时间为 {hours}，现已关闭，请走其他卡口。",
        "This checkpoint is open {hours} and closed now; use another one.",
    ),
    "fever_referred_recently": (
        "此人 {referred_at} 已因发热转卫生站，请凭卫生站意见处理，不得放行。",
        "Referred to the health station for fever at {referred_at}: follow the health station's word; do not admit.",
    ),
    "mask_unchecked": ("未记录是否佩戴口罩。", "Mask not recorded."),
    "community_unknown": (
        "没有名为或编号为“{name}”的社区。",
        "There is no community named or coded '{name}'.",
    ),
    "resident_unknown": ("本社区没有编号为 {id} 的居民。", "There is no resident {id} in this community."),
    "not_your_community": (
        "您无权在“{community}”操作。",
        "You are not assigned to '{community}'.",
    ),
    "role_forbidden": (
        "您的角色不能执行此操作（需要：{needed}）。",
        "Your role does not allow this (needs: {needed}).",
    ),
    "read_only_role": (
        "您的角色（{role}）只能查看，不能修改任何记录。",
        "Your role ({role}) may look but not change anything.",
    ),
    "export_forbidden": (
        "卡口值守人员不能导出名单或表格。",
        "Gate staff may not export lists or spreadsheets.",
    ),
    "reveal_reason_required": (
        "查看完整号码须选择原因：随访电话、联系访客或被访户、卫生站转诊联系、核实身份或其他（接口代码：{known}）。",
        "Say why you need the full number: follow-up call, contact visitor or host, health-station referral, verify identity, or other (API codes: {known}).",
    ),
    "reveal_note_required": (
        "原因选“其他”时须写明理由。",
        "With the reason 'other', write why.",
    ),
    "reveal_kind_unknown": (
        "不能查看“{kind}.{field_name}”（可查看：{known}）。",
        "'{kind}.{field_name}' cannot be revealed (can be: {known}).",
    ),
    "reveal_nothing": ("该记录没有登记电话号码。", "No phone number is recorded there."),
    "record_unknown": (
        "在您的社区中没有编号为 {id} 的记录。",
        "There is no record {id} in your communities.",
    ),
    "audit_person_unknown": (
        "证件号“{masked}”在本街道没有对应的人员。",
        "No person with document number '{masked}' in this sub-district.",
    ),
    "date_range_backwards": ("结束日期早于开始日期。", "The end date is before the start date."),
    "export_format_unknown": (
        "导出格式“{fmt}”无效，可选：xlsx、csv。",
        "Export format '{fmt}' is not one of: xlsx, csv.",
    ),
    "query_too_long": ("{what}太长（最多 {max} 个字符）。", "{what} is too long (at most {max} characters)."),
    "direction_invalid": ("方向必须是 in（进）或 out（出）。", "direction must be 'in' or 'out'."),
    "occurred_at_future": (
        "发生时间不能晚于现在 5 分钟以上。",
        "occurred_at may not be more than 5 minutes in the future.",
    ),
    "id_reused_differently": (
        "该 id 已用于另一条不同的记录；请为新记录生成新的 UUID。",
        "This id was already used for a different screening; generate a new UUID.",
    ),
    # Temperature.
    "temperature_unreadable": (
        "体温“{raw}”无法识别：请输入如 36.6、366 或 97.9（华氏）。",
        "Cannot read temperature '{raw}': type e.g. 36.6, 366, or 97.9 (°F).",
    ),
    # Identity documents.
    "id_empty": ("证件号码为空。", "The document number is empty."),
    "id_type_unknown": ("不认识的证件类型“{id_type}”。", "Unknown document type '{id_type}'."),
    "id_length": (
        "身份证号应为 18 位（或 15 位旧号），实际为 {length} 位。",
        "A resident ID has 18 digits (or 15 for old numbers); this one has {length}.",
    ),
    "id_format": (
        "证件号码“{masked}”含有不允许的字符。",
        "Document number '{masked}' has characters that are not allowed.",
    ),
    "id_checksum": (
        "身份证号校验位错误：应为 {expected}，实际为 {actual}。请核对号码。",
        "Resident ID check digit is wrong: expected {expected}, got {actual}. Check the number.",
    ),
    "id_birth_date": (
        "身份证号中的出生日期 {date} 不存在。",
        "The birth date {date} in the ID number is not a real date.",
    ),
    "id_birth_future": (
        "身份证号中的出生日期 {date} 晚于今天。",
        "The birth date {date} in the ID number is in the future.",
    ),
    "id_region_unknown": (
        "提示：地区码 {region} 未知或已撤销（可能是补登户口），已接受。",
        "Note: region code {region} is unknown or abolished (late registration happens); accepted.",
    ),
    "id_permit_region": (
        "港澳台居民居住证号码须以 810000、820000 或 830000 开头。",
        "A HK/Macau/Taiwan residence permit number starts with 810000, 820000 or 830000.",
    ),
    "phone_invalid": (
        "电话号码“{raw}”无效：位数或号段不对。请填 11 位手机号或带区号的固话。",
        "Phone number '{raw}' is not valid: wrong length or prefix. Use an 11-digit mobile or a landline with area code.",
    ),
    # Passes.
    "pass_number_unknown": (
        "没有出入证号“{number}”，请核对后重输（格式如 XDB-000123），或扫码。",
        "There is no pass numbered '{number}': check it (like XDB-000123) or scan the QR.",
    ),
    "pass_dates": ("有效期结束日期早于开始日期。", "The pass ends before it begins."),
    "pass_already_revoked": ("此出入证已作废。", "This pass is already revoked."),
    "font_missing": (
        "找不到可显示中文（含扩展A区）的字体。请安装 fonts-wqy-zenhei，或设置 SHOUWANG_CJK_FONT。",
        "No font with Chinese (incl. Extension A) found: install fonts-wqy-zenhei or set SHOUWANG_CJK_FONT.",
    ),
    # Pass printing and other CLI input.
    "pass_type_unknown": (
        "社区“{community}”没有代码为“{type_code}”的出入证类型（现有：{known}）。",
        "Community '{community}' has no pass type '{type_code}' (known: {known}).",
    ),
    "date_invalid": (
        "{what}“{raw}”不是有效日期，请写成 YYYY-MM-DD。",
        "{what} '{raw}' is not a date: write YYYY-MM-DD.",
    ),
    "user_unknown": ("没有用户名为“{username}”的用户。", "There is no user named '{username}'."),
    "no_admin_to_act_as": (
        "“{subdistrict}”没有街道管理员账号可代为操作：请用 --user 用户名 指定。",
        "'{subdistrict}' has no sub-district admin to act as: name one with --user USERNAME.",
    ),
    "status_unknown": (
        "状态“{raw}”无效，可选：{known}。",
        "Status '{raw}' is not one of: {known}.",
    ),
    "output_dir_missing": ("目录“{path}”不存在。", "Directory '{path}' does not exist."),
    "no_passes_to_print": (
        "社区“{community}”没有状态为 {status} 的出入证；未写入任何文件。",
        "Community '{community}' has no {status} passes; nothing written.",
    ),
    # Import.
    "import_format": (
        "无法读取文件“{name}”：仅支持 .xlsx 和 .csv（UTF-8 或 GB18030）。",
        "Cannot read '{name}': only .xlsx and .csv (UTF-8 or GB18030) are supported.",
    ),
    "import_headings": (
        "表头缺少：{missing}。需要 姓名、证件号码（或 身份证号），以及 住址 或 楼栋+门牌。",
        "Missing headings: {missing}. Needed: 姓名, 证件号码 (or 身份证号), and 住址 or 楼栋+门牌.",
    ),
    "import_duplicate": (
        "与第 {first_row} 行证件号重复，已跳过。",
        "Same document number as row {first_row}; skipped.",
    ),
    "gender_invalid": ("性别“{raw}”无法识别：请填 男 或 女。", "Cannot read gender '{raw}': use 男 or 女."),
    "name_invalid": (
        "姓名“{raw}”无效：须含文字，不超过 100 字，不以 = + - @ 开头，不含 < > {{ }} [ ] \\ | ; 或控制字符。",
        "Name '{raw}' is not valid: it needs letters, at most 100 characters, must not start with = + - @, and must not contain < > {{ }} [ ] \\ | ; or control characters.",
    ),
    # Screening reasons (stable codes of the gate decision).
    "pass_valid": ("出入证有效。", "Pass valid."),
    "pass_expired": ("出入证已过期（有效期至 {until}）。", "Pass expired (valid until {until})."),
    "pass_not_yet_valid": ("出入证尚未生效（{since} 起有效）。", "Pass not valid yet (from {since})."),
    "pass_revoked": ("出入证已作废。", "Pass revoked."),
    "pass_forged": (
        "出入证签名无效，疑似伪造。请报告社区。",
        "Pass signature invalid: possibly forged. Report it.",
    ),
    "pass_unknown": ("查无此出入证。", "No such pass."),
    "not_a_pass": ("这不是本系统的出入证二维码。", "This QR code is not one of our passes."),
    "pass_other_community": ("出入证属于其他社区。", "The pass belongs to another community."),
    "pass_checkpoint_not_allowed": (
        "此出入证不能在本卡口通行。",
        "This pass is not valid at this checkpoint.",
    ),
    "no_pass": (
        "未办理有效出入证，请到社区办理。",
        "No valid pass on file; send them to the community office.",
    ),
    "person_unknown": ("查无此人，请登记为访客。", "Person not known here: register them as a visitor."),
    "temperature_normal": ("体温正常。", "Temperature normal."),
    "temperature_missing": ("请测量体温。", "Take a temperature."),
    "temperature_implausible": (
        "读数不可信（{c} °C），请稍候在额头或手腕复测。",
        "Implausible reading ({c} °C): retest on forehead or wrist after a moment.",
    ),
    "temperature_converted_f": ("已由华氏度换算。", "Converted from °F."),
    "fever_first_reading": (
        "体温 {c} °C 偏高，请休息几分钟后复测。",
        "{c} °C is a fever reading: rest a few minutes, then retest.",
    ),
    "fever_confirmed": (
        "复测仍发热（{c} °C）：请引导至卫生站，不得放行。",
        "Fever confirmed on retest ({c} °C): escort to the health station; do not admit.",
    ),
    "retest_normal": ("复测正常。", "Retest normal."),
    "no_mask": ("未佩戴口罩，请佩戴后通行。", "No mask: they must wear one to pass."),
    "quarantine_active": (
        "居家隔离中（至 {until}），不得外出。已通知社区工作者。",
        "In home quarantine (until {until}): may not go out. Community worker alerted.",
    ),
    "quarantine_noted": ("居家隔离人员返回，已记录。", "Person in home quarantine returning: noted."),
    # Decisions.
    "decision_admit": ("放行", "Admit"),
    "decision_retest": ("请复测", "Retest"),
    "decision_refer": ("转卫生站", "Refer to health station"),
    "decision_deny": ("禁止通行", "Deny"),
    "decision_register": ("请登记", "Register"),
}


def register_messages(extra: dict[str, tuple[str, str]]) -> None:
    """Add an app's codes (called from its ``AppConfig.ready``); a code may not change meaning."""
    for code, pair in extra.items():
        if MESSAGES.get(code, pair) != pair:
            raise ValueError(f"message code {code!r} is already defined differently")
    MESSAGES.update(extra)


def describe(code: str, lang: str = "zh-hans", /, **params: Any) -> str:
    """Words for ``code`` in ``lang`` (``en`` or anything else for zh-Hans), formatted with ``params``.

    An unknown code is returned as itself so nothing is ever silently blank.
    """
    pair = MESSAGES.get(code)
    if pair is None:
        return code
    text = pair[1] if lang.lower().startswith("en") else pair[0]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def pick_language(accept_language: str | None) -> str:
    """``en`` when the Accept-Language header prefers English over Chinese, else ``zh-hans``."""
    if not accept_language:
        return "zh-hans"
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh-hans"
    return "zh-hans"
