"""The HKID check-digit rule: the only logic the Hong Kong provider needs.

A Hong Kong Identity Card number is one or two letters, six digits and a check digit
shown in brackets: ``A123456(3)``. The check digit makes the weighted sum of all
characters divisible by 11. Letters count A=10 ... Z=35; a one-letter prefix is padded
on the left with a space worth 36. Weights run 9, 8, 7, ..., 2 from the left over the
eight positions (two prefix positions + six digits). The check value is
``11 - (sum mod 11)``: 11 becomes ``0`` and 10 becomes ``A``.

Worked example (also in the tests): ``A123456`` → 36·9 + 10·8 + 1·7 + 2·6 + 3·5 +
4·4 + 5·3 + 6·2 = 481; 481 mod 11 = 8; 11 − 8 = 3 → ``A123456(3)``.

The scalar functions serve the Faker provider; `check_digits` does the same for a whole
numpy array at once, so the population builder never loops per customer.
"""

from __future__ import annotations

import re

import numpy as np

SPACE_VALUE = 36
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
HKID_PATTERN = re.compile(r"([A-Z]{1,2})([0-9]{6})\(([0-9A])\)")


def letter_value(letter: str) -> int:
    """A=10 ... Z=35, the value a prefix letter carries in the weighted sum."""
    return ord(letter) - ord("A") + 10


def check_digit(prefix: str, digits: str) -> str:
    """The check character ("0"-"9" or "A") for `prefix` (1-2 letters) and 6 `digits`."""
    values = [SPACE_VALUE] * (2 - len(prefix)) + [letter_value(c) for c in prefix]
    values += [int(d) for d in digits]
    remainder = sum(w * v for w, v in zip(WEIGHTS, values, strict=True)) % 11
    check = (11 - remainder) % 11
    return "A" if check == 10 else str(check)


def format_hkid(prefix: str, digits: str) -> str:
    """The full identifier as printed on the card, e.g. ``A123456(3)``."""
    return f"{prefix}{digits}({check_digit(prefix, digits)})"


def is_valid(hkid: str) -> bool:
    """True when `hkid` has the ``X123456(c)`` shape and a correct check digit."""
    match = HKID_PATTERN.fullmatch(hkid)
    return bool(match) and check_digit(match[1], match[2]) == match[3]


def check_digits(prefixes: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Vectorised `check_digit`: `prefixes` (str array, 1-2 letters), `numbers` (ints < 10**6).

    Returns a str array of check characters, one per row.
    """
    prefixes = np.asarray(prefixes, dtype="U2")
    numbers = np.asarray(numbers, dtype=np.int64)
    two = np.strings.str_len(prefixes) == 2
    codes = prefixes.view(np.uint32).reshape(len(prefixes), 2).astype(np.int64)
    # a one-letter prefix sits in column 0 with a 0 in column 1; shift it right
    hi = np.where(two, codes[:, 0] - 55, SPACE_VALUE)
    lo = np.where(two, codes[:, 1] - 55, codes[:, 0] - 55)
    total = 9 * hi + 8 * lo
    for weight, power in zip(WEIGHTS[2:], range(5, -1, -1), strict=True):
        total += weight * ((numbers // 10**power) % 10)
    check = (11 - total % 11) % 11
    return np.where(check == 10, "A", check.astype("U2"))
