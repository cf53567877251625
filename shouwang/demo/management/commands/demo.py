"""``shouwang demo``: migrate, load the 西长安街街道 scenario, print the log-ins, serve with granian."""

from __future__ import annotations

import os
import socket
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

import shouwang
from shouwang.demo.scenario import DEMO_PASSWORD, DemoSummary, load_xichangan


def source_root() -> Path:
    """The directory holding the ``shouwang`` package, for the server to import it from."""
    return Path(shouwang.__file__).resolve().parent.parent


def granian_path() -> Path:
    """The granian executable installed beside the running Python (the project's venv)."""
    return Path(sys.executable).parent / "granian"


def port_free_or_fail(host: str, port: int) -> None:
    """Refuse to start a second server on a port in use: granian would share it silently, and
    requests would alternate between two databases."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise CommandError(
                f"端口 {port} 已被占用：请先停止正在运行的 shouwang demo，或用 --port 换一个端口。 "
                f"Port {port} is in use: stop the other server or pick another with --port."
            ) from None


class Command(BaseCommand):
    help = "载入演示数据并启动网站 Load the 西长安街街道 demo and serve it (granian)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--data-dir",
            help="数据目录 data directory (SQLite, secrets); read by shouwang/cli.py before settings load",
        )
        parser.add_argument("--host", default="127.0.0.1", help="监听地址 host to bind (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="端口 port (default 8000)")
        parser.add_argument(
            "--load-only", action="store_true", help="只载入数据，不启动网站 load, do not serve"
        )
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help="演示账号密码 password of the demo log-ins"
        )
        parser.add_argument(
            "--residents", type=int, default=3000, help="居民人数 number of residents (default 3000)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["residents"] < 1:
            raise CommandError("--residents 至少为 1 must be at least 1")
        data_dir = options.get("data_dir")
        if data_dir and Path(data_dir).resolve() != Path(settings.DATA_DIR):
            # Settings were read before this command ran; only shouwang/cli.py can apply it in time.
            raise CommandError(
                f"--data-dir 须经 shouwang 命令传入 must be given to the `shouwang` command "
                f"(settings already use {settings.DATA_DIR})"
            )
        self.stdout.write("迁移数据库 Migrating the database…")
        call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write("载入西长安街街道演示数据 Loading the 西长安街街道 demo…")
        summary = load_xichangan(residents=options["residents"], password=options["password"])
        self.print_summary(summary)
        url = f"http://{options['host']}:{options['port']}/"
        if options["load_only"]:
            self.stdout.write(f"已载入，未启动网站 Loaded; not serving. Start with: shouwang demo → {url}")
            return
        self.serve(options["host"], options["port"], url)

    def print_summary(self, s: DemoSummary) -> None:
        if s.already_loaded:
            self.stdout.write(
                self.style.WARNING(
                    "演示数据已存在，未重复载入 The demo was already loaded; nothing was added."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"载入完成，用时 {s.seconds:.1f} 秒 Loaded in {s.seconds:.1f} s.")
            )
        self.stdout.write(
            f"  社区 communities {s.communities} · 卡口 checkpoints {s.checkpoints}"
            f"（虚构 invented {s.invented_checkpoints}）· 单位 institutions {s.institutions}"
            f" · 出入证样式 pass types {s.pass_types}\n"
            f"  户 households {s.households} · 居民 residents {s.residents}"
            f" · 单位人员 members {s.members}\n"
            f"  出入证 passes {s.passes}（今日有效 valid today {s.passes_valid_today}）"
            f" · 居家隔离中 in quarantine {s.quarantined} · 工作人员 staff {s.staff}"
            f"（{s.teams} 个临时党支部 teams）"
        )
        self.stdout.write("登录 Log-ins (用户名 username / 密码 password / 角色 role):")
        for login in s.logins:
            self.stdout.write(
                f"  {login.username:<11} / {login.password} / {login.role} — {login.description}"
            )
        self.stdout.write("  cadre01…cadre15 同一密码 same password (下沉干部 deployed cadres)")
        if s.already_loaded:
            self.stdout.write("  密码为首次载入时所设 passwords are those set at the first load")

    def serve(self, host: str, port: int, url: str) -> None:
        port_free_or_fail(host, port)
        granian = granian_path()
        if not granian.exists():
            raise CommandError(f"找不到 granian not found at {granian}")
        root = str(source_root())
        # The server imports settings afresh: hand it the same data dir and the source tree.
        os.environ["SHOUWANG_DATA_DIR"] = str(settings.DATA_DIR)
        os.environ["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
        python_path = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = root + (os.pathsep + python_path if python_path else "")
        self.stdout.write(self.style.SUCCESS(f"打开 Open {url}login/  (Ctrl-C 停止 to stop)"))
        self.stdout.flush()
        connections.close_all()
        argv = [
            str(granian), "--interface", "wsgi", "--host", host, "--port", str(port), "--workers", "1", "--blocking-threads", "1",
            "--working-dir", root, "shouwang.wsgi:application",
        ]  # fmt: skip
        os.execvp(str(granian), argv)  # noqa: S606 - replaces this process with the server, by design
