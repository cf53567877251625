"""``shouwang token create USERNAME [--label L]``: print a new API bearer token."""

from __future__ import annotations

import argparse
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shouwang.core.auth import create_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it (shown once). 为用户生成 API 令牌。"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token for USERNAME")
        create.add_argument("username")
        create.add_argument("--label", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        try:
            token = create_token(username, label=options["label"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有用户“{username}”。 There is no user '{username}'.") from None
        self.stdout.write(token)
