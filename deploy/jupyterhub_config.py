"""JupyterHub for one class (docs/deploy.md).

Local accounts, instructors with formgrader, trainees with the assignment list, and
nbgrader's exchange between them.

Run as root from the project folder (`jupyterhub -f deploy/jupyterhub_config.py`): each
person's server then runs under their own Linux account (`LocalProcessSpawner`), which
is how nbgrader knows who submitted (it takes the name from the process's user id, so
servers all running as one user would file every submission under that one name).

Everything a training centre changes is an environment variable (defaults in brackets):

- ``CRM_HUB_IP`` [0.0.0.0], ``CRM_HUB_PORT`` [8000]: where trainees' browsers connect;
  put TLS in front (docs/deploy.md) or set ``CRM_HUB_SSL_KEY``/``CRM_HUB_SSL_CERT``.
- ``CRM_HUB_STATE`` [/srv/crm-hub]: the hub's database, cookie secret and logs.
- ``CRM_INSTRUCTOR_GROUP`` [crm-instructors], ``CRM_TRAINEE_GROUP`` [crm-trainees]:
  members of these Linux groups may log in with their Linux password (PAM); instructors
  are the hub's admins.
- ``CRM_COURSE_ID`` [crm-course], ``CRM_EXCHANGE_ROOT`` [/srv/nbgrader/exchange]: the
  nbgrader course and exchange (deploy/setup-exchange.sh creates it).
- ``CRM_COURSE_DIR`` [course]: the course folder inside each instructor's home, where
  their server opens (formgrader reads its nbgrader_config.py there).
- ``CRM_HUB_AUTHENTICATOR`` [pam]: ``dummy`` only for a test hub on 127.0.0.1.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets)

DEPLOY = Path(__file__).resolve().parent
STATE = Path(os.environ.get("CRM_HUB_STATE", "/srv/crm-hub"))
INSTRUCTORS = os.environ.get("CRM_INSTRUCTOR_GROUP", "crm-instructors")
TRAINEES = os.environ.get("CRM_TRAINEE_GROUP", "crm-trainees")
COURSE_DIR = os.environ.get("CRM_COURSE_DIR", "course")
# the servers' Python: a .venv that make hub-deps built when the hub's own Python is not
# readable by other accounts, else the hub's. `deploy/.servers` names where that .venv and
# the servers' jupyter settings live: deploy/ itself, or a readable copy in /opt when the
# project sits in a private folder (a clone under /root).
_MARK = DEPLOY / ".servers"
_HOME = Path(_MARK.read_text().strip()) if _MARK.exists() else DEPLOY
SERVERS = _HOME / ".venv" if (_HOME / ".venv" / ".installed").exists() else Path(sys.prefix)
JUPYTER = _HOME / "jupyter" if (_HOME / "jupyter").is_dir() else DEPLOY / "jupyter"
NBGRADER_ENV = {
    "CRM_COURSE_ID": os.environ.get("CRM_COURSE_ID", "crm-course"),
    "CRM_EXCHANGE_ROOT": os.environ.get("CRM_EXCHANGE_ROOT", "/srv/nbgrader/exchange"),
}
STATE.mkdir(mode=0o700, parents=True, exist_ok=True)

# -- where it listens; the proxy from npm (make hub-deps) -----------------------------------
c.JupyterHub.ip = os.environ.get("CRM_HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(os.environ.get("CRM_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("CRM_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{os.environ.get('CRM_HUB_PROXY_API_PORT', '8001')}")
c.ConfigurableHTTPProxy.command = [str(DEPLOY / "node_modules" / ".bin"
                                       / "configurable-http-proxy")]
if os.environ.get("CRM_HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = os.environ["CRM_HUB_SSL_CERT"]
    c.JupyterHub.ssl_key = os.environ["CRM_HUB_SSL_KEY"]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# -- who may log in ---------------------------------------------------------------------------
if os.environ.get("CRM_HUB_AUTHENTICATOR", "pam") == "dummy":
    c.JupyterHub.authenticator_class = "dummy"       # tests only: any password works
    c.Authenticator.allow_all = True
else:
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {INSTRUCTORS, TRAINEES}
    c.PAMAuthenticator.admin_groups = {INSTRUCTORS}
c.Authenticator.allow_existing_users = True         # users added by an admin may log in
admins = os.environ.get("CRM_HUB_ADMINS", "")
c.Authenticator.admin_users = {name for name in admins.split(",") if name}
# the hub's own API token for scripts (the hub test, a class roster import)
if os.environ.get("CRM_HUB_API_TOKEN"):
    c.JupyterHub.services = [{"name": "crm-course", "api_token": os.environ["CRM_HUB_API_TOKEN"]}]
    c.JupyterHub.load_roles = [{"name": "crm-course", "services": ["crm-course"],
                                "scopes": ["admin:users", "admin:servers", "tokens",
                                           "access:servers"]}]

# -- each person's server, as their own Linux account ---------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(SERVERS / "bin" / "jupyterhub-singleuser")]
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.Spawner.env_keep = ["LANG", "LC_ALL", "TZ"]


def in_group(username: str, group: str) -> bool:
    """True when the Linux account belongs to the group (primary or supplementary)."""
    import grp
    import pwd

    try:
        entry = grp.getgrnam(group)
        return username in entry.gr_mem or pwd.getpwnam(username).pw_gid == entry.gr_gid
    except KeyError:
        return False


def prepare_server(spawner) -> None:
    """Open instructors on their course (formgrader), trainees on their home folder.

    Trainees get the assignment list; formgrader and "create assignment" are switched
    off for them (deploy/jupyter/trainee). Everyone gets the exchange's settings.
    """
    name = spawner.user.name
    path = [str(JUPYTER)]
    spawner.environment.update(NBGRADER_ENV)
    spawner.environment["PATH"] = f"{SERVERS / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    if spawner.user.admin or in_group(name, INSTRUCTORS):
        spawner.notebook_dir = f"~/{COURSE_DIR}"
        spawner.default_url = "/lab"
        home = Path("~" + name).expanduser()
        spawner.environment["CRM_COURSE_ROOT"] = str(home / COURSE_DIR)
        # grading from this account: its own sandbox slot locks (the machine-wide folder
        # in /tmp belongs to whoever graded first, e.g. root)
        spawner.environment["CRM_SLOT_LOCK_DIR"] = str(home / ".cache" / "crm-course-slots")
        # start in the course folder: formgrader reads the course's nbgrader_config.py
        # from its working folder (the spawner would start it in the home folder)
        spawner.cmd = ["sh", "-c", 'cd "$CRM_COURSE_ROOT" && exec "$@"', "sh",
                       str(SERVERS / "bin" / "jupyterhub-singleuser")]
    else:
        path.insert(0, str(JUPYTER / "trainee"))
        spawner.notebook_dir = "~"
        spawner.default_url = "/lab"
    spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(path)


c.Spawner.pre_spawn_hook = prepare_server
