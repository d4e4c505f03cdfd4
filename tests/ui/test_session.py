from crm_sim.ui import session


def test_trainee_id_prefers_grader_variable(monkeypatch):
    """CRM_TRAINEE_ID (set by the grader) wins over JupyterHub's user name."""
    monkeypatch.setenv("CRM_TRAINEE_ID", "t001")
    monkeypatch.setenv("JUPYTERHUB_USER", "someone")
    assert session.trainee_id() == "t001"


def test_trainee_id_falls_back_to_hub_then_demo(monkeypatch):
    """Without the grader's variable the hub user is used, then the demo id."""
    monkeypatch.delenv("CRM_TRAINEE_ID", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert session.trainee_id() == "hubuser"
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert session.trainee_id() == session.DEFAULT_TRAINEE


def test_my_world_has_no_hidden_tables(monkeypatch, tmp_path):
    """The kernel's world: public tables as the grader rebuilds them, no hidden tables."""
    import pandas as pd
    import pytest

    from crm_sim.errors import FieldError
    from crm_sim.trainee import _cached_world, world_for

    monkeypatch.setenv("CRM_TRAINEE_ID", "t-sealed")
    _cached_world.cache_clear()
    world = session.my_world("ITCSCR304A")
    assert _cached_world.cache_info().currsize == 0      # no unsealed copy left behind
    grader = world_for("t-sealed", "ITCSCR304A")
    assert world.hidden == {} and world.sealed and "latent" in grader.hidden
    for name, table in grader.tables.items():
        pd.testing.assert_frame_equal(world.tables[name], table)
    for read in (lambda: world.latent, lambda: world.table("latent")):
        with pytest.raises(FieldError, match="stays with the engine"):
            read()
    copy = world.copy()
    assert copy.sealed and copy.hidden == {}
    import sqlite3

    path = world.save(tmp_path / "w.sqlite")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM crm_tables WHERE hidden = 1").fetchone() == (0,)


def test_sealed_world_still_simulates_calls(monkeypatch):
    """Calls on a sealed world run, change its state, and leave `hidden` empty."""
    from unit_loader import helper_module

    from crm_sim.calls import OutsourcerChecklist
    from crm_sim.leads import generate_sources

    pc = helper_module("ITCSCR304A", "periodic_calls")

    monkeypatch.setenv("CRM_TRAINEE_ID", "t-sealed")
    world = session.my_world("ITCSCR304A")
    pilot = pc.outsourcing_pilot(world, OutsourcerChecklist(), n=10)
    assert pilot["calls"].sum() == 20
    before = len(world.interactions)
    customer = world.customers["customer_id"].iloc[0]
    staff = world.staff["staff_id"].iloc[0]
    world.call(customer, staff, "phone", ["needs"])
    assert len(world.interactions) == before + 1
    generate_sources(world)
    assert world.hidden == {}
