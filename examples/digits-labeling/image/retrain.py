"""retrain: logistic regression on the (merged) labeled set; the model as a pickle.

/inputs/labeled: CSV with pixel columns p0..p63 and `label`. params: C (1.0).
"""
import pickle

import pandas as pd
from sklearn.linear_model import LogisticRegression

from step import metrics, output, params

C = float(params().get("C", 1.0))
labeled = pd.read_csv("/inputs/labeled")
X = labeled[[f"p{i}" for i in range(64)]].to_numpy(dtype=float)
y = labeled["label"].astype(str).to_numpy()
model = LogisticRegression(C=C, max_iter=5000).fit(X, y)
with open(output("model.pkl"), "wb") as f:
    pickle.dump(model, f)
metrics(rows=len(labeled), classes=len(model.classes_), train_accuracy=model.score(X, y))
print(f"trained on {len(labeled)} rows, classes {' '.join(model.classes_)}")
