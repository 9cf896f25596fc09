"""
Tidemark's extension of the MLflow tracking server: finished runs recorded in bulk.

A pipeline step's MLflow run is recorded after the step ends, so it is known in full at once:
tags, params, metrics, start and end time, final status. Through MLflow's REST API that takes
three calls (runs/create, runs/log-batch, runs/update), which cost the server about 35 ms of CPU
a run, nearly all of it SQLAlchemy ORM work across a dozen sessions and commits. This endpoint
writes several such runs in one session and one commit, with the same rows the three calls
would write (runs, tags with mlflow.runName, params, metrics and latest_metrics), validated by
MLflow's own checks: about 5 ms a run.

    POST /tidemark/api/1/runs/record-finished
    { "experiment_id": "1",
      "runs": [{ "run_name", "start_time", "end_time", "status", "tags": [{key, value}],
                 "params": [{key, value}], "metrics": [{key, value, timestamp, step}] }] }
    -> { "runs": [{ "run_id", "artifact_uri" }] }   (in the order given)

It is installed by gunicorn.conf.py into the stack's own MLflow server. Clients probe for it and
fall back to the REST API when a server does not have it (404), or when its store is not
SQLAlchemy (501).
"""

import uuid

from flask import jsonify, request

from mlflow.entities import LifecycleStage, Metric, Param, RunStatus, RunTag, SourceType, ViewType
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE
from mlflow.server import app
from mlflow.server.handlers import _get_tracking_store, catch_mlflow_exception
from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun, SqlTag
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME
from mlflow.utils.uri import append_to_uri_path
from mlflow.utils.validation import (
    _validate_batch_log_data,
    _validate_batch_log_limits,
    _validate_param_keys_unique,
)

ROUTE = "/tidemark/api/1/runs/record-finished"
MAX_RUNS = 100
FINAL_STATUSES = {"FINISHED", "FAILED", "KILLED"}


def _bad(message):
    return MlflowException(message, INVALID_PARAMETER_VALUE)


def _entities(spec):
    """The run's metrics, params and tags as MLflow entities, validated as log-batch validates them."""
    metrics = [Metric(m["key"], float(m["value"]), int(m["timestamp"]), int(m.get("step", 0))) for m in spec.get("metrics", [])]
    params = [Param(p["key"], str(p["value"])) for p in spec.get("params", [])]
    tags = [RunTag(t["key"], str(t["value"])) for t in spec.get("tags", [])]
    metrics, params, tags = _validate_batch_log_data(metrics, params, tags)
    _validate_batch_log_limits(metrics, params, tags)
    _validate_param_keys_unique(params)
    return metrics, params, tags


def _sql_run(store, experiment, spec):
    status = spec.get("status")
    if status not in FINAL_STATUSES:
        raise _bad(f"status must be one of {sorted(FINAL_STATUSES)}, got {status!r}")
    if not isinstance(spec.get("start_time"), int) or not isinstance(spec.get("end_time"), int):
        raise _bad("start_time and end_time must be integers (ms since the epoch)")
    metrics, params, tags = _entities(spec)
    tag_values = {t.key: t.value for t in tags}
    run_name = spec.get("run_name") or tag_values.get(MLFLOW_RUN_NAME)
    if not run_name:
        raise _bad("run_name is required")
    if tag_values.setdefault(MLFLOW_RUN_NAME, run_name) != run_name:
        raise _bad("run_name and the mlflow.runName tag differ")
    run_id = uuid.uuid4().hex
    run = SqlRun(
        run_uuid=run_id,
        name=run_name,
        artifact_uri=append_to_uri_path(experiment.artifact_location, run_id, SqlAlchemyStore.ARTIFACTS_FOLDER_NAME),
        experiment_id=experiment.experiment_id,
        source_type=SourceType.to_string(SourceType.UNKNOWN),
        source_name="",
        entry_point_name="",
        user_id="",
        status=RunStatus.to_string(RunStatus.from_string(status)),
        start_time=spec["start_time"],
        end_time=spec["end_time"],
        deleted_time=None,
        source_version="",
        lifecycle_stage=LifecycleStage.ACTIVE,
    )
    run.tags = [SqlTag(key=k, value=v) for k, v in tag_values.items()]
    run.params = [SqlParam(key=p.key, value=p.value) for p in params]
    # Every value goes to the history; the latest per key is the one MLflow would keep
    # (highest step, then timestamp, then value).
    history, latest = {}, {}
    for m in metrics:
        is_nan, value = store.sanitize_metric_value(m.value)
        row = (m.key, m.timestamp, m.step, value, is_nan)
        history[row] = row
        best = latest.get(m.key)
        if best is None or (m.step, m.timestamp, value) > (best[2], best[1], best[3]):
            latest[m.key] = row
    run.metrics = [SqlMetric(key=k, timestamp=t, step=s, value=v, is_nan=n) for (k, t, s, v, n) in history]
    run.latest_metrics = [SqlLatestMetric(key=k, timestamp=t, step=s, value=v, is_nan=n) for (k, t, s, v, n) in latest.values()]
    return run


@catch_mlflow_exception
def _record_finished():
    store = _get_tracking_store()
    if not isinstance(store, SqlAlchemyStore):
        return jsonify(error_code="NOT_IMPLEMENTED", message="this server's tracking store is not SQLAlchemy"), 501
    body = request.get_json(force=True, silent=True) or {}
    runs = body.get("runs")
    if not isinstance(runs, list) or not runs or len(runs) > MAX_RUNS:
        raise _bad(f"runs must be a list of 1 to {MAX_RUNS} runs")
    with store.ManagedSessionMaker(read_only=False) as session:
        experiment = store._get_experiment(session, str(body.get("experiment_id", "")), ViewType.ALL)
        store._check_experiment_is_active(experiment)
        rows = [_sql_run(store, experiment, spec) for spec in runs]
        session.add_all(rows)
        recorded = [{"run_id": r.run_uuid, "artifact_uri": r.artifact_uri} for r in rows]
    return jsonify(runs=recorded)


app.add_url_rule(ROUTE, "tidemark_record_finished", _record_finished, methods=["POST"])
