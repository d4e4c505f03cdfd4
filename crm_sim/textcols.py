"""Fast, vectorised builders of fixed-format text columns (ids, ISO dates, timestamps).

numpy's generic int→str conversions are slow for hundreds of thousands of rows; these
helpers write ASCII digits straight into a byte matrix and convert once. They are pure
functions of their inputs, so the text they produce is identical on every machine.
"""

from __future__ import annotations

import numpy as np

# ASCII digits of 0000..9999, one row per number: a lookup beats per-digit division.
_FOUR = (((np.arange(10_000)[:, None] // np.array([1000, 100, 10, 1])) % 10) + 48).astype(np.uint8)


def digit_matrix(numbers: np.ndarray, width: int) -> np.ndarray:
    """(n, width) uint8 ASCII digits of non-negative `numbers`, zero-padded on the left."""
    numbers = np.asarray(numbers, dtype=np.int64)
    chunks = []
    for _ in range(-(-width // 4)):
        numbers, low = np.divmod(numbers, 10_000)
        chunks.append(_FOUR[low])
    return np.hstack(chunks[::-1])[:, -width:] if chunks else np.zeros((len(numbers), 0), np.uint8)


def join_bytes(parts: list) -> np.ndarray:
    """Join byte-matrix parts (or literal str pieces) column-wise into an object array of str."""
    n = next(len(p) for p in parts if not isinstance(p, str))
    blocks = []
    for part in parts:
        if isinstance(part, str):
            blocks.append(
                np.broadcast_to(np.frombuffer(part.encode("ascii"), np.uint8), (n, len(part)))
            )
        else:
            blocks.append(part)
    matrix = np.ascontiguousarray(np.hstack(blocks)) if n else np.zeros((0, 1), np.uint8)
    width = matrix.shape[1]
    # ASCII bytes widened to UCS-4 code points *are* numpy's "U" layout: no codec pass.
    return matrix.astype(np.uint32).view(f"U{width}").ravel().astype(object)


def ids(prefix: str, n: int, width: int, start: int = 1) -> np.ndarray:
    """Identifiers like ``C000001`` as an object array of str.

    The numbers count up, so their digits need no division: each block of four digits is
    a run of `_FOUR` rows (`_counting_digits`), written straight into the code points.
    A number wider than `width` keeps its last `width` digits, as `digit_matrix` does.
    """
    if n == 0:
        return np.zeros(0, dtype=object)
    head = len(prefix)
    text = np.empty((n, head + width), dtype=np.uint32)
    text[:, :head] = np.frombuffer(prefix.encode("ascii"), np.uint8)
    end = head + width
    for block in _counting_digits(start, n, -(-width // 4)):
        take = min(4, end - head)
        text[:, end - take:end] = block[:, 4 - take:]
        end -= take
    return text.view(f"U{head + width}").ravel().astype(object)


def _counting_digits(start: int, n: int, blocks: int) -> list[np.ndarray]:
    """ASCII digits of ``start .. start+n-1`` as (n, 4) blocks, lowest four digits first.

    Block b holds the digits of ``number // 10_000**b % 10_000``; over counting numbers
    that value stays the same for runs of ``10_000**b`` rows, so each block is one
    `np.repeat` of a few `_FOUR` rows.
    """
    out = []
    for b in range(blocks):
        place = 10_000**b
        first, last = start // place, (start + n - 1) // place
        rows = _FOUR[np.arange(first, last + 1) % 10_000]
        if place == 1:
            out.append(rows)
            continue
        counts = np.full(len(rows), place, dtype=np.int64)
        counts[0] = min((first + 1) * place, start + n) - start
        if last > first:
            counts[-1] = start + n - last * place
        out.append(np.repeat(rows, counts, axis=0))
    return out


def _parts(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """(year, month, day, minute-of-day) of datetime64 values."""
    minutes = values.astype("datetime64[m]")
    days = minutes.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    minute = (minutes - days.astype("datetime64[m]")).astype(np.int64)
    return year, month, day, minute


def iso_dates(values: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` strings of datetime64 values (object array).

    Columns of dates usually repeat a few thousand days over many rows (customers'
    ``since``, sales dates): then each day in the range is formatted once and rows share
    its str, which costs a fraction of making one str per row. Same text either way.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=object)
    days = np.asarray(values).astype("datetime64[D]").astype(np.int64)
    low, high = int(days.min()), int(days.max())
    if low != np.iinfo(np.int64).min and (high - low + 1) * 4 <= len(days):  # no NaT; repeats
        pool = _iso_dates_each(np.arange(low, high + 1).astype("datetime64[D]"))
        return pool[days - low]
    return _iso_dates_each(values)


def _iso_dates_each(values: np.ndarray) -> np.ndarray:
    """`iso_dates` computed row by row (one new str per row)."""
    year, month, day, _ = _parts(values)
    return join_bytes(
        [digit_matrix(year, 4), "-", digit_matrix(month, 2), "-", digit_matrix(day, 2)]
    )


def iso_minutes(values: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DDTHH:MM`` strings of datetime64 values (object array)."""
    if len(values) == 0:
        return np.zeros(0, dtype=object)
    year, month, day, minute = _parts(values)
    return join_bytes(
        [
            digit_matrix(year, 4),
            "-",
            digit_matrix(month, 2),
            "-",
            digit_matrix(day, 2),
            "T",
            digit_matrix(minute // 60, 2),
            ":",
            digit_matrix(minute % 60, 2),
        ]
    )


_SMALL = np.arange(10_000).astype("U4")


def small_ints(values: np.ndarray) -> np.ndarray:
    """Decimal text (no padding) of ints in [0, 10000), via a lookup table (str array)."""
    return _SMALL[np.asarray(values, dtype=np.int64)]


def codes(values: np.ndarray, names) -> np.ndarray:
    """Integer position of each string in `values` within the tuple `names` (vectorised).

    Every value must be one of `names`; callers pass columns the builder wrote itself.
    """
    names = np.asarray(names, dtype=str)
    order = np.argsort(names)
    return order[np.searchsorted(names, np.asarray(values, dtype=object).astype(str), sorter=order)]


def join_text(columns: list[np.ndarray]) -> np.ndarray:
    """Row-wise join of object arrays of str (``a + b + c + d``) as an object array.

    Adding object arrays makes a new str per row per ``+``; from four pieces on, one
    ``str.join`` per row is cheaper than the three additions and their two throw-away
    intermediates. The text is the same.
    """
    return np.array(["".join(row) for row in zip(*columns, strict=True)], dtype=object)


def object_pool(values) -> np.ndarray:
    """An object array of str: indexing it and adding such arrays joins text quickly."""
    return np.array(list(values), dtype=object)
