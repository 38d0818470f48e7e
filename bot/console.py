"""The local console chat: the same dispatcher as Telegram, replies as plain text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from bot.dispatcher import Dispatcher, Incoming, Reply
from bot.rendering import to_plain

CONSOLE_USER_ID = 0
CONSOLE_CHAT_ID = 0
EXIT_WORDS = {"exit", "quit", "退出", "q"}
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


def run_console(
    dispatcher: Dispatcher,
    user_name: str,
    lines: Iterable[str],
    out: TextIO,
    *,
    interactive: bool,
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
