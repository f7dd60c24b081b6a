"""classroom/z2jh-values.yaml: valid YAML using only documented keys of the Zero to JupyterHub chart.

No Kubernetes cluster here, so this is all that is checked (README says so). The documented keys
are copied from the chart's values.schema.yaml (the source of its configuration reference,
https://z2jh.jupyter.org/en/stable/resources/reference.html), zero-to-jupyterhub-k8s commit
48ea50e (JupyterHub 5.5.0): the sections a class needs.
"""

from pathlib import Path

import pytest
import yaml

VALUES = Path(__file__).resolve().parents[2] / "classroom" / "z2jh-values.yaml"

DOCUMENTED = {
    "hub", "hub.config", "cull", "cull.enabled", "cull.users", "cull.adminUsers", "cull.removeNamedServers",
    "cull.timeout", "cull.every", "cull.concurrency", "cull.maxAge",
    "singleuser", "singleuser.networkPolicy", "singleuser.podNameTemplate", "singleuser.cpu", "singleuser.cpu.limit",
    "singleuser.cpu.guarantee", "singleuser.memory", "singleuser.memory.limit", "singleuser.memory.guarantee",
    "singleuser.image", "singleuser.image.name", "singleuser.image.tag", "singleuser.image.pullPolicy",
    "singleuser.image.pullSecrets", "singleuser.initContainers", "singleuser.profileList", "singleuser.extraFiles",
    "singleuser.extraEnv", "singleuser.nodeSelector", "singleuser.cmd", "singleuser.defaultUrl", "singleuser.events",
    "singleuser.extraAnnotations", "singleuser.extraContainers", "singleuser.extraLabels", "singleuser.extraPodConfig",
    "singleuser.extraResource", "singleuser.fsGid", "singleuser.lifecycleHooks", "singleuser.lifecycleHooks.postStart",
    "singleuser.lifecycleHooks.preStop", "singleuser.serviceAccountName", "singleuser.startTimeout",
    "singleuser.storage", "singleuser.storage.capacity", "singleuser.storage.dynamic", "singleuser.storage.extraLabels",
    "singleuser.storage.extraVolumeMounts", "singleuser.storage.extraVolumes", "singleuser.storage.homeMountPath",
    "singleuser.storage.static", "singleuser.storage.type", "singleuser.allowPrivilegeEscalation", "singleuser.uid",
}
# documented as free-form: JupyterHub traitlets config, environment variables, Kubernetes objects
OPEN = {"hub.config", "singleuser.extraEnv", "singleuser.extraFiles", "singleuser.lifecycleHooks.postStart",
        "singleuser.lifecycleHooks.preStop", "singleuser.storage.extraVolumes", "singleuser.storage.extraVolumeMounts",
        "singleuser.profileList", "singleuser.initContainers"}


def keys(mapping, prefix=""):
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        yield path
        if isinstance(value, dict) and path not in OPEN:
            yield from keys(value, path + ".")


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES.read_text())


def test_every_key_is_a_documented_key_of_the_chart(values):
    assert [key for key in keys(values) if key not in DOCUMENTED] == []


def test_the_image_and_the_limits_are_set(values):
    user = values["singleuser"]
    assert user["image"]["name"] and isinstance(user["image"]["tag"], str)  # a bare 2025 would be a number
    assert user["memory"]["limit"].endswith(("G", "M")) and 0 < user["cpu"]["limit"] <= 2
    assert {user["extraEnv"][name] for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")} == {"1"}
    assert values["cull"]["enabled"] is True


def test_extra_files_have_a_path_and_content(values):
    for entry in values["singleuser"]["extraFiles"].values():
        assert entry["mountPath"].startswith("/") and {"data", "stringData", "binaryData"} & set(entry)


def test_hub_config_names_real_jupyterhub_traits(values):
    auth = pytest.importorskip("jupyterhub.auth", reason="jupyterhub (the classroom extra) is not installed")
    traits = auth.Authenticator.class_traits(config=True)
    for cls, settings in values["hub"]["config"].items():
        assert cls == "Authenticator" and set(settings) <= set(traits)
