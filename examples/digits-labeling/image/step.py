"""What these steps need of Tidemark's step contract: /inputs/params.json in, /outputs out."""
import json


def params():
    with open("/inputs/params.json") as f:
        return json.load(f)


def output(name):
    return f"/outputs/{name}"


def metrics(**values):
    """Written to /outputs/metrics.json: the step's metrics in Temporal and MLflow."""
    with open("/outputs/metrics.json", "w") as f:
        json.dump({k: float(v) for k, v in values.items()}, f)
