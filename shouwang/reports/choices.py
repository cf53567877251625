"""Stable values of the reports app."""

from django.db import models


class ReportStatus(models.TextChoices):
    """Where a daily report stands: a draft is being written; submitted went upward and waits for
    the sub-district; approved is final; returned came back with a reason and can be submitted
    again."""

    DRAFT = "draft", "草稿 draft"
    SUBMITTED = "submitted", "已上报 submitted"
    APPROVED = "approved", "已审核 approved"
    RETURNED = "returned", "已退回 returned"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV (UTF-8)"


# The scope word for a sub-district's roll-up in URLs, the API and file names (a community's
# report is named by the community's code).
ROLL_UP = "all"
