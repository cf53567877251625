"""Words for the quarantine app's codes (errors, alerts, reminders) in zh-Hans and en.

Registered into :data:`shouwang.core.messages.MESSAGES` when the app is ready.
"""

from __future__ import annotations

from typing import Any

from shouwang.core.messages import describe
from shouwang.screening.models import Alert

QUARANTINE_MESSAGES: dict[str, tuple[str, str]] = {
    "arrived_at_naive": (
        "抵达时间须带时区，例如 2020-02-29T21:30:00+08:00。",
        "arrived_at needs a time zone, e.g. 2020-02-29T21:30:00+08:00.",
    ),
    "arrived_at_future": (
        "抵达时间在将来。请填写实际抵达的日期和时间。",
        "The arrival time is in the future. Enter the date and time they actually arrived.",
    ),
    "arrived_at_too_old": (
        "按抵达时间，{days} 天居家观察已于 {free_from} 期满，无需登记隔离。如抵达日期填错，请更正。",
        "By this arrival time the {days}-day home quarantine was over on {free_from}: nothing to register. Correct the date if it is wrong.",
    ),
    "transport_invalid": (
        "交通方式须为以下之一：{choices}。",
        "Transport must be one of: {choices}.",
    ),
    "transport_number_required": (
        "乘火车或飞机返京须填写车次或航班号（如 G1234、CA1234），以便追踪同行人员。",
        "For a train or flight, enter the train or flight number (e.g. G1234, CA1234) so fellow travellers can be traced.",
    ),
    "transport_number_invalid": (
        "“{raw}”不像车次、航班号或车牌（如 G1234、CA1234、京A12345）。请核对。",
        "'{raw}' does not look like a train or flight number or a plate (e.g. G1234, CA1234, 京A12345). Check it.",
    ),
    "one_person": (
        "请提供且只提供一种方式指明返京人员：resident（本社区居民编号）、id_number（本社区居民证件号）或 new（新登记人员信息）。",
        "Name the returnee in exactly one way: resident (a resident's id), id_number (of a resident of this community) or new (a person to register).",
    ),
    "returnee_not_resident": (
        "证件号 {masked} 不是本社区登记的居民。如是新入住人员，请按新人员登记（填写姓名、证件号、电话、住址）。",
        "ID {masked} is not a resident of this community. For someone new, register them as a new person (name, ID, phone, address).",
    ),
    "screening_unknown": ("没有这条本社区的测温记录。", "There is no such screening in this community."),
    "quarantine_exists": (
        "此人已在居家隔离中（{first_day} 至 {last_day}），无需重复登记。如需延长，请由卫生站或街道办理。",
        "This person is already in home quarantine ({first_day} to {last_day}); no second registration. An extension is made by the health station or the sub-district.",
    ),
    "person_exists": (
        "证件号 {masked} 已登记为本社区居民 {name}，姓名不同。如是同一人，请按“本社区居民”选择；如证件号填错，请更正。",
        "ID {masked} is already registered to resident {name} under another name. If it is the same person, pick them as a resident; if the ID was mistyped, correct it.",
    ),
    "quarantine_exists_elsewhere": (
        "此人已在{community}居家隔离（至 {last_day}），由该社区随访；无需在本社区重复登记。",
        "This person is already in home quarantine in {community} (until {last_day}) and followed up there; no second registration here.",
    ),
    "extend_too_far": (
        "隔离最长 {days} 天：最后一天最晚为 {latest}。请核对日期。",
        "A quarantine lasts at most {days} days: the last day can be {latest} at the latest. Check the date.",
    ),
    "remind_not_delivered": (
        "{failed}/{total} 份提醒未能送达（见上方日志）。请检查通知方式（--notifier / SHOUWANG_NOTIFIER）后重试。",
        "{failed} of {total} reminders were not delivered (see the log above). Check the notifier (--notifier / SHOUWANG_NOTIFIER) and run again.",
    ),
    "cli_write_failed": (
        "无法写入 {path}：{reason}。请换一个可写的位置。",
        "Cannot write {path}: {reason}. Choose a location you can write to.",
    ),
    "date_out_of_range": (
        "日期须在 {first} 至 {last} 之间。",
        "The date must be between {first} and {last}.",
    ),
    "plan_ended": (
        "这次居家隔离已结束（{status}），不能再记录或更改。",
        "This home quarantine has ended ({status}); nothing more can be recorded or changed.",
    ),
    "slot_not_open": (
        "{day} 的下午随访 {hour}:00 起才能记录。现在请记录上午随访。",
        "The afternoon follow-up of {day} opens at {hour}:00. Record the morning one now.",
    ),
    "follow_up_changed": (
        "{day} {slot}的随访已记录（{celsius} °C）。如确需更正，请勾选“更正已记录的数值”后再保存（API：replace=true），原数值会留在记录中。",
        "The {slot} follow-up of {day} is already recorded ({celsius} °C). To correct it, tick 'correct the recorded reading' and save again (API: replace=true); the old values stay on record.",
    ),
    "plan_not_in_force": (
        "{day} 不在隔离期内（{first_day} 至 {last_day}），或隔离已解除。",
        "{day} is outside the quarantine ({first_day} to {last_day}), or it has ended.",
    ),
    "follow_up_future": (
        "不能为将来的日期（{day}）记录随访。",
        "A follow-up cannot be recorded for a future date ({day}).",
    ),
    "temperature_required": ("请填写体温，例如 36.6。", "Enter the temperature, e.g. 36.6."),
    "follow_up_implausible": (
        "体温 {celsius} °C 不可信（正常应在 35.0–42.0 °C）。请重新测量后再填。",
        "{celsius} °C is not a plausible body temperature (35.0–42.0 °C). Measure again, then enter it.",
    ),
    "symptom_unknown": (
        "“{raw}”不是症状清单中的一项。可选：cough 咳嗽、fatigue 乏力、sore_throat 咽痛、short_of_breath 气促、muscle_ache 肌肉酸痛、diarrhoea 腹泻、runny_nose 鼻塞流涕。",
        "'{raw}' is not on the symptom list: cough, fatigue, sore_throat, short_of_breath, muscle_ache, diarrhoea, runny_nose.",
    ),
    "method_invalid": (
        "随访方式须为以下之一：{choices}。",
        "The follow-up method must be one of: {choices}.",
    ),
    "slot_invalid": (
        "随访时段须为 am（上午）或 pm（下午）。",
        "The slot must be am (morning) or pm (afternoon).",
    ),
    "reason_required": (
        "请写明原因（至少两个字），它会记入审计日志。",
        "Give a reason (at least two characters); it goes into the audit log.",
    ),
    "extend_not_later": (
        "延长后的最后一天须晚于当前的最后一天（{current}）。",
        "The new last day must be after the current last day ({current}).",
    ),
    "worker_invalid": (
        "只能指派给本社区的社区工作者。",
        "Follow-ups can only be given to a community worker of this community.",
    ),
    "self_report_decided": (
        "这份自主申报已处理（{status}）。",
        "This self-report has already been dealt with ({status}).",
    ),
    "self_report_link_invalid": (
        "申报链接无效或已过期。请向社区索取新的二维码。",
        "This link is not valid or has expired. Ask the community for a new QR code.",
    ),
    "alert_resolved": ("这条提醒已处理。", "This alert has already been dealt with."),
    "self_report_unknown": (
        "没有编号为 {id} 的自主申报，或不在您的社区。",
        "There is no self-report {id} in your communities.",
    ),
    "follow_up_exists": (
        "{day} {slot}的随访已记录，无需重复填写。如有变化请直接联系社区。",
        "The {slot} follow-up of {day} is already recorded. If something changed, call the community.",
    ),
    "plan_unknown": (
        "没有编号为 {id} 的隔离记录，或不在您的社区。",
        "There is no quarantine plan {id} in your communities.",
    ),
    # Alerts: what happened and what to do (the health station's next step).
    "alert_followup_fever": (
        "{name}居家隔离第 {day} 天随访体温 {celsius} °C。请卫生站 2 小时内上门复测；仍 ≥ 37.3 °C 时由 120 负压救护车转运发热门诊，并报街道。",
        "{name}, day {day} of home quarantine: {celsius} °C at follow-up. Health station: re-measure at home within 2 hours; if still ≥ 37.3 °C, transfer to a fever clinic by 120 ambulance and tell the sub-district.",
    ),
    "alert_followup_symptoms": (
        "{name}居家隔离第 {day} 天随访自述症状：{symptoms}（体温 {celsius} °C）。请卫生站当日电话或上门问诊，必要时安排核酸检测。",
        "{name}, day {day} of home quarantine, reports: {symptoms} ({celsius} °C). Health station: call or visit today and arrange a test if needed.",
    ),
    "alert_quarantine_breach": (
        "{person} 居家隔离期间在 {checkpoint} 试图外出，已被拦下。请社区工作者当日上门核实并劝返。",
        "{person}, in home quarantine, tried to go out at {checkpoint} and was stopped. Community worker: visit today to check and talk to them.",
    ),
    "alert_fever_referral": (
        "{person} 在 {checkpoint} 复测仍发热（{celsius} °C），已转卫生站。请卫生站接诊并登记结果。",
        "{person} still had a fever on retest at {checkpoint} ({celsius} °C) and was sent to the health station. Health station: see them and record the outcome.",
    ),
    "alert_forged_pass": (
        "{checkpoint} 扫到伪造的出入证。请社区核实持证人并视情况报派出所。",
        "A forged pass was scanned at {checkpoint}. Community: find out who held it and tell the police station if needed.",
    ),
    # -- API and CLI codes (below) --
    "community_required": (
        "请指明社区（community）。您可在以下社区操作：{choices}。",
        "Say which community (community): you work in {choices}.",
    ),
    "follow_up_id_reused": (
        "该 id 已用于另一位隔离人员的随访记录；请为新记录生成新的 UUID。",
        "This id was already used for a follow-up of another plan; generate a new UUID.",
    ),
    "query_date_invalid": (
        "{what}“{raw}”不是有效日期，请写成 YYYY-MM-DD，例如 2020-03-01。",
        "{what} '{raw}' is not a date: write YYYY-MM-DD, e.g. 2020-03-01.",
    ),
    "remind_worker_header": ("{worker}：{count} 项", "{worker}: {count}"),
    "remind_item": (
        "{n}. {name}，{address}，第 {day} 天：{slots}；电话 {phone}",
        "{n}. {name}, {address}, day {day}: {slots}; phone {phone}",
    ),
    "remind_slot_overdue": ("{slot}逾期未随访", "{slot} overdue"),
    "remind_slot_due": ("{slot}待随访", "{slot} due now"),
    "remind_slot_later": ("{slot}（{opens} 起）", "{slot} (from {opens})"),
    "remind_no_phone": ("未登记", "none on file"),
    "remind_what_to_do": (
        "请先联系逾期的人员；体温 ≥ {fever} °C 或有症状，请立即报卫生站。",
        "Call the overdue ones first; a temperature ≥ {fever} °C or any symptom goes to the health station at once.",
    ),
    "remind_nobody": (
        "社区“{community}”没有社区工作者，以下 {count} 项无人接收提醒：",
        "Community '{community}' has no community worker; nobody is told about these {count}:",
    ),
    "cli_option_required": (
        "缺少 {option}。用法：{usage}",
        "{option} is required. Usage: {usage}",
    ),
    "cli_not_xlsx": (
        "“{path}”不是 .xlsx 文件名：请给出以 .xlsx 结尾的路径，例如 health-2020-03-01.xlsx。",
        "'{path}' is not an .xlsx file name: give a path ending in .xlsx, e.g. health-2020-03-01.xlsx.",
    ),
    "cli_export_no_user": (
        "没有可代为导出的街道管理员账号：请用 --user 用户名 指定。",
        "There is no sub-district admin to export as: name a user with --user USERNAME.",
    ),
    "cli_already_running": (
        "另一个“shouwang quarantine {action}”正在运行，本次未执行。请稍后再试。",
        "Another 'shouwang quarantine {action}' is running; nothing done. Try again later.",
    ),
    "release_due_none": ("没有到期待解除的居家隔离。", "No plans are due for release."),
    "release_due_prompt": ("解除这 {count} 人的居家隔离？", "Release {count} plans?"),
    "release_due_cancelled": ("已取消，未解除任何隔离。", "Cancelled; nothing released."),
    "remind_subject": (
        "今日居家隔离随访（{day}）：{count} 项",
        "Today's home-quarantine follow-ups ({day}): {count}",
    ),
}


def alert_words(alert: Alert, lang: str) -> str:
    """What the alert is about and what to do, in ``lang``; reads the resident (and screening).

    The person is named masked (张*) and without an address: these words go into lists, the API
    and notices, none of which is an audited read of one person's record. Who must act opens the
    plan (an audited read) for the full name and address."""
    from shouwang.quarantine.choices import Symptom

    detail: dict[str, Any] = alert.detail or {}
    resident = alert.resident
    screening = alert.screening
    en = lang.lower().startswith("en")
    symptoms = [str(Symptom(s).label).split(" ", 1)[1 if en else 0] for s in detail.get("symptoms", [])]
    params = {
        "name": resident.masked_name if resident else "",
        "day": detail.get("day", ""),
        "celsius": detail.get("celsius", "") or (screening.temperature_c if screening else ""),
        "symptoms": ("、" if not en else ", ").join(symptoms),
        # A visitor's or rider's fever (no screening, no resident) carries both in ``detail``.
        "person": screening.person_masked
        if screening
        else (resident.masked_name if resident else detail.get("person", "")),
        "checkpoint": screening.checkpoint.name if screening else detail.get("checkpoint", ""),
    }
    return describe(f"alert_{alert.kind}", lang, **params)
