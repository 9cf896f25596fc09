"""evaluate: accuracy and macro F1 on the held-out split."""
import json
import pickle

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from contract import input_path, log_metrics, output_path

# The model is an MLflow Model folder (sklearn flavor, pickle serialization): model.pkl inside it.
with open(input_path("model") + "/model.pkl", "rb") as f:
    model = pickle.load(f)
X = np.load(input_path("splits") + "/X_test.npy")
y = np.load(input_path("splits") + "/y_test.npy")
try:
    predicted = model.predict(X)
except ValueError as e:  # a model that cannot predict these rows scores nothing
    print(f"the model cannot predict the test rows: {e}")
    predicted = np.full_like(y, -1)
accuracy = accuracy_score(y, predicted)
f1 = f1_score(y, predicted, average="macro")
with open(output_path("report.json"), "w") as f:
    json.dump({"accuracy": accuracy, "f1_macro": f1, "confusion": confusion_matrix(y, predicted).tolist()}, f, indent=2)
log_metrics(accuracy=accuracy, f1_macro=f1)
print(f"test accuracy {accuracy:.4f}, macro F1 {f1:.4f}")
