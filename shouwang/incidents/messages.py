"""Words for the incidents app's codes (incidents, escalations, photos, help given) in zh-Hans
and en. Registered into :data:`shouwang.core.messages.MESSAGES` when the app is ready."""

from __future__ import annotations

INCIDENT_MESSAGES: dict[str, tuple[str, str]] = {
    "incident_kind_invalid": (
        "事件类型须为以下之一：{choices}。",
        "The incident type must be one of: {choices}.",
    ),
    "severity_invalid": ("严重程度须为以下之一：{choices}。", "The severity must be one of: {choices}."),
    "incident_screening_unknown": (
        "没有这条本社区的测温记录，无法据此填写事件。",
        "There is no such screening in this community to fill the incident from.",
    ),
    "incident_people_required": (
        "请写明涉及的人：选择居民，或描述其外貌、衣着（如“男，约 40 岁，黑色外套”）。",
        "Say who was involved: pick a resident, or describe them (e.g. 'man, about 40, black coat').",
    ),
    "incident_unknown": (
        "没有这条事件记录，或不在您的社区。",
        "There is no such incident in your communities.",
    ),
    "incident_closed": (
        "此事件已结案，不能再更改。如有新情况，请另行登记事件。",
        "This incident is closed and cannot change. Record a new incident for anything new.",
    ),
    "incident_outcome_required": (
        "请写明处理结果（至少两个字），如“已劝离”“派出所已带走”。",
        "Write the outcome (at least two characters), e.g. 'persuaded to leave', 'taken by the police'.",
    ),
    "incident_close_forbidden": (
        "只有社区工作者、街道管理员或登记此事件的人可以结案。",
        "Only a community worker, a sub-district admin or whoever recorded it may close an incident.",
    ),
    "escalation_target_invalid": (
        "上报对象须为以下之一：{choices}（派出所、卫生站、社区）。",
        "Escalate to one of: {choices}.",
    ),
    "escalation_before_incident": (
        "上报时间早于事件发生时间（{occurred_at}）。请核对时间。",
        "The escalation is before the incident ({occurred_at}). Check the time.",
    ),
    # The time of an escalation or a closing (field ``at``).
    "at_naive": (
        "时间（at）须带时区，例如 2020-03-01T08:30:00+08:00。",
        "at needs a UTC offset, e.g. 2020-03-01T08:30:00+08:00.",
    ),
    "at_future": (
        "时间（at）不能晚于现在 5 分钟以上。",
        "at may not be more than 5 minutes in the future.",
    ),
    "at_too_old": (
        "时间（at）早于 {days} 天前，不能补录。",
        "at is more than {days} days ago; it cannot be recorded now.",
    ),
    # Photos.
    "photo_missing": ("没有上传照片。", "There is no photo."),
    "photo_empty": (
        "照片文件为空。请重新拍照或选择照片（字段名 photo）。",
        "The photo file is empty. Take or pick the photo again (field name: photo).",
    ),
    "photo_too_big": (
        "照片太大（{size} MB），最大 5 MB。请降低相机分辨率或截图后再传。",
        "The photo is too large ({size} MB); the limit is 5 MB. Lower the camera resolution or send a screenshot.",
    ),
    "photo_type": (
        "只能上传 JPEG、PNG 或 WebP 格式的照片。",
        "Only JPEG, PNG or WebP photos can be uploaded.",
    ),
    "photo_too_many_pixels": (
        "照片像素过多（{width}×{height}）。请缩小后再传。",
        "The picture has too many pixels ({width}×{height}). Make it smaller and try again.",
    ),
    "photo_unreadable": (
        "照片已损坏或不完整，无法打开。请重新拍照上传。",
        "The photo is damaged or incomplete and cannot be opened. Take it again.",
    ),
    # Help given.
    "service_kind_invalid": (
        "服务类型须为以下之一：{choices}。",
        "The kind of help must be one of: {choices}.",
    ),
    "service_for_whom_required": (
        "请写明为谁服务：选择居民，或简单描述（如“老人，非本社区”）。",
        "Say whom it was for: pick a resident, or describe them briefly (e.g. 'elderly, not a resident').",
    ),
    "client_id_reused": (
        "该 id 已用于另一条内容不同的记录；请为新记录生成新的 UUID。",
        "This id was already used for a record with different content; generate a new UUID.",
    ),
}
