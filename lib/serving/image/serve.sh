#!/bin/sh
# tidemark-serve <port> [workers]: serves the MLflow Model mounted read-only at /model on
# 127.0.0.1:<port> with MLflow's scoring server (uvicorn), in this container's Python.
set -eu
port="$1"
workers="${2:-1}"
exec mlflow models serve --model-uri /model --env-manager local --host 127.0.0.1 --port "$port" --workers "$workers"
