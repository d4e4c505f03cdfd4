"""nbgrader settings shared by every single-user server of the class hub.

Found through ``JUPYTER_CONFIG_PATH`` (deploy/jupyterhub_config.py sets it for every
server it spawns; set it the same way to run the nbgrader command line by hand). The
instructor's course folder keeps its own ``nbgrader_config.py`` for everything else; it
uses the exchange named here when ``CRM_EXCHANGE_ROOT`` is set.
"""

import os

c = get_config()  # noqa: F821  (injected by traitlets)

c.CourseDirectory.course_id = os.environ.get("CRM_COURSE_ID", "crm-course")
c.Exchange.root = os.environ.get("CRM_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
# submissions readable only by their trainee and the instructors' group
c.ExchangeFactory.submit = "autograders.exchange.PrivateExchangeSubmit"
