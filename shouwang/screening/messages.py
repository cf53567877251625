"""Words for the screening app's own codes of the offline gate (the batch of a device's queue)
in zh-Hans and en. Registered into :data:`shouwang.core.messages.MESSAGES` when the app is
ready; the gate's decision codes live in :mod:`shouwang.core.messages`."""

from __future__ import annotations

SCREENING_MESSAGES: dict[str, tuple[str, str]] = {
    "batch_item_not_object": (
        "这一条不是 JSON 对象，无法作为测温记录。",
        "This item is not a JSON object and cannot be a screening.",
    ),
    "batch_id_required": (
        "离线记录须带设备生成的 UUID（id），重发时才不会重复记录。",
        "A queued screening needs its client UUID (id), so sending it again records it once.",
    ),
    "batch_occurred_at_required": (
        "离线记录须带测温时间（occurred_at，ISO 8601 含时区）。",
        "A queued screening needs the time it was taken (occurred_at, ISO 8601 with offset).",
    ),
}
