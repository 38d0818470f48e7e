"""``jxc``: the command line (run, console, demo, migrate, check, backup, restore).

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
    from bot.telegram_app import ALLOWED_UPDATES, build_application, quiet_http_logs, redact_token_in_logs
    from bot.webhook import HealthServer, WebhookPlan, parse_listen, webhook_secret
    from storage.db import ping

    settings = _settings(args)
    if settings.telegram_bot_token is None:
        print("TELEGRAM_BOT_TOKEN 未设置：请先在 @BotFather 创建机器人，见 README。", file=sys.stderr)
        return 2
    token = settings.telegram_bot_token.get_secret_value()
    webhook_url = getattr(args, "webhook", None) or settings.jxc_webhook_url
    plan = None
    try:
        if webhook_url:
            configured = settings.jxc_webhook_secret.get_secret_value() if settings.jxc_webhook_secret else None
            listen = getattr(args, "listen", None) or settings.jxc_webhook_listen
            plan = WebhookPlan.make(webhook_url, listen, webhook_secret(configured, token))
        health_listen = getattr(args, "health", None)
        health_listen = settings.jxc_health_listen if health_listen is None else health_listen
        if health_listen:
            parse_listen(health_listen, 8081)
    except ValueError as error:
        print(f"jxc run: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_http_logs()
    redact_token_in_logs(token)
    if not settings.owner_ids:
        logging.warning("JXC_OWNER_IDS is empty: the first workspace has no owner (others can still 新建账套)")
    runtime = build_runtime(settings)
    application = build_application(settings, runtime.dispatcher)
    if health_listen:
        _serve_health(application, HealthServer(lambda: ping(runtime.engine), health_listen))
    if plan is None:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
        return 0
    # Telegram posts each update with the secret header; PTB's server answers 403 without it.
    application.run_webhook(
        listen=plan.listen,
        port=plan.port,
        url_path=plan.path,
        webhook_url=plan.url,
        secret_token=plan.secret,
        allowed_updates=ALLOWED_UPDATES,
    )
    return 0


def _serve_health(application, health) -> None:  # type: ignore[no-untyped-def]
    """Run the health endpoint for as long as the Application runs, on its event loop."""
    post_init, post_shutdown = application.post_init, application.post_shutdown

    async def start(app) -> None:  # type: ignore[no-untyped-def]
        if post_init is not None:
            await post_init(app)
        health.start()

    async def stop(app) -> None:  # type: ignore[no-untyped-def]
        await health.stop()
        if post_shutdown is not None:
            await post_shutdown(app)

    application.post_init, application.post_shutdown = start, stop


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
    document_problems = []
    layer_problems = []
    batch_problems = []
    for workspace_id in workspace_ids(engine):
        report = check_books(SqlUnitOfWork(engine, workspace_id))
        balances += report.balances
        movements += report.movements
        problems += [(workspace_id, mismatch) for mismatch in report.mismatches]
        document_problems += [(workspace_id, found) for found in report.discrepancies]
        layer_problems += [(workspace_id, mismatch) for mismatch in report.layer_mismatches]
        batch_problems += [(workspace_id, mismatch) for mismatch in report.batch_mismatches]
    for workspace_id, m in problems:
        print(
            f"账套 {workspace_id} {m.product_code}@{m.warehouse}: 记录 {m.stored.quantity}/{m.stored.value}"
            f" ≠ 流水合计 {m.derived.quantity}/{m.derived.value}"
        )
    for workspace_id, lm in layer_problems:
        print(
            f"账套 {workspace_id} {lm.product_code}@{lm.warehouse}: 余额 {lm.balance_quantity}/{lm.balance_value}"
            f" ≠ 先进先出成本批次合计 {lm.layers_quantity}/{lm.layers_value}"
        )
    for workspace_id, bm in batch_problems:
        print(f"账套 {workspace_id} {bm.product_code}@{bm.warehouse}: 库存 {bm.balance_quantity} ≠ 批次合计 {bm.batches_quantity}")
    for workspace_id, found in document_problems:
        print(f"账套 {workspace_id} {found.subject}: {found.problem}")
    if problems or layer_problems or batch_problems or document_problems:
        found = [f"{len(problems)} 个余额与流水不符"]  # then only the kinds that went wrong
        found += [f"{len(layer_problems)} 个余额与成本批次不符"] if layer_problems else []
        found += [f"{len(batch_problems)} 个库存与批次不符"] if batch_problems else []
        found += [f"{len(document_problems)} 处单据往来不符"] if document_problems else []
        print(f"❌ 对账失败：{'，'.join(found)}（共 {balances} 个余额，{movements} 笔流水）")
        return 1
    print(f"✅ 对账通过：{balances} 个余额与 {movements} 笔流水的数量和金额全部相符，单据往来与核销相符")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from storage.backup import BackupError, backup_database

    settings = _settings(args)
    try:
        path = backup_database(settings.database_url, Path(args.path))
    except BackupError as error:
        print(f"❌ 备份失败：{error}", file=sys.stderr)
        return 1
    print(f"✅ 已备份到 {path}（{path.stat().st_size / 1024:.0f} KB）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from storage.backup import BackupError, restore_database

    settings = _settings(args)
    try:
        restore_database(settings.database_url, Path(args.path))
    except BackupError as error:
        print(f"❌ 未恢复：{error}。数据库没有改动。", file=sys.stderr)
        return 1
    print(f"✅ 已从 {args.path} 恢复，正在对账…")
    return cmd_check(args)


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

    run = commands.add_parser("run", help="run the Telegram bot (polling, or webhook with --webhook)")
    run.add_argument("--db", help="database URL (default: DATABASE_URL or ./data/jxc.sqlite3)")
    run.add_argument("--webhook", metavar="URL", help="webhook mode: Telegram posts to this https URL (JXC_WEBHOOK_URL)")
    run.add_argument("--listen", metavar="HOST:PORT", help="webhook server address (JXC_WEBHOOK_LISTEN, 0.0.0.0:8443)")
    run.add_argument("--health", metavar="HOST:PORT", help="/healthz address, empty for none (JXC_HEALTH_LISTEN)")
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

    backup = commands.add_parser("backup", help="copy the database to PATH (safe while the bot runs)")
    backup.add_argument("path", help="backup file to write")
    backup.add_argument("--db", help="database URL")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="replace the database with a backup, then check it (stop the bot first)")
    restore.add_argument("path", help="backup file made by jxc backup")
    restore.add_argument("--db", help="database URL")
    restore.set_defaults(handler=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
