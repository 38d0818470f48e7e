"""The local console chat: the same dispatcher as Telegram, replies as plain text."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.dispatcher import Dispatcher, Incoming, Reply
from bot.rendering import to_plain

CONSOLE_USER_ID = 0
CONSOLE_CHAT_ID = 0
EXIT_WORDS = {"exit", "quit", "退出", "q"}
FILES_ENV = "JXC_CONSOLE_FILES"  # where charts and spreadsheets are saved (default ./jxc-files)
BANNER = "JXC 进销存 · 控制台。输入「帮助」查看命令，「退出」结束。"


def format_reply(reply: Reply) -> str:
    """Plain text of a reply; a button becomes the command that does the same."""
    lines = [to_plain(reply.html)]
    for row in reply.buttons:
        hints = []
        for button in row:
            hints.append(f"[{button.text}：{button.command}]" if button.command else f"[{button.text}]")
        lines.append(" ".join(hints))
    return "\n".join(lines)


def save_attachment(reply: Reply, directory: Path) -> Path | None:
    """Write a reply's chart or spreadsheet to a file; a second one of the same name gets a
    number rather than overwriting the first."""
    if reply.attachment is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[\\/:*?\"<>|\s]+", "_", reply.attachment.filename) or "file"
    path = directory / name
    stem, suffix, counter = path.stem, path.suffix, 1
    while path.exists():
        counter += 1
        path = directory / f"{stem}_{counter}{suffix}"
    path.write_bytes(reply.attachment.data)
    return path


def files_directory() -> Path:
    return Path(os.environ.get(FILES_ENV) or "jxc-files")


def run_console(
    dispatcher: Dispatcher,
    user_name: str,
    lines: Iterable[str],
    out: TextIO,
    *,
    interactive: bool,
    files_dir: Path | None = None,
) -> None:
    """Answer each line. Piped input is echoed with a ``>`` so a transcript reads like a chat."""
    if interactive:
        print(BANNER, file=out)
    for raw in lines:
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        if text.strip().lower() in EXIT_WORDS:
            break
        if not interactive:
            print(f"> {text}", file=out)
        reply = dispatcher.handle(
            Incoming(text, CONSOLE_USER_ID, user_name, CONSOLE_CHAT_ID, chat_type="console")
        )
        if reply is not None:
            print(format_reply(reply), file=out)
            saved = save_attachment(reply, files_dir or files_directory())
            if saved is not None:
                print(f"已保存：{saved.resolve()}", file=out)
        print(file=out)
        out.flush()


def prompt_lines(prompt: str = "jxc> ") -> Iterable[str]:
    """Lines typed at a terminal, with line editing and history."""
    import readline  # noqa: F401  (enables editing keys for input())

    while True:
        try:
            yield input(prompt)
        except (EOFError, KeyboardInterrupt):
            print()
            return
