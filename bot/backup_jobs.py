"""The daily automatic backup (a JobQueue job) and what ``备份`` sends.

The composition root hands the dispatcher a :class:`BackupStore` (storage's backup folder);
this module schedules it daily at ``JXC_BACKUP_TIME`` keeping ``JXC_BACKUP_KEEP`` files.
Several replicas each run the job: every one writes its own timestamped copy, and the
retention keeps the newest few — harmless duplicates rather than a missed backup.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from telegram.ext import Application, ContextTypes

    from bot.settings import Settings

log = logging.getLogger(__name__)

JOB_NAME = "backup:daily"
# Telegram refuses bot uploads above 50 MB; bigger backups stay on the server.
MAX_SEND_BYTES = 50 * 1024 * 1024


class BackupStore(Protocol):
    def take(self, now: datetime) -> Path: ...

    def latest(self) -> Path | None: ...


async def daily_backup(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write today's backup and prune old ones, off the event loop."""
    store: BackupStore = context.job.data  # type: ignore[union-attr]
    try:
        path = await asyncio.to_thread(store.take, datetime.now(timezone.utc))
    except Exception:  # noqa: BLE001 - a failed backup is logged; tomorrow's runs again
        log.exception("daily backup failed")
        return
    log.info("daily backup written: %s", path.name)


def register_backup_jobs(application: Application, settings: Settings, store: BackupStore | None) -> None:
    """Schedule the daily backup (none when JXC_BACKUP_KEEP is 0 or there is no store)."""
    if store is None or settings.jxc_backup_keep == 0 or application.job_queue is None:
        return
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    application.job_queue.run_daily(daily_backup, settings.backup_time, name=JOB_NAME, data=store)
