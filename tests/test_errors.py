import pytest

from crm_sim.errors import AccessDenied, CrmSimError, FieldError, PlanError, ScenarioError, describe


def test_describe_names_field_value_allowed_and_fix():
    """The standard message carries the four parts a user needs to fix the input."""
    text = describe("n_customers", -5, "1 to 1,000,000", "use a positive count")
    assert text == "n_customers: got -5; allowed: 1 to 1,000,000. Fix: use a positive count"


def test_field_errors_keep_their_parts_and_are_value_errors():
    """Domain errors are ValueErrors (for generic callers) with structured parts (for UIs)."""
    allowed = "visit, phone, email, message, letter"
    err = PlanError("channel", "fax", allowed, "pick a listed channel")
    assert isinstance(err, ValueError) and isinstance(err, CrmSimError)
    assert (err.field, err.value) == ("channel", "fax")
    assert "channel: got 'fax'" in str(err)
    with pytest.raises(FieldError):
        raise ScenarioError("seed", "x", "an integer")


def test_access_denied_names_role_column_and_purpose():
    """AccessDenied says which role asked for which column, for what, and what to do."""
    err = AccessDenied("trainee", "hkid", "direct_marketing")
    assert isinstance(err, PermissionError)
    assert "'trainee'" in str(err) and "'hkid'" in str(err) and "direct_marketing" in str(err)
    assert "Fix:" in str(err)


def test_importing_the_errors_does_not_load_pandas():
    """crm_sim loads World lazily, so kernels and sandboxed runners importing errors stay fast."""
    import subprocess
    import sys

    code = ("import sys, crm_sim.errors, autograders.checks.serialize;"
            " print('pandas' in sys.modules, 'faker' in sys.modules)")
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["False", "False"]
    code = "import crm_sim; print(crm_sim.World.__name__, crm_sim.Scenario.__name__)"
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["World", "Scenario"]
