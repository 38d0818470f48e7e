"""``jxc``: the command line (run, console, demo, migrate, check).

Without a sub-command it runs the main job: the Telegram bot when TELEGRAM_BOT_TOKEN is set,
otherwise the console demo on an embedded SQLite database.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.settings import Settings

DEMO_DATABASE = Path("data/demo.sqlite3")


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "db", None):
        overrides["database_url"] = args.db
    return Settings(**overrides)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import build_runtime
    from bot.telegram_app import build_application, quiet_http_logs, redact_token_in_logs

    settings = _settings(args)
    if settings.telegram_bot_token is None:
        print("TELEGRAM_BOT_TOKEN 未设置：请先在 @BotFather 创建机器人，见 README。", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_http_logs()
    redact_token_in_logs(settings.telegram_bot_token.get_secret_value())
    if not settings.owner_ids:
        logging.warning("JXC_OWNER_IDS is empty: the first workspace has no owner (others can still 新建账套)")
    runtime = build_runtime(settings)
    application = build_application(settings, runtime.dispatcher)
    application.run_polling(allowed_updates=["message", "edited_message", "callback_query"])
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from bot.app import build_runtime
    from bot.console import prompt_lines, run_console

    runtime = build_runtime(_settings(args))
    interactive = sys.stdin.isatty()
    lines = prompt_lines() if interactive else sys.stdin
    run_console(runtime.dispatcher, args.user, lines, sys.stdout, interactive=interactive)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import create_demo_database

    path = Path(args.path)
    url = create_demo_database(path)
    print(f"演示数据库已建好：{path}（20 多个商品、两周的进出库）", file=sys.stderr)
    args.db = url
    return cmd_console(args)


def cmd_migrate(args: argparse.Namespace) -> int:
    from storage.db import make_engine
    from storage.migrate import current_revision, upgrade

    settings = _settings(args)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    print(f"数据库已是最新结构（{current_revision(engine)}）")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot.app import open_database
    from domain.services import check_books
    from storage.unit_of_work import SqlUnitOfWork
    from storage.workspaces import workspace_ids

    settings = _settings(args)
    engine, _ = open_database(settings.database_url, settings.jxc_timezone)
    balances = movements = 0
    problems = []
    documents = []
    for workspace_id in workspace_ids(engine):
        report = check_books(SqlUnitOfWork(engine, workspace_id))
        balances += report.balances
        movements += report.movements
        problems += [(workspace_id, mismatch) for mismatch in report.mismatches]
        documents += [(workspace_id, discrepancy) for discrepancy in report.discrepancies]
    for workspace_id, m in problems:
        print(
            f"账套 {workspace_id} {m.product_code}@{m.warehouse}: 记录 {m.stored.quantity}/{m.stored.value}"
            f" ≠ 流水合计 {m.derived.quantity}/{m.derived.value}"
        )
    for workspace_id, d in documents:
        print(f"账套 {workspace_id} {d.subject}: {d.problem}")
    if problems or documents:
        print(
            f"❌ 对账失败：{len(problems)} 个余额与流水不符，{len(documents)} 处单据往来不符"
            f"（共 {balances} 个余额，{movements} 笔流水）"
        )
        return 1
    print(f"✅ 对账通过：{balances} 个余额与 {movements} 笔流水的数量和金额全部相符，单据往来与核销相符")
    return 0


def cmd_default(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.telegram_bot_token is not None:
        return cmd_run(args)
    args.path = str(DEMO_DATABASE)
    args.user = "店主"
    return cmd_demo(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jxc", description="JXC 进销存机器人")
    parser.set_defaults(handler=cmd_default)
    commands = parser.add_subparsers(title="commands")

    run = commands.add_parser("run", help="run the Telegram bot (polling)")
    run.add_argument("--db", help="database URL (default: DATABASE_URL or ./data/jxc.sqlite3)")
    run.set_defaults(handler=cmd_run)

    console = commands.add_parser("console", help="the same bot in this terminal")
    console.add_argument("--db", help="database URL")
    console.add_argument("--user", default="店主", help="your name in the ledger")
    console.set_defaults(handler=cmd_console)

    demo = commands.add_parser("demo", help="a fresh demo shop, then the console")
    demo.add_argument("--path", default=str(DEMO_DATABASE), help="SQLite file to (re)create")
    demo.add_argument("--user", default="店主")
    demo.set_defaults(handler=cmd_demo)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--db", help="database URL")
    migrate.set_defaults(handler=cmd_migrate)

    check = commands.add_parser("check", help="prove balances equal the sum of movements")
    check.add_argument("--db", help="database URL")
    check.set_defaults(handler=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
