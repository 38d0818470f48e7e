"""Finding a product without its code: barcode digits, a name fragment, pinyin initials
(``kkl`` → 可口可乐) or full pinyin (``kekou``). Pinyin keys are computed once per name."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from domain.products import Product


@lru_cache(maxsize=20_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower-case, letters and digits only."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="default")]
    full = "".join(ch for ch in "".join(syllables) if ch.isascii() and ch.isalnum())
    initials = "".join(s[0] for s in syllables if s and s[0].isascii() and s[0].isalnum())
    return full, initials


def _subsequence(query: str, text: str) -> bool:
    rest = iter(text)
    return all(ch in rest for ch in query)


def match_rank(product: Product, query: str) -> int | None:
    """How well a product matches a query that is not its code: 0 best, None no match."""
    return rank(product.name, product.barcode, query)


def rank(product_name: str, barcode: str, query: str) -> int | None:
    """:func:`match_rank` on the two columns it reads (so storage need not load whole rows)."""
    q = query.strip().lower()
    if not q:
        return None
    if q.isdigit():
        if barcode == q:
            return 0
        return 1 if len(q) >= 4 and q in barcode else None
    name = product_name.lower()
    if q == name:
        return 0
    if any(ord(ch) > 0x2E80 for ch in q):
        return 1 if q in name else None
    if not (q.isascii() and q.isalpha()):
        return None
    full, initials = pinyin_keys(product_name)
    if q in (full, initials):
        return 0
    if initials.startswith(q) or full.startswith(q) or q in name:
        return 1
    if q in full or q in initials:
        return 2
    if len(q) >= 3 and q[0] == initials[:1] and _subsequence(q, initials):
        return 3  # 可(k)口(k)乐(l): people skip a repeated character's initial
    return None


def best_codes(rows: list[tuple[str, str, str]], query: str, limit: int) -> list[str]:
    """Codes of the best-ranked (code, name, barcode) rows only, by code (so a closer match is
    never drowned by looser ones)."""
    ranked = [(r, code) for code, name, barcode in rows if (r := rank(name, barcode, query)) is not None]
    if not ranked:
        return []
    best = min(r for r, _ in ranked)
    return sorted(code for r, code in ranked if r == best)[:limit]


def best_matches(products: list[Product], query: str, limit: int) -> list[Product]:
    """:func:`best_codes` over whole products (the in-memory fake)."""
    by_code = {p.code: p for p in products}
    return [by_code[code] for code in best_codes([(p.code, p.name, p.barcode) for p in products], query, limit)]
