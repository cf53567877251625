"""Words for the reports app's codes in zh-Hans and en. Registered into
:data:`shouwang.core.messages.MESSAGES` when the app is ready."""

from __future__ import annotations

REPORT_MESSAGES: dict[str, tuple[str, str]] = {
    "report_scope_unknown": (
        "没有编号为“{code}”的社区。请用社区编号（如 tps），或用 all 表示全街道汇总。",
        "There is no community coded '{code}'. Use a community code (e.g. tps), or 'all' for the sub-district's roll-up.",
    ),
    "report_roll_up_admin_only": (
        "全街道汇总日报只有街道管理员可以查看和上报。",
        "Only a sub-district admin may see and submit the sub-district's roll-up report.",
    ),
    "report_submit_forbidden": (
        "只有本社区的社区工作者或街道管理员可以填写和上报日报。",
        "Only a community worker of this community or a sub-district admin may write and submit its report.",
    ),
    "report_review_forbidden": (
        "只有街道管理员可以审核或退回日报。",
        "Only a sub-district admin may approve or return a daily report.",
    ),
    "report_read_forbidden": (
        "您的角色不能查看日报（卡口值守人员请使用卡口页面）。",
        "Your role cannot see daily reports (gate staff: use the gate page).",
    ),
    "report_not_editable": (
        "此日报{status}，不能再修改。被退回后才能修改并重新上报。",
        "This report is {status_en} and cannot change; it can be edited again only after it is returned.",
    ),
    "report_already_submitted": (
        "此日报已于 {at} 上报，等待街道审核。",
        "This report was already submitted at {at} and is waiting for the sub-district.",
    ),
    "report_already_approved": (
        "此日报已审核通过，不能再更改。",
        "This report is approved and cannot change.",
    ),
    "report_not_submitted": (
        "此日报尚未上报（当前：{status}），不能审核或退回。",
        "This report has not been submitted (it is {status_en}), so it cannot be approved or returned.",
    ),
    "report_missing": (
        "{scope} {day} 的日报尚未填写。",
        "There is no report of {scope} for {day} yet.",
    ),
    "report_return_reason_required": (
        "退回日报须写明原因（至少两个字），如“发热人数与卫生站不符，请核对”。",
        "Returning a report needs a reason (at least two characters), e.g. 'fever count differs from the health station's; please check'.",
    ),
    "report_day_future": (
        "日期 {day} 还没到，不能填写日报。",
        "{day} has not come yet; its report cannot be written.",
    ),
    "report_format_unknown": (
        "导出格式“{raw}”无效，可选：xlsx、pdf、csv。",
        "Export format '{raw}' is not one of: xlsx, pdf, csv.",
    ),
    "report_out_suffix": (
        "文件“{path}”的扩展名与导出格式 {fmt} 不符：请把文件名改为 .{fmt} 结尾，或换用对应的 --format。",
        "'{path}' does not end in .{fmt}: name the file .{fmt}, or give the --format its name says.",
    ),
    "report_out_unwritable": (
        "无法写入文件“{path}”：{reason}。请换一个可写的路径。",
        "Cannot write '{path}': {reason_en}. Give a writable path.",
    ),
    "report_notes_too_long": (
        "备注太长（{length} 字），最多 {limit} 字。",
        "The notes are too long ({length} characters); at most {limit}.",
    ),
}
