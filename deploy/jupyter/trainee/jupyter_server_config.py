"""A trainee's JupyterLab on the class hub: no news pop-up, no instructor panels.

Found through ``JUPYTER_CONFIG_PATH``: deploy/jupyterhub_config.py puts this folder first
for trainees only, so an instructor's JupyterLab keeps every nbgrader panel. Beside it:

- ``labconfig/page_config.json`` switches off nbgrader's instructor plugins (formgrader,
  "Create Assignment", the course list); the assignment list (fetch, submit) stays.
- ``lab-settings/overrides.json`` (JupyterLab's application settings folder, set here)
  answers JupyterLab's "Would you like to receive official Jupyter news?" with "no"
  before it is asked, so no trainee meets the pop-up; a trainee can still change it in
  Settings, as every user setting wins over these defaults.
"""

import os

c = get_config()  # noqa: F821  (injected by traitlets)

# where JupyterLab reads overrides.json: this folder's lab-settings, wherever deploy/jupyter
# was copied to (deploy/.servers), never the shared Python environment's own folder
c.LabApp.app_settings_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "lab-settings")
