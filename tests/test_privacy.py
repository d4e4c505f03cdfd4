"""Privacy layer: masking, leak detection, data minimisation, role-based guarded views."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from crm_sim.errors import AccessDenied, CrmSimError, PolicyError
from crm_sim.privacy import (
    PURPOSES,
    ROLES,
    AccessPolicy,
    check_minimisation,
    column_category,
    find_leaks,
    guarded_view,
    hkid_check_digit,
    mask_address,
    mask_email,
    mask_frame,
    mask_hkid,
    mask_name,
    mask_phone,
)
from crm_sim.scenario import Scenario
from crm_sim.world import World


@pytest.fixture(scope="module")
def world() -> World:
    """A small world shared by the access tests of this module (copied per test)."""
    return World.build(Scenario(seed=7, n_customers=120, months_history=2))


@pytest.fixture
def w(world: World) -> World:
    """A private copy so the access log of one test never leaks into another."""
    return world.copy()


def snapshot(world: World) -> dict[str, pd.DataFrame]:
    """Every table (public and hidden) copied, to compare before/after a call."""
    return {**{k: v.copy() for k, v in world.tables.items()},
            **{"hidden:" + k: v.copy() for k, v in world.hidden.items()}}


def same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    """True when two snapshots hold the same tables with equal contents."""
    return a.keys() == b.keys() and all(a[k].equals(b[k]) for k in a)


# ------------------------------------------------------------------ masking
class TestMasking:
    """The mask_* functions and mask_frame."""

    def test_mask_hkid_examples(self):
        """HKIDs keep prefix and 4 digits; bracket, bare and two-letter forms all mask."""
        assert mask_hkid("A123456(7)") == "A1234**(*)"
        assert mask_hkid("AB987654(A)") == "AB9876**(*)"
        assert mask_hkid("A1234567") == "A1234**(*)"
        assert mask_hkid("") == ""
        assert mask_hkid("junk!") == "*****"

    def test_mask_phone_keeps_last_four_and_layout(self):
        """Every digit but the last four becomes '*' whatever the layout."""
        assert mask_phone("91234567") == "****4567"
        assert mask_phone("+852 9123 4567") == "+*** **** 4567"
        assert mask_phone("9123-4567") == "****-4567"
        assert mask_phone("") == ""

    def test_mask_email_name_address(self):
        """Mailbox reduced to one letter, names to initials, addresses to the district."""
        assert mask_email("peter.chan@example.com") == "p***@example.com"
        assert mask_email("not an email") == "*** ** *****"
        assert mask_name("Chan Tai Man, Peter") == "C*** T** M**, P****"
        assert mask_address("Flat C, 12/F, Jade Court, 88 Nathan Road, Yau Tsim Mong") == (
            "***, Yau Tsim Mong")

    def test_masks_are_vectorised_and_keep_index(self):
        """A Series in gives a string Series out, aligned on the same index, NA -> ''."""
        s = pd.Series(["91234567", None, "2345 6789"], index=[10, 11, 12])
        out = mask_phone(s)
        assert list(out.index) == [10, 11, 12]
        assert out.tolist() == ["****4567", "", "**** 6789"]

    def test_mask_rejects_non_text(self):
        """A number instead of text is a PolicyError naming the field."""
        with pytest.raises(PolicyError, match="phone"):
            mask_phone(91234567)

    def test_mask_frame_masks_personal_columns_only(self, world):
        """mask_frame masks schema.PERSONAL_COLUMNS, leaves the rest, copies the input."""
        cust = world.tables["customers"]
        before = cust.copy()
        masked = mask_frame(cust)
        assert cust.equals(before)
        assert masked["customer_id"].equals(cust["customer_id"])
        assert masked["lifetime_value"].equals(cust["lifetime_value"])
        for col in ("name", "phone", "email", "hkid", "address"):
            assert not (masked[col] == cust[col]).all()
        assert find_leaks(masked) == []

    def test_mask_frame_numeric_phone(self):
        """A phone stored as a float is masked as the number, not as '9123****.0'."""
        out = mask_frame(pd.DataFrame({"phone": [91234567.0, np.nan]}))
        assert out["phone"].tolist() == ["****4567", ""]

    def test_mask_frame_unknown_column(self):
        """Naming a column the table lacks is a PolicyError listing the real columns."""
        with pytest.raises(PolicyError, match="mobile"):
            mask_frame(pd.DataFrame({"phone": ["91234567"]}), ["mobile"])

    def test_hkid_check_digit(self):
        """The published worked example A123456 has check digit 3; bad input is refused."""
        assert hkid_check_digit("A", "123456") == "3"
        with pytest.raises(PolicyError):
            hkid_check_digit("A1", "12")


# ------------------------------------------------------------------ leaks
LEAKY = {
    "hkid": ["A123456(3)", "AB987654(A)", "a123456(3)", "Z683365 (5)", "A1234563",
             "A123456-3", "id A123456(3) on file"],
    "phone": ["91234567", "9123 4567", "9123-4567", "+852 9123 4567", "+85291234567",
              "(852) 9123-4567", "0085291234567", "call 2345.6789 today", "852-9123-4567"],
    "email": ["peter.chan@example.com", "PETER.CHAN@EXAMPLE.COM.HK", "x_y+z@a-b.org",
              "write to ivy@mail.hk."],
}
CLEAN = ["C000001", "I0000001", "2025-12-31", "2025-12-31T10:30", "HKD 1,234,567",
         "12345678901234", "12345678.5", "EV0001", "WEB0123", "", "no data", "A1234**(*)",
         "****4567", "+*** **** 4567", "p***@example.com", "score 0.91234567"]


class TestFindLeaks:
    """Leak finding: every format found, nothing masked flagged."""

    @pytest.mark.parametrize("kind,value", [(k, v) for k, vs in LEAKY.items() for v in vs])
    def test_every_format_found(self, kind, value):
        """Each known way of writing an HKID, phone or e-mail is reported with its kind."""
        leaks = find_leaks(pd.DataFrame({"notes": ["ok", value]}))
        assert [(lk.column, lk.row, lk.kind) for lk in leaks] == [("notes", 1, kind)]

    @pytest.mark.parametrize("value", CLEAN)
    def test_no_false_positive(self, value):
        """Ids, dates, amounts and masked output are not reported."""
        assert find_leaks(pd.DataFrame({"notes": [value]})) == []

    def test_integer_phone_column_and_float_amounts(self):
        """Phones stored as integers leak; float amounts do not unless named like phones."""
        df = pd.DataFrame({"n": np.array([91234567, 5], dtype="int64"),
                           "lifetime_value": [23456789.0, 1.0],
                           "mobile": [91234567.0, np.nan]})
        leaks = find_leaks(df)
        assert [(lk.column, lk.row) for lk in leaks] == [("n", 0), ("mobile", 0)]

    def test_id_columns_only_fail_on_bracketed_hkid(self):
        """A bare 1-letter-7-digit value in an *_id column is an engine id, not an HKID."""
        df = pd.DataFrame({"interaction_id": ["I1234567", "A123456(3)"]})
        assert [lk.row for lk in find_leaks(df)] == [1]

    def test_objects_and_bytes_are_scanned(self):
        """Dicts, lists and bytes in an object column are scanned as their text."""
        df = pd.DataFrame({"info": [{"tel": "91234567"}, ["x"], None, b"a@b.hk"]})
        assert [(lk.row, lk.kind) for lk in find_leaks(df)] == [(0, "phone"), (3, "email")]

    def test_report_is_itself_masked(self):
        """A Leak's excerpt is masked so a leak report never re-leaks the value."""
        (leak,) = find_leaks(pd.DataFrame({"c": ["A123456(3)"]}))
        assert leak.excerpt == "A1234**(*)"
        assert "A123456" not in str(leak)

    def test_whole_world_tables(self, world):
        """Raw customer tables leak; their mask_frame versions do not."""
        cust = world.tables["customers"]
        kinds = {lk.kind for lk in find_leaks(cust)}
        assert {"phone", "email"} <= kinds
        if (cust["hkid"] != "").any():
            assert "hkid" in kinds
        assert find_leaks(mask_frame(cust)) == []
        assert find_leaks(world.tables["interactions"].head(500)) == []

    def test_not_a_frame(self):
        """find_leaks on a list is a PolicyError, not an AttributeError."""
        with pytest.raises(PolicyError):
            find_leaks(["91234567"])


# ------------------------------------------------------------------ minimisation
class TestMinimisation:
    """Purposes and check_minimisation."""

    def test_purposes_cover_four_uses(self):
        """The four purposes exist and none of them lists HKID except billing."""
        assert set(PURPOSES) == {"direct_marketing", "service", "analysis", "billing"}
        assert [p for p in PURPOSES if "hkid" in PURPOSES[p]] == ["billing"]

    def test_analysis_may_not_use_contact_data(self):
        """Names, phones and HKIDs are violations for analysis; ids and scores are not."""
        v = check_minimisation(["customer_id", "name", "phone", "hkid", "segment", "score"],
                               "analysis")
        assert [x.column for x in v] == ["name", "phone", "hkid"]
        assert "not needed for analysis" in str(v[0])

    def test_renamed_personal_columns_still_count(self):
        """Renaming phone to 'mobile_no' does not launder it."""
        assert column_category("mobile_no") == "contact"
        assert column_category("hkid_number") == "government_id"
        assert [x.column for x in check_minimisation(["mobile_no"], "analysis")] == [
            "mobile_no"]

    def test_frame_input_and_clean_result(self):
        """A DataFrame's columns are checked; a minimal DM table has no violations."""
        df = pd.DataFrame(columns=["customer_id", "name", "phone", "dm_consent",
                                   "preferred_channel"])
        assert check_minimisation(df, "direct_marketing") == []

    def test_bad_purpose_and_columns(self):
        """Unknown purpose or a bare string of columns are PolicyErrors with a fix."""
        with pytest.raises(PolicyError, match="purpose.*marketing"):
            check_minimisation(["name"], "marketing")
        with pytest.raises(PolicyError, match="wrap"):
            check_minimisation("name", "analysis")


# ------------------------------------------------------------------ access
class TestGuardedView:
    """Role-based guarded views and the access log."""

    def test_analyst_gets_only_permitted_columns(self, w):
        """columns=None returns only what analyst/analysis may see: no name/phone/hkid."""
        df = guarded_view(w, "analyst", "analysis").table("customers")
        assert "customer_id" in df.columns and "lifetime_value" in df.columns
        assert not {"name", "phone", "email", "hkid", "address"} & set(df.columns)
        assert len(df) == len(w.tables["customers"])

    def test_trainee_sees_contact_data_masked(self, w):
        """A trainee doing direct marketing gets phones masked, never raw."""
        df = guarded_view(w, "trainee", "direct_marketing").table(
            "customers", ["customer_id", "phone", "email"])
        assert find_leaks(df) == []
        assert df["phone"].str.fullmatch(r"\*{4}\d{4}").all()

    def test_sales_rep_sees_phone_in_full(self, w):
        """A sales rep for direct marketing gets the real number to call."""
        df = guarded_view(w, "sales_rep", "direct_marketing").table("customers", ["phone"])
        assert df["phone"].equals(w.tables["customers"]["phone"])

    def test_forbidden_column_raises_and_names_role_column(self, w):
        """AccessDenied names the role, the column and the purpose."""
        view = guarded_view(w, "trainee", "direct_marketing")
        with pytest.raises(AccessDenied) as e:
            view.table("customers", ["customer_id", "hkid"])
        assert (e.value.role, e.value.column, e.value.purpose) == (
            "trainee", "hkid", "direct_marketing")
        assert "'trainee'" in str(e.value) and "'hkid'" in str(e.value)

    def test_dpo_billing_may_read_hkid(self, w):
        """Only a role holding government ids, for billing, sees the HKID in full."""
        df = guarded_view(w, "dpo", "billing").table("customers", ["customer_id", "hkid"])
        assert df["hkid"].equals(w.tables["customers"]["hkid"])
        masked = guarded_view(w, "manager", "billing").table("customers", ["hkid"])
        assert find_leaks(masked) == []

    def test_every_access_logged(self, w):
        """Allowed and denied reads each append one row to access_log with the decision."""
        view = guarded_view(w, "analyst", "analysis")
        view.table("customers", ["customer_id"])
        with pytest.raises(AccessDenied):
            view.table("customers", ["phone"])
        log = w.tables["access_log"]
        assert log["decision"].tolist() == ["allowed", "denied"]
        assert log["access_id"].tolist() == [1, 2]
        assert log.loc[1, "denied"] == "phone"
        assert set(log["role"]) == {"analyst"} and set(log["date"]) == {w.today}

    def test_hidden_tables_denied_to_everyone(self, w):
        """Even the DPO cannot read ground truth through a view; the refusal is logged."""
        with pytest.raises(AccessDenied, match="latent"):
            guarded_view(w, "dpo", "analysis").table("latent")
        assert w.tables["access_log"]["decision"].tolist() == ["denied"]

    def test_access_log_readable_by_dpo_only(self, w):
        """The audit log itself is refused to a trainee and readable by the DPO."""
        guarded_view(w, "trainee", "service").table("customers", ["customer_id"])
        with pytest.raises(AccessDenied):
            guarded_view(w, "trainee", "service").table("access_log")
        assert len(guarded_view(w, "dpo", "service").table("access_log")) == 2

    def test_log_saved_with_world(self, w, tmp_path):
        """The access log survives save/load exactly."""
        guarded_view(w, "manager", "service").table("customers", ["customer_id"])
        loaded = World.load(w.save(tmp_path / "w.sqlite"))
        assert loaded.tables["access_log"].equals(w.tables["access_log"])

    @pytest.mark.parametrize("role,purpose,field", [
        ("intern", "analysis", "role"), ("analyst", "fun", "purpose")])
    def test_bad_role_or_purpose(self, w, role, purpose, field):
        """Unknown role/purpose: PolicyError naming the field; world unchanged."""
        before = snapshot(w)
        with pytest.raises(PolicyError, match=field):
            guarded_view(w, role, purpose)
        assert same(before, snapshot(w))

    def test_typo_in_table_or_column_leaves_world_unchanged(self, w):
        """A misspelt table or column is a PolicyError, and nothing is logged."""
        before = snapshot(w)
        view = guarded_view(w, "analyst", "analysis")
        with pytest.raises(PolicyError, match="customer"):
            view.table("customer")
        with pytest.raises(PolicyError, match="segmnet"):
            view.table("customers", ["segmnet"])
        assert same(before, snapshot(w))

    def test_policy_validation(self):
        """A policy with an unknown category or level is refused with a PolicyError."""
        with pytest.raises(PolicyError, match="biometric"):
            AccessPolicy({"trainee": {"biometric": "full"}})
        with pytest.raises(PolicyError, match="partial"):
            AccessPolicy({"trainee": {"contact": "partial"}})
        assert set(AccessPolicy().role_access) == set(ROLES)

    def test_domain_errors_only(self, w):
        """Every refusal is a CrmSimError (no KeyError from pandas)."""
        for call in (lambda: guarded_view(w, "dpo", "analysis").table(3),
                     lambda: guarded_view(object(), "dpo", "analysis")):
            with pytest.raises(CrmSimError):
                call()


def test_masked_output_never_matches_leak_patterns():
    """Property-style check: masking random HK values always yields zero leaks."""
    rng = np.random.default_rng(0)
    phones = [f"{d}{n:07d}" for d, n in zip(rng.choice([2, 3, 5, 6, 9], 200),
                                              rng.integers(0, 10**7, 200), strict=True)]
    layouts = [p if i % 3 == 0 else f"+852 {p[:4]} {p[4:]}" if i % 3 == 1 else
               f"{p[:4]}-{p[4:]}" for i, p in enumerate(phones)]
    df = pd.DataFrame({"phone": layouts, "email": [f"u{i}@x{i}.com" for i in range(200)],
                       "hkid": [f"A{n:06d}({hkid_check_digit('A', f'{n:06d}')})"
                                for n in rng.integers(0, 10**6, 200)]})
    assert len(find_leaks(df)) == 600
    masked = mask_frame(df)
    assert find_leaks(masked) == []
    assert masked["phone"].map(lambda s: re.sub(r"\D", "", s)).str.len().eq(4).all()
