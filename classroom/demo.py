"""``make classroom``: a demo hub on 127.0.0.1 with the series and its nbgrader assignments.

Generates every assignment (nbgrader's release step strips the solutions), releases them to the
hub's nbgrader exchange, prints the address, the users and the password, then runs JupyterHub
(classroom/jupyterhub_config.py in demo mode) until Ctrl+C. The teacher grades in the Formgrader
(Nbgrader menu); students fetch and submit in Nbgrader > Assignments.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE / "course"


def nbgrader(*args: str, exchange: Path) -> None:
    subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={exchange}",
                    "--CourseDirectory.course_id=cnnhelpers", "--log-level=WARN"], cwd=COURSE, check=True)


def main() -> None:
    state = Path(os.environ.setdefault("CLASSROOM_STATE", str(HERE / "build" / "state")))
    exchange = state / "exchange"
    exchange.mkdir(parents=True, exist_ok=True)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # nbgrader runs alembic
    assignments = sorted(path.name for path in (COURSE / "source").iterdir() if path.is_dir())
    for assignment in assignments:
        nbgrader("generate_assignment", assignment, "--force", exchange=exchange)
        nbgrader("release_assignment", assignment, "--force", exchange=exchange)
    users = [line.split()[0] for line in Path(os.environ.get("CLASSROOM_USERS", HERE / "users.txt")).read_text()
             .splitlines() if line.split() and not line.startswith("#")]
    password = os.environ.setdefault("CLASSROOM_PASSWORD", "convolve")
    port = os.environ.setdefault("CLASSROOM_PORT", "8000")
    print(f"\nDemo hub: http://127.0.0.1:{port}/  (Ctrl+C stops it)\n"
          f"  users: {', '.join(users)} (teacher grades: Nbgrader > Formgrader)\n"
          f"  password, for every user: {password}\n"
          f"  assignments released: {', '.join(assignments)}\n", flush=True)
    os.execv(sys.executable, [sys.executable, "-m", "jupyterhub", "-f", str(HERE / "jupyterhub_config.py")])


if __name__ == "__main__":
    main()
