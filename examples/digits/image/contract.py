"""The Tidemark step contract: inputs in /inputs, params in /inputs/params.json, outputs in /outputs."""
import json
import os

INPUTS = os.environ.get("TIDEMARK_INPUTS", "/inputs")
OUTPUTS = os.environ.get("TIDEMARK_OUTPUTS", "/outputs")


def params():
    with open(os.path.join(INPUTS, "params.json")) as f:
        return json.load(f)


def input_path(name):
    return os.path.join(INPUTS, name)


def output_path(name):
    path = os.path.join(OUTPUTS, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def log_metrics(**metrics):
    with open(os.path.join(OUTPUTS, "metrics.json"), "w") as f:
        json.dump({k: float(v) for k, v in metrics.items()}, f)
