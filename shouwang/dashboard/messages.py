"""Words for the dashboard app's codes in zh-Hans and en. Registered into
:data:`shouwang.core.messages.MESSAGES` when the app is ready."""

from __future__ import annotations

DASHBOARD_MESSAGES: dict[str, tuple[str, str]] = {
    "dashboard_no_community": (
        "您的账号尚未分配社区，无法查看数据看板。请联系街道管理员。",
        "Your account is not assigned to any community, so there is no dashboard to show. Ask the sub-district admin.",
    ),
    "dashboard_date_out_of_range": (
        "日期须在 {first} 至 {last} 之间。",
        "The date must be between {first} and {last}.",
    ),
}
