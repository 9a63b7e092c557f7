"""The production configuration a team copies (deploy/, docs/deploy.md "Dagster in
production"): each file is read by the code that will read it in production (Dagster's
instance schema, dagster-celery's worker config, dagster-k8s's run launcher), with
dummy values in the environment; no server, no cluster, no network."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from unittest import mock

import dagster as dg
import kubernetes
import pytest
import yaml
from dagster._config import process_config
from dagster._core.code_pointer import ModuleCodePointer
from dagster._core.instance.config import ConcurrencyConfig, dagster_instance_config
from dagster._core.instance.ref import InstanceRef
from dagster._core.launcher import LaunchRunContext
from dagster._core.origin import JobPythonOrigin, RepositoryPythonOrigin
from dagster._core.test_utils import create_run_for_test, instance_for_test
from dagster._serdes.config_class import class_from_code_pointer
from dagster_celery.cli import get_validated_config
from dagster_k8s import K8sRunLauncher
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import pg_url_from_config
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import make_url

from assets.resources import ChartwatchConfig
from pipelines.definitions import build_definitions
from pipelines.executors import BACKEND_URL_VARIABLE, BROKER_URL_VARIABLE
from pipelines.settings import SETTINGS, from_environment
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
# The environment of a deployment, with dummy secrets that must never be copied into
# anything a file, a manifest or a run's arguments carry.
ENVIRONMENT = {
    "DAGSTER_PG_HOST": "postgres.internal",
    "DAGSTER_PG_PORT": "5433",
    "DAGSTER_PG_USERNAME": "dagster",
    "DAGSTER_PG_PASSWORD": "dummy-pg-password",
    "DAGSTER_PG_DB": "dagster",
    BROKER_URL_VARIABLE: "redis://:dummy-redis-password@redis.internal:6379/0",
    BACKEND_URL_VARIABLE: "redis://:dummy-redis-password@redis.internal:6379/1",
    "DAGSTER_COMPUTE_LOGS_BUCKET": "chartwatch-logs",
}
DUMMY_SECRETS = ("dummy-pg-password", "dummy-redis-password")


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture
def environment(monkeypatch):
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def dagster_home(tmp_path) -> Path:
    """A DAGSTER_HOME holding deploy/dagster.yaml."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    return home


def _configurable(entry: dict) -> dg.EvaluateValueResult:
    """A `module`/`class`/`config` entry of dagster.yaml, checked and resolved by its class's
    own schema, as Dagster does when the instance starts."""
    klass = class_from_code_pointer(entry["module"], entry["class"])
    return process_config(klass.config_type(), entry.get("config") or {})


# -- deploy/dagster.yaml ------------------------------------------------------------


def test_the_instance_config_is_accepted_by_dagster_with_its_storage_in_postgres(
    environment, dagster_home
):
    config, _ = dagster_instance_config(str(dagster_home))
    for section in ("run_coordinator", "run_launcher", "compute_logs"):
        result = _configurable(config[section])
        assert result.success, f"{section}: {result.errors}"
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    # The run launcher that lets run monitoring fail a run whose process died.
    assert config["run_launcher"]["module"] == "pipelines.launcher"
    assert config["run_monitoring"]["enabled"]

    storage = process_config(DagsterPostgresStorage.config_type(), config["storage"]["postgres"])
    assert storage.success, storage.errors
    url = pg_url_from_config(storage.value)
    assert url == "postgresql+psycopg2://dagster:dummy-pg-password@postgres.internal:5433/dagster"
    # SQLAlchemy finds the driver the scheme names (psycopg2-binary, the deploy extra).
    assert make_url(url).get_dialect().driver == "psycopg2"

    # What a process started from this file carries to the runs it launches: the
    # variables' names, never their values.
    ref = dg.serialize_value(InstanceRef.from_dir(str(dagster_home)))
    assert "DAGSTER_PG_PASSWORD" in ref
    assert not any(secret in ref for secret in DUMMY_SECRETS)


def test_the_duckdb_pool_gets_one_slot_so_one_step_at_a_time_writes_the_warehouse(
    dagster_home, tmp_path
):
    concurrency = _yaml(dagster_home / "dagster.yaml")["concurrency"]
    # The steps that open the warehouse are the ones in a pool, and that pool is duckdb.
    definitions = build_definitions(ChartwatchConfig(data_dir=str(tmp_path / "data")))
    pools = {
        node.name: node.definition.pool
        for node in definitions.resolve_job_def("daily_pipeline").graph.node_dict.values()
        if node.definition.pool
    }
    assert set(pools.values()) == {"duckdb"}
    assert set(pools) == {"warehouse__duckdb", "reports__launch_pictures"}

    # Dagster 1.13 has no per-pool limit in dagster.yaml: a pool without a limit of its
    # own gets default_limit the first time a step claims it. This is that step.
    with instance_for_test(overrides={"concurrency": concurrency}) as instance:
        assert instance.event_log_storage.initialize_concurrency_limit_to_default("duckdb")
        assert instance.event_log_storage.get_concurrency_info("duckdb").slot_count == 1
    settings = ConcurrencyConfig.from_concurrency_settings(concurrency, None)
    assert settings.pool_config.default_pool_limit == 1


# -- deploy/celery.yaml and CHARTWATCH_EXECUTOR -------------------------------------


def test_the_celery_workers_and_the_runs_use_the_same_broker_from_the_environment(
    environment, tmp_path
):
    worker = get_validated_config(str(DEPLOY / "celery.yaml"))
    assert worker["broker"] == ENVIRONMENT[BROKER_URL_VARIABLE]
    assert worker["backend"] == ENVIRONMENT[BACKEND_URL_VARIABLE]

    config = ChartwatchConfig(data_dir=str(tmp_path / "data"), executor="celery")
    executor = build_definitions(config).resolve_job_def("daily_pipeline").executor_def
    assert executor.name == "celery"
    resolved = executor.apply_config_mapping({})
    assert resolved.success, resolved.errors
    assert resolved.value["config"]["broker"] == worker["broker"]
    assert resolved.value["config"]["backend"] == worker["backend"]


def test_under_celery_the_steps_that_open_the_warehouse_go_to_its_queue(tmp_path):
    config = ChartwatchConfig(data_dir=str(tmp_path / "data"), executor="celery")
    job = build_definitions(config).resolve_job_def("daily_pipeline")
    queues = {
        node.name: node.tags.get("dagster-celery/queue", "dagster")
        for node in job.graph.node_dict.values()
    }
    on_the_warehouse_host = {name for name, queue in queues.items() if queue == "warehouse"}
    assert on_the_warehouse_host == {"warehouse__duckdb", "reports__launch_pictures"}
    assert set(queues.values()) == {"dagster", "warehouse"}


def test_the_executor_stays_in_process_unless_the_setting_says_otherwise(tmp_path):
    data = str(tmp_path / "data")
    default = build_definitions(ChartwatchConfig(data_dir=data))
    assert default.resolve_job_def("daily_pipeline").executor_def is dg.in_process_executor
    assert default.resolve_implicit_global_asset_job_def().executor_def is dg.in_process_executor
    assert from_environment({}) == {}
    assert ChartwatchConfig().executor == "in_process"

    chosen = from_environment({"CHARTWATCH_EXECUTOR": "multiprocess"})
    assert chosen == {"executor": "multiprocess"}
    multiprocess = build_definitions(ChartwatchConfig(data_dir=data, **chosen))
    assert multiprocess.resolve_job_def("daily_pipeline").executor_def is dg.multiprocess_executor

    with pytest.raises(Exception, match="CHARTWATCH_EXECUTOR='threads' is not known"):
        build_definitions(ChartwatchConfig(data_dir=data, executor="threads"))


# -- no secret in any file ----------------------------------------------------------

DEPLOY_FILES = sorted(p for p in DEPLOY.rglob("*") if p.suffix in (".yaml", ".yml"))
# Keys whose value is a secret: it must be an {env: NAME} reference. Keys that name a
# Kubernetes Secret (postgres_password_secret, postgresqlSecretName, envSecrets) hold
# a name, not a secret.
SECRET_KEY = re.compile(
    r"password|(secret|private|api)_?(access_?)?key|token|broker|backend|credential", re.I
)
NAMES_A_SECRET = re.compile(r"secret(s|name)?$", re.I)
# user:password@ in a URL, an AWS access key id.
SECRET_TEXT = re.compile(r"://[^/\s:@]*:[^/\s@]+@|\bAKIA[0-9A-Z]{16}\b")


def _secret_values(node: Any, path: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            if SECRET_KEY.search(str(key)) and not NAMES_A_SECRET.search(str(key)):
                if not (isinstance(value, dict) and set(value) == {"env"}):
                    found.append(f"{where}: {value!r} (give {{env: VARIABLE}})")
                continue
            found += _secret_values(value, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _secret_values(value, f"{path}[{index}]")
    elif isinstance(node, str) and SECRET_TEXT.search(node):
        found.append(f"{path}: {node!r}")
    return found


def test_the_deploy_files_hold_no_secret_only_references_to_them():
    assert {p.relative_to(DEPLOY).as_posix() for p in DEPLOY_FILES} >= {
        "dagster.yaml",
        "celery.yaml",
        "helm/values.yaml",
        "k8s/run-launcher.yaml",
    }
    for path in DEPLOY_FILES:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found = _secret_values(document)
            assert not found, f"{path.relative_to(REPO)} holds a secret: {found}"
    # The check finds what it looks for.
    assert _secret_values({"storage": {"postgres_db": {"password": "hunter2"}}})
    assert _secret_values({"broker": "redis://:hunter2@redis:6379/0"})
    assert not _secret_values({"postgres_password_secret": "chartwatch-postgresql"})


def test_the_kubernetes_settings_are_chartwatch_settings_and_hold_no_secret():
    config_map = _yaml(DEPLOY / "k8s" / "chartwatch-env.yaml")
    data = config_map["data"]
    known = {setting.variable for setting in SETTINGS if not setting.secret}
    chartwatch = {name for name in data if name.startswith("CHARTWATCH_")}
    assert chartwatch <= known, f"not Chartwatch settings: {sorted(chartwatch - known)}"
    values = from_environment(data)  # typed and checked as the code location will
    assert values["data_dir"].startswith("s3://")
    assert not {name for name in data if SECRET_KEY.search(name)}


# -- deploy/helm/values.yaml --------------------------------------------------------
# The chart validates its values with values.schema.json, generated from pydantic
# models (dagster-io/dagster helm/dagster/schema/schema/charts). These models restate
# the parts this file sets, as read there (run_launcher.py, compute_log_manager.py,
# postgresql.py, user_deployments.py, concurrency-era templates), and forbid any key
# the chart does not know: the chart ignores unknown keys in several blocks, silently.


class _Values(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Named(_Values):  # a ConfigMapEnvSource or SecretEnvSource
    name: str


class _Image(_Values):
    repository: str
    tag: str | int | None = None
    pullPolicy: Literal["Always", "IfNotPresent", "Never"]


class _Resources(_Values):
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}


class _UserDeployment(_Values):
    name: str
    image: _Image
    dagsterApiGrpcArgs: list[str]
    port: int
    envConfigMaps: list[_Named] = []
    envSecrets: list[_Named] = []
    includeConfigInLaunchedRuns: dict[Literal["enabled"], bool] = {}
    resources: _Resources | None = None


class _UserDeployments(_Values):
    enabled: bool
    deployments: list[_UserDeployment] = Field(min_length=1)


class _RunK8sConfig(_Values):
    containerConfig: dict | None = None
    podSpecConfig: dict | None = None
    podTemplateSpecMetadata: dict | None = None
    jobSpecConfig: dict | None = None
    jobMetadata: dict | None = None


class _K8sRunLauncher(_Values):
    image: _Image | None = None
    imagePullPolicy: Literal["Always", "IfNotPresent", "Never"] | None = None
    jobNamespace: str | None = None
    loadInclusterConfig: bool | None = None
    kubeconfigFile: str | None = None
    envConfigMaps: list[_Named] = []
    envSecrets: list[_Named] = []
    envVars: list[str] = []
    volumeMounts: list[dict] = []
    volumes: list[dict] = []
    labels: dict[str, str] = {}
    failPodOnRunFailure: bool | None = None
    resources: _Resources | None = None
    schedulerName: str | None = None
    securityContext: dict | None = None
    runK8sConfig: _RunK8sConfig | None = None


class _RunLauncher(_Values):
    type: Literal["K8sRunLauncher"]  # the choice: docs/deploy.md says why
    config: dict[Literal["k8sRunLauncher"], _K8sRunLauncher]


class _PostgreSQL(_Values):
    enabled: Literal[False]  # the team's own Postgres, not the chart's demo one
    postgresqlHost: str
    postgresqlUsername: str
    postgresqlDatabase: str
    postgresqlScheme: Literal["postgresql+psycopg2"]
    service: dict[Literal["port"], int]


class _EnvFrom(_Values):
    envConfigMaps: list[_Named] = []
    envSecrets: list[_Named] = []


class _RunCoordinator(_Values):
    enabled: bool
    type: Literal["QueuedRunCoordinator"]


class _RunMonitoring(_Values):
    enabled: bool
    startTimeoutSeconds: int | None = None
    pollIntervalSeconds: int | None = None
    freeSlotsAfterRunEndSeconds: int | None = None
    cancelTimeoutSeconds: int | None = None
    maxResumeRunAttempts: int | None = None


class _Daemon(_EnvFrom):
    runCoordinator: _RunCoordinator
    runMonitoring: _RunMonitoring | None = None


class _S3ComputeLogManager(_Values):
    bucket: str | dict
    localDir: str | None = None
    prefix: str | None = None
    useSsl: bool | None = None
    verify: bool | None = None
    verifyCertPath: str | None = None
    endpointUrl: str | dict | None = None
    skipEmptyFiles: bool | None = None
    uploadInterval: int | None = None
    uploadExtraArgs: dict | None = None
    showUrlOnly: bool | None = None
    region: str | dict | None = None


class _ComputeLogManager(_Values):
    type: Literal["S3ComputeLogManager"]
    config: dict[Literal["s3ComputeLogManager"], _S3ComputeLogManager]


class _HelmValues(_Values):
    global_: dict[Literal["postgresqlSecretName"], str] = Field(alias="global")
    postgresql: _PostgreSQL
    generatePostgresqlPasswordSecret: Literal[False]
    dagster_user_deployments: _UserDeployments = Field(alias="dagster-user-deployments")
    runLauncher: _RunLauncher
    dagsterWebserver: _EnvFrom
    dagsterDaemon: _Daemon
    computeLogManager: _ComputeLogManager
    telemetry: dict[Literal["enabled"], bool]
    additionalInstanceConfig: dict[str, Any]


# What the chart fills in itself for a release named dagster in the namespace dagster
# (its templates: helpers/instance/_run-launcher.tpl, _postgresql.tpl).
RELEASE = {
    "job_namespace": "dagster",
    "service_account_name": "dagster",
    "instance_config_map": "dagster-instance",
    "dagster_home": "/opt/dagster/dagster_home",
    "load_incluster_config": True,
    "image_pull_policy": "IfNotPresent",
}


def _chart_run_launcher(values: dict) -> dict:
    """The run_launcher config the chart renders into the instance from these values
    (helm/dagster/templates/helpers/instance/_run-launcher.tpl, its K8sRunLauncher
    branch, for the keys these values set)."""
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    run_k8s = k8s.get("runK8sConfig", {})
    return {
        **RELEASE,
        "postgres_password_secret": values["global"]["postgresqlSecretName"],
        "env_config_maps": [m["name"] for m in k8s.get("envConfigMaps", [])],
        "env_secrets": [s["name"] for s in k8s.get("envSecrets", [])],
        "volume_mounts": k8s.get("volumeMounts", []),
        "volumes": k8s.get("volumes", []),
        "labels": k8s.get("labels", {}),
        "resources": k8s.get("resources", {}),
        "run_k8s_config": {
            snake: run_k8s[camel]
            for camel, snake in (
                ("containerConfig", "container_config"),
                ("podSpecConfig", "pod_spec_config"),
                ("podTemplateSpecMetadata", "pod_template_spec_metadata"),
                ("jobSpecConfig", "job_spec_config"),
                ("jobMetadata", "job_metadata"),
            )
            if camel in run_k8s
        },
    }


def test_the_helm_values_fit_the_charts_schema_and_run_the_code_location():
    values = _yaml(DEPLOY / "helm" / "values.yaml")
    checked = _HelmValues.model_validate(values)
    (deployment,) = checked.dagster_user_deployments.deployments
    args = deployment.dagsterApiGrpcArgs
    assert args[args.index("--module-name") + 1] == "pipelines.definitions"
    assert args[args.index("--module-name") + 1] in (REPO / "workspace.yaml").read_text()
    # The code server loads the definitions, which check the lake is reachable.
    assert {s.name for s in deployment.envSecrets} == {"chartwatch-aws"}
    assert {m.name for m in deployment.envConfigMaps} == {"chartwatch-env"}
    # The chart's validation on a wrong key: ours fails too.
    wrong = json.loads(json.dumps(values))
    wrong["runLauncher"]["config"]["k8sRunLauncher"]["jobSpec"] = {"ttlSecondsAfterFinished": 1}
    with pytest.raises(ValueError, match="jobSpec"):
        _HelmValues.model_validate(wrong)


def test_the_instance_the_chart_renders_from_the_helm_values_is_accepted_by_dagster(
    environment, tmp_path
):
    values = _yaml(DEPLOY / "helm" / "values.yaml")
    postgres = values["postgresql"]
    s3_logs = values["computeLogManager"]["config"]["s3ComputeLogManager"]
    # The instance's dagster.yaml as the chart's configmap-instance.yaml lays it out.
    instance = {
        "storage": {
            "postgres": {
                "postgres_db": {
                    "username": postgres["postgresqlUsername"],
                    "password": {"env": "DAGSTER_PG_PASSWORD"},
                    "hostname": postgres["postgresqlHost"],
                    "db_name": postgres["postgresqlDatabase"],
                    "port": postgres["service"]["port"],
                    "scheme": postgres["postgresqlScheme"],
                }
            }
        },
        "run_coordinator": {"module": "dagster", "class": "QueuedRunCoordinator"},
        "run_launcher": {
            "module": "dagster_k8s",
            "class": "K8sRunLauncher",
            "config": _chart_run_launcher(values),
        },
        "compute_logs": {
            "module": "dagster_aws.s3.compute_log_manager",
            "class": "S3ComputeLogManager",
            "config": {"bucket": s3_logs["bucket"], "prefix": s3_logs["prefix"]},
        },
        **values["additionalInstanceConfig"],
    }
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(instance), encoding="utf-8")
    config, _ = dagster_instance_config(str(tmp_path))
    for section in ("run_coordinator", "run_launcher", "compute_logs"):
        result = _configurable(config[section])
        assert result.success, f"{section}: {result.errors}"
    # The same limits as deploy/dagster.yaml: one writer of the warehouse.
    assert config["concurrency"] == _yaml(DEPLOY / "dagster.yaml")["concurrency"]


# -- the run pod on Kubernetes (deploy/k8s/run-launcher.yaml) -----------------------

IMAGE_VALUES = _yaml(DEPLOY / "helm" / "values.yaml")["dagster-user-deployments"]["deployments"][0]
CODE_LOCATION_IMAGE = f"{IMAGE_VALUES['image']['repository']}:{IMAGE_VALUES['image']['tag']}"


class _CapturedJobs:
    """The Kubernetes batch API, keeping the Jobs it is asked to create."""

    def __init__(self):
        self.created: list[tuple[Any, str]] = []

    def create_namespaced_job(self, body, namespace, **_):
        self.created.append((body, namespace))


def _run_pod(launcher_config: dict, dagster_home: Path) -> tuple[dict, str]:
    """The Job manifest the K8sRunLauncher creates for a run of daily_pipeline, and its
    namespace: dagster-k8s's own code, with the Kubernetes API replaced by a recorder."""
    resolved = process_config(K8sRunLauncher.config_type(), launcher_config)
    assert resolved.success, resolved.errors
    jobs = _CapturedJobs()
    with mock.patch.object(kubernetes.config, "load_incluster_config"):
        launcher = K8sRunLauncher(
            **resolved.value, k8s_client_batch_api=jobs, k8s_client_core_api=object()
        )
    # As deployed: the code server runs `dagster api grpc --module-name
    # pipelines.definitions` in the code location's image.
    origin = JobPythonOrigin(
        "daily_pipeline",
        RepositoryPythonOrigin(
            executable_path="python",
            code_pointer=ModuleCodePointer("pipelines.definitions", "defs", "/opt/chartwatch"),
            container_image=CODE_LOCATION_IMAGE,
        ),
    )
    with instance_for_test() as instance:
        # The run's arguments carry the instance of deploy/dagster.yaml, as a pod gets it.
        deployed = InstanceRef.from_dir(str(dagster_home))
        with mock.patch.object(type(instance), "get_ref", return_value=deployed):
            launcher.register_instance(instance)
            run = create_run_for_test(instance, job_name="daily_pipeline", job_code_origin=origin)
            launcher.launch_run(LaunchRunContext(dagster_run=run, workspace=None))
    ((job, namespace),) = jobs.created
    manifest = kubernetes.client.ApiClient().sanitize_for_serialization(job)
    # The run id differs from run to run.
    return json.loads(json.dumps(manifest).replace(run.run_id, "RUN_ID")), namespace


def test_a_run_pod_runs_the_code_locations_image_with_secrets_by_name_only(
    environment, dagster_home
):
    launcher = _yaml(DEPLOY / "k8s" / "run-launcher.yaml")["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    manifest, namespace = _run_pod(launcher["config"], dagster_home)
    assert namespace == "dagster"
    pod = manifest["spec"]["template"]
    (container,) = pod["spec"]["containers"]

    assert container["image"] == CODE_LOCATION_IMAGE == launcher["config"]["job_image"]
    assert container["args"][:5] == ["python", "-m", "dagster", "api", "execute_run"]

    env = {variable["name"]: variable for variable in container["env"]}
    assert env["DAGSTER_HOME"]["value"] == "/opt/dagster/dagster_home"
    assert env["DAGSTER_PG_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "chartwatch-postgresql",
        "key": "postgresql-password",
    }
    assert container["envFrom"] == [
        {"configMapRef": {"name": "chartwatch-env"}},
        {"secretRef": {"name": "chartwatch-aws"}},
    ]
    # No value of a secret anywhere: not in the env, not in the run's arguments.
    text = json.dumps(manifest)
    assert not any(secret in text for secret in DUMMY_SECRETS)
    assert "DAGSTER_PG_PASSWORD" in container["args"][-1]  # the instance, by reference

    assert container["resources"] == {
        "requests": {"cpu": "2", "memory": "4Gi"},
        "limits": {"memory": "8Gi"},
    }
    # The warehouse's disk, where CHARTWATCH_WAREHOUSE puts the file.
    (mount,) = container["volumeMounts"]
    (volume,) = pod["spec"]["volumes"]
    claim = _yaml(DEPLOY / "k8s" / "warehouse-pvc.yaml")["metadata"]["name"]
    assert volume == {"name": mount["name"], "persistentVolumeClaim": {"claimName": claim}}
    settings = _yaml(DEPLOY / "k8s" / "chartwatch-env.yaml")["data"]
    assert PurePosixPath(settings["CHARTWATCH_WAREHOUSE"]).parent == PurePosixPath(
        mount["mountPath"]
    )

    for labels in (manifest["metadata"]["labels"], pod["metadata"]["labels"]):
        assert labels["app.kubernetes.io/part-of"] == "chartwatch"
        assert labels["app.kubernetes.io/component"] == "run_worker"
        assert labels["dagster/job"] == "daily_pipeline"
    assert manifest["spec"]["ttlSecondsAfterFinished"] == 3600
    assert manifest["spec"]["backoffLimit"] == 0
    assert pod["spec"]["serviceAccountName"] == "dagster"


def test_the_helm_chart_launches_the_same_run_pod_as_the_kubernetes_config(
    environment, dagster_home
):
    values = _yaml(DEPLOY / "helm" / "values.yaml")
    launcher = _yaml(DEPLOY / "k8s" / "run-launcher.yaml")["run_launcher"]["config"]
    from_helm, helm_namespace = _run_pod(_chart_run_launcher(values), dagster_home)
    from_k8s, k8s_namespace = _run_pod(launcher, dagster_home)
    assert (from_helm, helm_namespace) == (from_k8s, k8s_namespace)
    assert values["global"]["postgresqlSecretName"] == launcher["postgres_password_secret"]


def test_a_backfill_is_cut_into_runs_of_chartwatch_backfill_days():
    """CHARTWATCH_BACKFILL_DAYS=N: a backfill's runs cover N days each, for every
    partitioned asset (a pool of workers shares their steps); unset, one run."""
    values = from_environment({"CHARTWATCH_BACKFILL_DAYS": "7"})
    cut = build_definitions(ChartwatchConfig(**values)).resolve_asset_graph()
    whole = build_definitions(ChartwatchConfig()).resolve_asset_graph()
    partitioned = [key for key in cut.get_all_asset_keys() if cut.get(key).is_partitioned]
    assert len(partitioned) > 10
    for key in partitioned:
        assert cut.get(key).backfill_policy == dg.BackfillPolicy.multi_run(7)
        assert whole.get(key).backfill_policy == dg.BackfillPolicy.single_run()
