"""
Gunicorn settings for the stack's MLflow server (passed with --gunicorn-opts "--config ...").
Each worker, once it has loaded MLflow's app, adds Tidemark's bulk endpoint to it (see
tidemark_runs.py). Should that fail (another MLflow version), the server runs without it and
Tidemark's clients use the REST API.
"""

import logging
import os
import sys


def post_worker_init(worker):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import tidemark_runs  # noqa: F401  (registers its route on mlflow.server.app)
    except Exception:  # noqa: BLE001
        logging.getLogger("gunicorn.error").warning("Tidemark's bulk endpoint is not available", exc_info=True)
