"""train: a scikit-learn classifier on the training split; the model as a pickle."""
import os
import pickle

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
model.fit(X, y)
with open(output_path("model.pkl"), "wb") as f:
    pickle.dump(model, f)
accuracy = model.score(X, y)
log_metrics(train_accuracy=accuracy)
if os.environ.get("MLFLOW_RUN_ID"):
    # Tidemark gave this step its own MLflow run: log into it directly, as any MLflow code would.
    import mlflow

    mlflow.log_param("estimator", type(model).__name__)
    mlflow.log_metric("train_accuracy_logged_in_step", accuracy)
print(f"trained {type(model).__name__}: train accuracy {accuracy:.4f}")
