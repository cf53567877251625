"""Words for the visitors app's codes (visitors, visits, invitations, riders) in zh-Hans and en.

Registered into :data:`shouwang.core.messages.MESSAGES` when the app is ready. Each refusal says
what to do next, because it is read at a gate with the person waiting.
"""

from __future__ import annotations

VISITOR_MESSAGES: dict[str, tuple[str, str]] = {
    # The visitor.
    "visitor_name_required": ("请填写访客姓名。", "Enter the visitor's name."),
    "phone_required": (
        "请填写手机号（11 位，如 138 0013 8000）。",
        "Enter a mobile phone number (11 digits, e.g. 138 0013 8000).",
    ),
    "document_required": (
        "本街道要求登记访客证件：请填写证件类型和号码。",
        "This sub-district requires the visitor's identity document: enter its type and number.",
    ),
    "visitor_unknown": (
        "本社区没有编号为 {id} 的访客记录。请按手机号或证件号重新查找，或按新访客登记。",
        "There is no visitor {id} in this community. Look them up again by phone or document, or register them as new.",
    ),
    "visitor_document_taken": (
        "证件 {masked} 已登记为本社区另一位访客。请核对证件号，或按手机号查找该访客。",
        "Document {masked} is already registered to another visitor of this community. Check the number, or look that visitor up by phone.",
    ),
    "visitor_required": (
        "请填写访客（visitor：查找到的访客编号，或姓名、手机号、证件），或扫描预约码（invitation）。",
        "Give the visitor (visitor: the id from the look-up, or name, phone and document), or the invitation code (invitation).",
    ),
    # A document number in the wrong format for its type: what that type looks like (the checks
    # of ``people.identity.validate_document``).
    "document_format_resident_id": (
        "身份证号“{masked}”格式不对：应为 18 位数字，最后一位可以是 X（或 15 位旧号）。",
        "Resident ID '{masked}' is not in the right format: 18 digits, the last may be X (or 15 digits for an old number).",
    ),
    "document_format_hkmotw_residence_permit": (
        "港澳台居民居住证号码“{masked}”格式不对：应为 18 位数字（最后一位可以是 X），以 810000、820000 或 830000 开头。",
        "HK/Macau/Taiwan residence permit '{masked}' is not in the right format: 18 digits (the last may be X) starting with 810000, 820000 or 830000.",
    ),
    "document_format_foreign_permanent_residence": (
        "外国人永久居留身份证号码“{masked}”格式不对：应为 3 个字母加 12 位数字（如 USA110079010101），或以 9 开头的 18 位（2023 年新版）。",
        "Foreigner's permanent residence card '{masked}' is not in the right format: 3 letters and 12 digits (e.g. USA110079010101), or 18 characters starting with 9 (2023 cards).",
    ),
    "document_format_passport": (
        "护照号码“{masked}”格式不对：应为 5 到 17 位字母或数字，中国护照为 1 个字母加 8 位数字，如 E12345678。",
        "Passport number '{masked}' is not in the right format: 5 to 17 letters or digits; a Chinese passport is a letter and 8 digits, e.g. E12345678.",
    ),
    "document_format_hkmo_travel_permit": (
        "港澳居民来往内地通行证号码“{masked}”格式不对：应为 H 或 M 加 8 位数字（或 10 位），如 H12345678。",
        "HK/Macau travel permit '{masked}' is not in the right format: H or M and 8 digits (or 10), e.g. H12345678.",
    ),
    "document_format_tw_travel_permit": (
        "台湾居民来往大陆通行证号码“{masked}”格式不对：应为 8 位数字（或 10 位），如 12345678。",
        "Taiwan travel permit '{masked}' is not in the right format: 8 digits (or 10), e.g. 12345678.",
    ),
    "visitor_lookup_one": (
        "请提供手机号（phone）或证件号（document）之一来查找访客。",
        "Look a visitor up by exactly one of phone or document.",
    ),
    # Host and reason.
    "host_required": (
        "请选择被访住户或单位（可按地址、住户姓名或单位名称搜索）。",
        "Pick the household or institution they visit (search by address, a resident's name, or the institution's name).",
    ),
    "host_unknown": (
        "本社区没有编号为 {id} 的被访住户或单位。请重新搜索后选择。",
        "There is no household or institution {id} in this community. Search again and pick one.",
    ),
    "host_kind_invalid": (
        "被访对象类型须为 household（住户）或 institution（单位）。",
        "The host kind must be household or institution.",
    ),
    "visit_reason_required": (
        "请填写来访事由，如 探亲、送物资、维修。",
        "Enter the reason for the visit, e.g. family, bringing supplies, repairs.",
    ),
    "screening_unknown_here": (
        "没有这条本社区的测温记录。",
        "There is no such screening in this community.",
    ),
    "visit_screening_not_register": (
        "这条测温记录（{at}）的结论是“{decision}”，不是“登记”，不能作为访客的体温。请为访客测温后登记。",
        "That screening ({at}) was answered '{decision}', not 'register': it cannot be the visitor's reading. Take the visitor's temperature and register them.",
    ),
    "visit_screening_stale": (
        "这条测温记录是 {at} 的，已超过 {minutes} 分钟，不能作为访客现在的体温。请重新测温。",
        "That screening is from {at}, more than {minutes} minutes ago: it is not the visitor's reading now. Take the temperature again.",
    ),
    "visit_screening_other_person": (
        "这条测温记录登记的是证件 {masked}，与这位访客的证件不符。请核对证件，或为这位访客重新测温。",
        "That screening was of document {masked}, not this visitor's. Check the document, or take this visitor's temperature.",
    ),
    "visit_screening_used": (
        "这条测温记录已用于 {at} 的另一次访客登记。请为这位访客重新测温。",
        "That screening was already used for another visitor at {at}. Take this visitor's temperature.",
    ),
    # Visits and the visitor pass.
    "visit_unknown": (
        "没有这次来访记录，或不在您的社区。",
        "There is no such visit in your communities.",
    ),
    "visit_not_admitted": (
        "这次来访未获准进入，没有访客通行证，无需登记离开。",
        "This visit was not admitted and has no visitor pass: there is no exit to record.",
    ),
    "exit_before_entry": (
        "离开时间早于进入时间（{in_at}）。请核对时间。",
        "The exit is before the entry ({in_at}). Check the time.",
    ),
    "visit_pass_one": (
        "请提供访客通行证二维码（qr）或通行证号（pass_number）之一。",
        "Give exactly one of the visitor pass QR (qr) or its number (pass_number).",
    ),
    "visitor_pass_unknown": (
        "这不是本社区有效的访客通行证。请核对通行证号（如 TPS-V200301-007），或重新扫码。",
        "This is not a visitor pass of this community. Check the number (like TPS-V200301-007) or scan again.",
    ),
    "visitor_pass_forged": (
        "访客通行证签名无效，疑似伪造。请报告社区。",
        "The visitor pass signature is invalid: possibly forged. Report it.",
    ),
    "visitor_pass_valid": ("访客通行证有效（仅限 {day} 当日）。", "Visitor pass valid (on {day} only)."),
    # Invitations.
    "invitation_unknown": (
        "没有预约码“{code}”，或不是本社区的预约。请核对后重输，或现场登记。",
        "There is no invitation '{code}' in this community. Check it, or register the visitor here.",
    ),
    "invitation_forged": (
        "预约二维码签名无效，疑似伪造。请现场登记并报告社区。",
        "The invitation QR signature is invalid: possibly forged. Register the visitor here and report it.",
    ),
    "invitation_used": (
        "此预约已于 {at} 使用过。如需再次来访，请重新预约或现场登记。",
        "This invitation was already used at {at}. For another visit, invite again or register here.",
    ),
    "invitation_wrong_day": (
        "此预约的来访日期是 {date}，不是今天。请现场登记。",
        "This invitation is for {date}, not today. Register the visitor here.",
    ),
    "invitation_date_past": ("来访日期 {date} 已过。", "The visit date {date} has passed."),
    "invitation_date_too_far": (
        "最多可提前 {days} 天预约（最晚 {last}）。",
        "Visits can be arranged at most {days} days ahead (until {last}).",
    ),
    # Delivery riders.
    "platform_invalid": (
        "平台须为以下之一：{choices}（美团、饿了么、顺丰、京东、EMS、其他）。",
        "The platform must be one of: {choices}.",
    ),
    "riders_may_not_enter": (
        "本街道规定外卖、快递人员在卡口交接，不得进入社区。",
        "In this sub-district riders hand over at the gate; they may not be let in.",
    ),
    "recipient_unknown": (
        "本社区没有编号为 {id} 的收件住户。请重新搜索后选择，或不填。",
        "There is no household {id} in this community. Search again and pick one, or leave it out.",
    ),
    # Everywhere.
    "client_id_reused": (
        "该 id 已用于另一条内容不同的记录；请为新记录生成新的 UUID。",
        "This id was already used for a record with different content; generate a new UUID.",
    ),
    "cli_nothing_listed": ("（无记录）", "(nothing)"),
}
