"""Tests of the vectorised text-column builders against Python/numpy reference formatting."""

import numpy as np

from crm_sim.textcols import (
    codes,
    digit_matrix,
    ids,
    iso_dates,
    iso_minutes,
    join_bytes,
    join_text,
    object_pool,
    small_ints,
)


def test_digit_matrix_zero_pads():
    """Digits are left-padded with zeros to the width, including numbers wider than 4 digits."""
    out = join_bytes([digit_matrix(np.array([0, 5, 123456789, 10_000]), 9)])
    assert out.tolist() == ["000000000", "000000005", "123456789", "000010000"]


def test_ids_match_python_formatting():
    """ids() equals f"{prefix}{i:0{width}d}" for every row, with any start."""
    assert ids("C", 3, 6).tolist() == ["C000001", "C000002", "C000003"]
    assert ids("I", 5, 7, start=9_998).tolist() == [f"I{i:07d}" for i in range(9_998, 10_003)]
    assert ids("K", 0, 6).tolist() == []
    assert all(type(v) is str for v in ids("S", 4, 4))


def test_ids_across_digit_blocks_and_wider_than_width():
    """Counting ids crossing 10**4 and 10**8 blocks match formatting; wider ones keep low digits."""
    assert ids("X", 30_000, 9, start=99_990_000).tolist() == [
        f"X{i:09d}" for i in range(99_990_000, 100_020_000)]
    assert ids("AB", 3, 12, start=10**11 - 1).tolist() == [
        f"AB{i:012d}" for i in range(10**11 - 1, 10**11 + 2)]
    assert ids("Q", 4, 2, start=98).tolist() == ["Q98", "Q99", "Q00", "Q01"]


def test_iso_text_matches_numpy():
    """iso_dates and iso_minutes equal numpy's datetime_as_string over leap years and decades."""
    minutes = np.datetime64("1999-12-31T23:59", "m") + np.arange(0, 3_000_000, 997).astype(
        "timedelta64[m]"
    )
    assert (iso_minutes(minutes) == np.datetime_as_string(minutes, unit="m").astype(object)).all()
    days = minutes.astype("datetime64[D]")
    assert (iso_dates(days) == np.datetime_as_string(days, unit="D").astype(object)).all()
    assert iso_dates(np.array([], "datetime64[D]")).tolist() == []


def test_iso_dates_of_repeated_days_share_text_and_match_numpy():
    """Many rows over few days (the shared-pool path) give numpy's text, also before 1970."""
    days = np.datetime64("1969-12-20") + np.random.default_rng(3).integers(0, 40, 5_000)
    text = iso_dates(days)
    assert (text == np.datetime_as_string(days, unit="D").astype(object)).all()
    assert all(type(v) is str for v in text[:50])
    minutes = days.astype("datetime64[m]") + (np.arange(5_000) % 1440).astype("timedelta64[m]")
    assert (iso_dates(minutes) == text).all()


def test_join_text_equals_adding_object_arrays():
    """join_text gives the text of a + b + c + d row by row (unicode too), as object arrays."""
    a = np.array(["Flat A, ", "九龍 ", ""], dtype=object)
    b = np.array(["1/F, ", "", "x"], dtype=object)
    joined = join_text([a, b, a, b])
    assert joined.dtype == object and joined.tolist() == (a + b + a + b).tolist()
    assert join_text([a[:0], b[:0]]).shape == (0,)


def test_small_ints_codes_and_pool():
    """small_ints prints without padding; codes finds positions; object_pool joins with +."""
    assert small_ints(np.array([1, 40, 388])).tolist() == ["1", "40", "388"]
    assert codes(
        np.array(["email", "visit", "email"], dtype=object), ("visit", "email")
    ).tolist() == [
        1,
        0,
        1,
    ]
    pool = object_pool(["a", "b"])
    assert (pool[[0, 1]] + pool[[1, 1]]).tolist() == ["ab", "bb"]
