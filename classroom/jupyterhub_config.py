"""JupyterHub for a class on one server: the series and its nbgrader assignments.

Run from the repository root: ``jupyterhub -f classroom/jupyterhub_config.py`` (``make classroom``
starts the demo). Settings come from environment variables, so the same file serves the demo, the
tests and a real class:

CLASSROOM_MODE
    ``demo`` (default): every user's server runs as the hub's own Unix user, homes under
    ``$CLASSROOM_STATE/home/<name>``, log-in with the shared password ``CLASSROOM_PASSWORD``
    (DummyAuthenticator; never on a public address). ``class``: one Unix user per student, PAM
    log-in (the students' Unix passwords), servers started as each user (LocalProcessSpawner; the
    hub runs as root).
CLASSROOM_USERS
    The users file (default ``classroom/users.txt``): one user name per line, ``teacher`` or any
    name followed by ``admin`` is an instructor (JupyterHub admin, nbgrader formgrader).
CLASSROOM_IP, CLASSROOM_PORT
    Where the proxy listens (default 127.0.0.1:8000; a real class puts HTTPS in front).
CLASSROOM_STATE
    The hub's database, cookie secret, the nbgrader exchange and (demo) the homes
    (default ``classroom/build/state``).
CLASSROOM_ADMIN_TOKEN
    When set, a service ``classroom-admin`` with that API token and the admin role (the tests
    and scripts use it).

Per-user limits come from the sizing measured by ``tests/classroom/test_hub.py`` (README, "For
lecturers: a JupyterHub for a class"): notebook 06's training is the heaviest moment.
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STATE = Path(os.environ.get("CLASSROOM_STATE", HERE / "build" / "state")).resolve()
MODE = os.environ.get("CLASSROOM_MODE", "demo")
STATE.mkdir(parents=True, exist_ok=True)
EXCHANGE = STATE / "exchange"
EXCHANGE.mkdir(exist_ok=True)
EXCHANGE.chmod(0o777 if MODE == "class" else 0o755)  # nbgrader's exchange: every student writes there

# --- the hub and its proxy -------------------------------------------------------------------
c.JupyterHub.ip = os.environ.get("CLASSROOM_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("CLASSROOM_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
if "CLASSROOM_HUB_PORT" in os.environ:
    c.JupyterHub.hub_port = int(os.environ["CLASSROOM_HUB_PORT"])
if "CLASSROOM_PROXY_API_PORT" in os.environ:
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['CLASSROOM_PROXY_API_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
# configurable-http-proxy from npm, installed by `make classroom` into classroom/build (or on PATH)
local_proxy = HERE / "build" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(local_proxy) if local_proxy.exists() else "configurable-http-proxy"]

# --- users -----------------------------------------------------------------------------------
users_file = Path(os.environ.get("CLASSROOM_USERS", HERE / "users.txt"))
users, admins = set(), set()
for line in users_file.read_text().splitlines():
    words = line.split("#", 1)[0].split()
    if words:
        users.add(words[0])
        if words[0] == "teacher" or "admin" in words[1:]:
            admins.add(words[0])
c.Authenticator.allowed_users = users
c.Authenticator.admin_users = admins

if MODE == "demo":
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ.get("CLASSROOM_PASSWORD", "convolve")
    c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: all as this Unix user
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
else:
    c.JupyterHub.authenticator_class = "pam"
    c.JupyterHub.spawner_class = "localprocess"  # each student's server as that Unix user
    c.LocalAuthenticator.create_system_users = True

# --- each student's server -------------------------------------------------------------------
c.Spawner.default_url = "/lab"
if MODE == "demo" and os.getuid() == 0:  # a container or CI machine: the demo's servers run as root too
    c.Spawner.args = ["--allow-root"]
# A server starts in 5-10 s on an idle machine; several at once on a loaded one took up to 90 s.
c.Spawner.http_timeout = 180
c.Spawner.start_timeout = 180
# One BLAS/OpenMP thread per student: with many users on few cores, threads only fight.
c.Spawner.environment = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
# Limits chosen from the measured use (README sizing guide): a student's server and kernel peak
# below 0.5 GB running notebook 06; 1 GB leaves room for a student's own experiments. The
# LocalProcessSpawner passes them to the server as MEM_LIMIT / CPU_LIMIT (shown by
# jupyter-resource-usage) but does not enforce them; SystemdSpawner (The Littlest JupyterHub) and
# KubeSpawner (Zero to JupyterHub, z2jh-values.yaml) do.
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_limit = 1.0

NBGRADER_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "cnnhelpers"
c.Exchange.root = {exchange!r}
c.Exchange.assignment_dir = "."
{instructor}"""


def prepare_home(spawner):
    """Before a server starts: the user's nbgrader config (instructors get the course) and, in the
    demo, the series copied into the home (a real class hands it out with the nbgitpuller link)."""
    name = spawner.user.name
    instructor = name in admins or spawner.user.admin
    config_dir = STATE / "jupyter-config" / ("instructor" if instructor else "student")
    config_dir.mkdir(parents=True, exist_ok=True)
    course = f"c.CourseDirectory.root = {str(HERE / 'course')!r}\n" if instructor else ""
    (config_dir / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(exchange=str(EXCHANGE), instructor=course))
    spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": str(config_dir)}
    if instructor:  # the formgrader needs the course folder inside the server's root: the repository
        spawner.notebook_dir = str(ROOT)
    if MODE == "demo":
        home = Path(spawner.home_dir_template.format(username=name))
        if not (home / "notebooks").exists():
            home.mkdir(parents=True, exist_ok=True)
            shutil.copytree(ROOT / "notebooks", home / "notebooks", ignore=shutil.ignore_patterns(".*"))


c.Spawner.pre_spawn_hook = prepare_home

# --- services --------------------------------------------------------------------------------
# Stop servers idle for an hour (the kernel's memory is the class's scarcest resource).
c.JupyterHub.services = [
    {"name": "idle-culler",
     "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600", "--cull-every=300"]},
]
c.JupyterHub.load_roles = [
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]
if os.environ.get("CLASSROOM_ADMIN_TOKEN"):
    c.JupyterHub.services.append({"name": "classroom-admin", "api_token": os.environ["CLASSROOM_ADMIN_TOKEN"]})
    c.JupyterHub.load_roles.append({"name": "admin", "services": ["classroom-admin"]})

# nbgrader: its server extensions (assignment list, formgrader for instructors, validate) are
# enabled by its installation (jupyter_server_config.d/nbgrader.json); its JupyterLab extension
# adds the Assignments and Formgrader entries to the Nbgrader menu.
# Handing out the series: nbgitpuller (installed with the classroom extra) serves links like
# https://<hub>/hub/user-redirect/git-pull?repo=<this repository>&branch=main&urlpath=lab/tree/cnnhelpers/notebooks
