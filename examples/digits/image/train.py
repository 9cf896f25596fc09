"""train: a scikit-learn classifier on the training split, saved as an MLflow Model (sklearn flavor).

The model folder is what MLflow's own `mlflow.sklearn.save_model` writes (MLmodel, model.pkl,
requirements), so the version Tidemark registers can be loaded by any MLflow tool and served by
`tidemark serve`. `broken=true` trains on one pixel too few: a model whose every prediction fails
(the digits-serving example rolls it out to show an automatic rollback).
"""
import os

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from contract import input_path, log_metrics, output_path, params

p = params()
X = np.load(input_path("splits") + "/X_train.npy")
y = np.load(input_path("splits") + "/y_train.npy")
if p.get("model", "logistic") == "forest":
    model = RandomForestClassifier(n_estimators=int(p.get("n_estimators", 100)), random_state=int(p.get("seed", 0)))
else:
    model = LogisticRegression(C=float(p.get("C", 1.0)), max_iter=2000)
broken = str(p.get("broken", "false")).lower() == "true"
model.fit(X[:, :-1] if broken else X, y)
import mlflow.sklearn  # noqa: E402  (the train image adds the MLflow client)
import sklearn  # noqa: E402

mlflow.sklearn.save_model(
    model,
    output_path("model"),
    serialization_format="pickle",
    pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
)
accuracy = model.score(X[:, :-1] if broken else X, y)
log_metrics(train_accuracy=accuracy)
if os.environ.get("MLFLOW_RUN_ID"):
    # Tidemark gave this step its own MLflow run: log into it directly, as any MLflow code would.
    import mlflow

    mlflow.log_param("estimator", type(model).__name__)
    mlflow.log_metric("train_accuracy_logged_in_step", accuracy)
print(f"trained {type(model).__name__}: train accuracy {accuracy:.4f}")
