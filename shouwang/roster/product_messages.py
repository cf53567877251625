"""Words for the codes of the roster in the product (services, selectors, API, ``duty`` CLI), in
zh-Hans and en. Registered into :data:`shouwang.core.messages.MESSAGES` when the app is ready,
beside the solver's :data:`shouwang.roster.messages.ROSTER_MESSAGES`.

Each refusal says what is wrong and what to do; dates are ISO local dates, times local.
"""

from __future__ import annotations

PRODUCT_MESSAGES: dict[str, tuple[str, str]] = {
    # Scope.
    "not_your_subdistrict": ("您无权为“{subdistrict}”排班。", "You do not coordinate '{subdistrict}'."),
    "subdistrict_unknown": ("没有编号为“{code}”的街道。", "There is no sub-district '{code}'."),
    "subdistrict_required": (
        "请指明街道（subdistrict 编号）。",
        "Name the sub-district (its code).",
    ),
    "roster_unknown": ("没有编号为 {id} 的排班表。", "There is no roster {id}."),
    "shift_unknown": ("该排班表中没有编号为 {id} 的班次。", "There is no shift {id} in this roster."),
    "swap_unknown": ("没有编号为 {id} 的换班申请。", "There is no swap request {id}."),
    "staff_unknown": (
        "本街道没有用户名为“{name}”的人员。",
        "There is no staff member '{name}' in this sub-district.",
    ),
    "template_unknown": (
        "没有编号为“{code}”的班次模板（如 06-10）。",
        "There is no shift template '{code}' (e.g. 06-10).",
    ),
    "staff_record_required": (
        "此账号没有人员档案，不能值守或换班。请联系街道管理员。",
        "This account has no staff record, so it cannot stand duty or swap shifts. Ask your sub-district admin.",
    ),
    # Solving.
    "roster_days_range": (
        "排班天数须在 1 到 {high} 天之间。",
        "A roster covers 1 to {high} days.",
    ),
    "roster_time_limit_range": (
        "计算时限须大于 0 秒且不超过 {high} 秒。",
        "The time limit must be more than 0 and at most {high} seconds.",
    ),
    "roster_seed_range": (
        "随机种子须为 0 到 2147483647 之间的整数。",
        "The seed must be a whole number from 0 to 2147483647.",
    ),
    "roster_in_past": (
        "排班期最后一天（{last}）已经过去，无法再排班。请从今天或以后开始。",
        "The roster's last day ({last}) is over; nothing can be rostered. Start today or later.",
    ),
    "roster_days_differ": (
        "{start} 起的排班表为 {days} 天，不是 {asked} 天。请用 {days} 天重新排班，或另起一个不重叠的排班表。",
        "The roster from {start} covers {days} days, not {asked}. Re-solve it with {days} days, or start a roster that does not overlap it.",
    ),
    "roster_overlaps": (
        "与已有排班表（{first} 至 {last}）重叠。请重排那一张，或从 {last} 之后开始。",
        "This overlaps the roster of {first} to {last}. Re-solve that one, or start after {last}.",
    ),
    "roster_nothing_to_staff": (
        "“{subdistrict}”没有需要值守的卡口班次（所有卡口关闭或人数设为 0）。请先设置各卡口的值守人数。",
        "'{subdistrict}' has no gate shift to staff (every gate closed or set to 0 people). Set the staffing levels first.",
    ),
    "roster_changed_while_solving": (
        "计算期间有人修改了这张排班表（锁定、安排或换班）。未保存任何结果，请重新排班。",
        "Someone changed this roster (a lock, an assignment or a swap) while it was being solved. Nothing was saved; solve again.",
    ),
    "staffing_level_range": (
        "值守人数须在 0 到 {high} 之间（0 表示该班次关闭）。",
        "Staff needed must be 0 to {high} (0 closes the gate for that shift).",
    ),
    # Hand edits.
    "shift_started": (
        "该班次（{when}）已经开始，不能再更改。",
        "That shift ({when}) has begun and can no longer be changed.",
    ),
    "shift_date_outside": (
        "日期不在排班期（{first} 至 {last}）内。",
        "The date is outside the roster ({first} to {last}).",
    ),
    "staff_not_at_gate": (
        "{staff} 不在“{checkpoint}”所属社区值守，不能安排到该卡口。",
        "{staff} does not serve the community of '{checkpoint}' and cannot stand there.",
    ),
    "shift_cell_closed": (
        "{checkpoint} {date} {shift} 不开放（值守人数为 0）。如需有人值守，请先设置值守人数。",
        "{checkpoint} is closed {shift} on {date} (0 staff needed). Set a staffing level first if someone should stand there.",
    ),
    "shift_cell_full": (
        "{checkpoint} {date} {shift} 已排满 {needed} 人且均已锁定。请先解锁或移除一人，或提高值守人数。",
        "{checkpoint} {shift} on {date} already has its {needed}, all locked. Unlock or remove someone first, or raise the staffing level.",
    ),
    "shift_has_attendance": (
        "已有人为该班次签到，不能移除。",
        "Someone has signed in for this shift; it cannot be removed.",
    ),
    "shift_overlap": (
        "{staff} 在 {when} 已安排在“{checkpoint}”，不能同时在两处值守。",
        "{staff} is already at '{checkpoint}' {when}; nobody stands two places at once.",
    ),
    "shift_rest_short": (
        "{staff} 在“{checkpoint}”有班次（{when}），两班间隔只有 {gap_h} 小时，少于规定的 {rest_h} 小时休息。",
        "{staff} has a shift at '{checkpoint}' {when}: only {gap_h} h between the two, less than the {rest_h} h rest.",
    ),
    "shift_per_day_max": (
        "{staff} 在 {date} 已有 {count} 个班次，达到每天上限。",
        "{staff} already has {count} shift(s) on {date}, the most a day allows.",
    ),
    "staff_away": (
        "{staff} 在 {when} 不能值守（{reason}）。",
        "{staff} is away {when} ({reason}).",
    ),
    "availability_one_form": (
        "请给出整天（date）或时间段（starts_at 和 ends_at）二者之一。",
        "Give either a whole day (date) or a time range (starts_at and ends_at), not both.",
    ),
    "availability_naive": (
        "时间须带时区，例如 2020-03-03T08:00:00+08:00。",
        "The time needs a UTC offset, e.g. 2020-03-03T08:00:00+08:00.",
    ),
    "availability_order": ("结束时间须晚于开始时间。", "The end must come after the start."),
    "availability_too_long": (
        "时间段不能超过 {days} 天；更长的请分段登记。",
        "A time away may not exceed {days} days; record longer ones in parts.",
    ),
    # Swaps.
    "swap_to_self": ("不能把班次换给自己。", "You cannot swap a shift to yourself."),
    "swap_take_for_self": (
        "只能申请由自己接班，不能替他人申请。",
        "You can only ask to take a shift yourself, not for someone else.",
    ),
    "swap_decided": (
        "该换班申请已处理（{status}）。",
        "This swap request has already been decided ({status}).",
    ),
    "swap_stale": (
        "该班次已换人，此申请不再适用。请驳回它。",
        "That shift has changed hands since; this request no longer applies. Reject it.",
    ),
    "swap_to_required": (
        "这是一个未指定接班人的让班申请：请选择由谁接班（to_staff）。",
        "This offer names nobody: choose who takes the shift (to_staff).",
    ),
    "swap_to_fixed": (
        "该申请指定由 {staff} 接班，不能改给他人。请驳回后另行安排。",
        "This request names {staff} to take the shift; it cannot go to someone else. Reject it and assign by hand.",
    ),
    # Attendance.
    "attendance_at_naive": (
        "时间须带时区，例如 2020-03-03T06:00:00+08:00。",
        "The time needs a UTC offset, e.g. 2020-03-03T06:00:00+08:00.",
    ),
    "attendance_at_future": (
        "签到/签退时间不能晚于现在。",
        "A sign-in or sign-out time cannot be in the future.",
    ),
    "attendance_at_too_old": (
        "只能补录 {hours} 小时以内的签到/签退，更早的请联系街道管理员。",
        "Sign-ins and sign-outs can be entered up to {hours} hours late; ask your coordinator for older ones.",
    ),
    "attendance_open_elsewhere": (
        "您自 {since} 起在“{checkpoint}”签到值守，尚未签退。请先在那里签退，再在此签到。",
        "You are signed in at '{checkpoint}' since {since}. Sign out there first, then sign in here.",
    ),
    "attendance_overlaps": (
        "该时间落在您已有的值守记录（{since} 至 {until}）之内。",
        "That time falls within your duty record of {since} to {until}.",
    ),
    "attendance_not_signed_in": (
        "您没有未签退的值守记录，无需签退。请先签到。",
        "You are not signed in, so there is nothing to sign out of. Sign in first.",
    ),
    "attendance_out_before_in": (
        "签退时间须晚于签到时间（{since}）。",
        "The sign-out must come after the sign-in ({since}).",
    ),
    "attendance_closed": ("该值守记录已签退。", "This duty record is already signed out."),
    # Links, API and CLI.
    "calendar_link_invalid": (
        "日历订阅链接无效或已失效。请在“我的班次”页面重新复制链接。",
        "This calendar link is not valid (any more). Copy it again from the My shifts page.",
    ),
    "duty_date_invalid": (
        "{what}“{raw}”不是有效日期，请写成 YYYY-MM-DD，例如 2020-03-01。",
        "{what} '{raw}' is not a date: write YYYY-MM-DD, e.g. 2020-03-01.",
    ),
    "duty_range_invalid": (
        "结束日期 {end} 早于开始日期 {start}。",
        "The end date {end} is before the start date {start}.",
    ),
    "duty_range_too_long": (
        "一次最多查询 {days} 天。",
        "At most {days} days can be reported at once.",
    ),
    "duty_not_xlsx": (
        "“{path}”不是 .xlsx 文件名：请给出以 .xlsx 结尾的路径，例如 roster.xlsx。",
        "'{path}' is not an .xlsx file name: give a path ending in .xlsx, e.g. roster.xlsx.",
    ),
    "duty_write_failed": (
        "无法写入 {path}：{reason}。请换一个可写的位置。",
        "Cannot write {path}: {reason}. Choose a location you can write to.",
    ),
    "duty_roster_not_made": (
        "未能排班（{status}），原因见上。排班表未作任何改动。",
        "No roster was made ({status}); reasons above. Nothing was changed.",
    ),
}
