"""Stable values of the roster in the product (rosters, swaps, shifts).

Labels are ``"中文 English"`` like the other apps' choices; the API shows one half by language.
"""

from django.db import models


class RosterStatus(models.TextChoices):
    """A Roster is a ``draft`` until the coordinator publishes it; only a published Roster shows
    in the staff's "my shifts" and calendar feed. Re-solving a published Roster makes it a draft
    again (people's shifts changed: the coordinator looks, then publishes again)."""

    DRAFT = "draft", "草稿 draft"
    PUBLISHED = "published", "已发布 published"


class SolverStatus(models.TextChoices):
    """The solver's word for the last solve of a Roster (``shouwang.roster.model.Status``).

    Only ``optimal`` and ``feasible`` solves are stored; the others leave the Roster as it was.
    """

    OPTIMAL = "optimal", "最优 optimal"
    FEASIBLE = "feasible", "可行 feasible"
    INFEASIBLE = "infeasible", "无解 infeasible"
    UNKNOWN = "unknown", "超时未解 unknown"


class ShiftSource(models.TextChoices):
    """Who put a person in a cell: the solver, the coordinator by hand, or an approved swap."""

    SOLVER = "solver", "自动排班 solver"
    HAND = "hand", "手工安排 by hand"
    SWAP = "swap", "换班 swap"


class SwapKind(models.TextChoices):
    """``offer``: the Shift's own staff member gives it away (to a named colleague, or to whoever
    the coordinator picks). ``take``: a colleague asks to take someone's Shift."""

    OFFER = "offer", "让班 offer"
    TAKE = "take", "接班 take"


class SwapStatus(models.TextChoices):
    PENDING = "pending", "待审批 pending"
    APPROVED = "approved", "已批准 approved"
    REJECTED = "rejected", "已驳回 rejected"
    CANCELLED = "cancelled", "已撤回 cancelled"
