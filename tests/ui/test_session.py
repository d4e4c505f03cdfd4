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
