"""Russian plurals for messages with counts: «1 вход», «2 входа», «5 входов».

Russian chooses among three forms by the last one or two digits of the number:

- ``one``  — 1, 21, 31, … (but not 11): «1 вход», «на 21 входе», «из 1 входа»;
- ``few``  — 2–4, 22–24, … (but not 12–14): «2 входа», «на 3 входах», «из 2 входов»;
- ``many`` — 0, 5–20, 25–30, …: «5 входов», «на 11 входах», «из 12 входов».

The caller passes the three forms in the grammatical case the sentence needs.
"""
from __future__ import annotations


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a noun that agrees with the number ``n``."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, one: str, few: str, many: str) -> str:
    """``n`` followed by the agreeing form: ``count(3, "вход", "входа", "входов") == "3 входа"``."""
    return f"{n} {plural(n, one, few, many)}"
