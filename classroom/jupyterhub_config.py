"""JupyterHub for a class on one machine: `make classroom` (see book/classroom.md).

Who logs in: local system users (PAM) in the students' or the instructors' group; instructors are hub admins.
Production: swap PAMAuthenticator for the institution's login, e.g. (pip install oauthenticator)
    c.JupyterHub.authenticator_class = "generic-oauth"   # or "github", "google", "azuread", "cilogon"
    c.GenericOAuthenticator.client_id / client_secret / oauth_callback_url / authorize_url / token_url / userdata_url
    c.GenericOAuthenticator.allowed_groups = {...}; c.GenericOAuthenticator.admin_groups = {...}
or, from the learning platform (Canvas, Moodle, Blackboard; pip install jupyterhub-ltiauthenticator):
    c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
    c.LTI13Authenticator.issuer / client_id / authorize_url / jwks_endpoint
Those users are not system users: pair them with a container spawner (classroom/z2jh/values.yaml) or create the
accounts (c.LocalAuthenticator.create_system_users = True with a LocalAuthenticator subclass).

Everything machine-specific comes from the environment, so the test and `make classroom` share this one file:
NNKIT_CLASSROOM (install prefix), NNKIT_HUB_STATE (database, cookie secret), NNKIT_STUDENTS / NNKIT_INSTRUCTORS
(group names), NNKIT_HUB_IP / NNKIT_HUB_PORT (public address), NNKIT_MEM_LIMIT / NNKIT_CPU_LIMIT, NNKIT_CULL_SECONDS.
"""

import grp
import os
import pwd
import resource
from pathlib import Path
from urllib.parse import urlencode

from jupyterhub.spawner import LocalProcessSpawner

from nnkit.course.cgroup import ControlGroup

c = get_config()  # noqa: F821 (defined by JupyterHub when it reads this file)

prefix = Path(os.environ.get("NNKIT_CLASSROOM", "/srv/nnkit-classroom"))
state = Path(os.environ.get("NNKIT_HUB_STATE", prefix / "hub"))
students_group = os.environ.get("NNKIT_STUDENTS", "nnkit-students")
instructors_group = os.environ.get("NNKIT_INSTRUCTORS", "nnkit-instructors")
venv_bin = prefix / "venv" / "bin"
state.mkdir(mode=0o700, parents=True, exist_ok=True)

# -- the hub and its proxy (configurable-http-proxy from npm, inside the prefix) ----------------------------------
c.JupyterHub.ip = os.environ.get("NNKIT_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("NNKIT_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("NNKIT_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.command = [str(prefix / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('NNKIT_PROXY_API_PORT', '8001')}"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server

# -- who may log in ------------------------------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {students_group, instructors_group}
c.PAMAuthenticator.admin_groups = {instructors_group}
c.PAMAuthenticator.open_sessions = False  # no login session (utmp, systemd-logind) for a browser tab

# -- each student's server: their own system user, the shared read-only venv ----------------------------------------
mem_limit = os.environ.get("NNKIT_MEM_LIMIT", "1G")
cpu_limit = float(os.environ.get("NNKIT_CPU_LIMIT", "1"))


def address_space_cap(bytes_text):
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    return int(float(bytes_text[:-1]) * units[bytes_text[-1]]) if bytes_text[-1] in units else int(bytes_text)


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner does not enforce mem_limit/cpu_limit: it only passes them on as MEM_LIMIT/CPU_LIMIT.
    Here each student's server (the server and every kernel it starts) runs in a cgroup of its own
    (nnkit.course.cgroup: memory = mem_limit, CPU = cpu_limit cores, 512 processes and threads), removed with
    every process left in it when the server stops. Where the hub may not make cgroups (not root, no delegated
    subtree) only a per-process data-size rlimit of several times mem_limit is left, a backstop against one
    runaway kernel; SystemdSpawner (MemoryMax, CPUQuota) or the Kubernetes spawner (z2jh) cap per student there."""

    control_group = None

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        cap = 4 * address_space_cap(mem_limit)
        self.control_group = ControlGroup.create(max_processes=512, max_memory_bytes=address_space_cap(mem_limit),
                                                 cpu_cores=cpu_limit, prefix=f"nnkit-student-{name}")
        if self.control_group is None:
            self.log.warning("no cgroup for %s: memory and CPU are not capped per student", name)
        group = self.control_group

        def preexec():
            if group is not None:
                group.join()
            resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
            become_user()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        if self.control_group is not None:
            self.control_group.remove()  # kernels the server left behind end here
            self.control_group = None


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.mem_limit = mem_limit
c.Spawner.cpu_limit = cpu_limit
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.Spawner.environment = {
    "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
    "OPENBLAS_NUM_THREADS": "1",  # many students share the cores: one BLAS thread per kernel
    "OMP_NUM_THREADS": "1",
    "NNKIT_CLASSROOM": str(prefix),
    # the published course belongs to root: git reads another user's repository only when a system or global
    # config declares it safe (publish.sh writes that file; command-line and environment config do not count)
    "GIT_CONFIG_SYSTEM": str(prefix / "gitconfig"),
}
# The first page: nbgitpuller brings the student's copy of the course up to date (keeping their edits), then
# JupyterLab opens chapter 1.
pull = urlencode({"repo": f"file://{prefix / 'course.git'}", "branch": "main", "targetPath": "course",
                  "urlpath": "lab/tree/course/notebooks/01_neuron.ipynb"})
c.Spawner.default_url = f"/git-pull?{pull}"


def is_instructor(user):
    instructors = grp.getgrnam(instructors_group)
    return user.pw_gid == instructors.gr_gid or user.pw_name in instructors.gr_mem


def prepare_student(spawner):
    """Private home (0700) and, for a student, a drop folder only the student (write) and the instructors (read)
    can enter. Instructors hand nothing in: no folder, so no empty row for them in the gradebook."""
    user = pwd.getpwnam(spawner.user.name)
    os.chmod(user.pw_dir, 0o700)
    if is_instructor(user):
        return
    drop = prefix / "submissions" / user.pw_name
    drop.mkdir(exist_ok=True)
    os.chown(drop, user.pw_uid, grp.getgrnam(instructors_group).gr_gid)
    os.chmod(drop, 0o2750)  # setgid: what the student drops stays in the instructors' group


c.Spawner.pre_spawn_hook = prepare_student

# -- idle servers are stopped after an hour without activity ----------------------------------------------------------
cull_seconds = os.environ.get("NNKIT_CULL_SECONDS", "3600")
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [str(venv_bin / "python"), "-m", "jupyterhub_idle_culler", f"--timeout={cull_seconds}",
                "--cull-every=60"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
