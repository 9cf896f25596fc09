#!/bin/sh
# tidemark-serve <port> [workers] [host]: serves the MLflow Model mounted read-only at /model on
# <host>:<port> (default 127.0.0.1: a container on the host network; a pod behind a Service
# listens on 0.0.0.0) with MLflow's scoring server (uvicorn), in this container's Python.
set -eu
port="$1"
workers="${2:-1}"
host="${3:-127.0.0.1}"
exec mlflow models serve --model-uri /model --env-manager local --host "$host" --port "$port" --workers "$workers"
