"""evaluate: accuracy on the held-out test set (the pool's mix), overall and per kind of sample.

/inputs/model: the pickled classifier; /inputs/test: CSV with p0..p63, label and kind.
Metrics: accuracy (all rows), accuracy_shifted (unseen 9s and rotated digits), accuracy_upright,
accuracy_unseen_9 and accuracy_rotated (those the test set holds).
"""
import pickle

import pandas as pd

from step import metrics

with open("/inputs/model", "rb") as f:
    model = pickle.load(f)
test = pd.read_csv("/inputs/test")
predicted = model.predict(test[[f"p{i}" for i in range(64)]].to_numpy(dtype=float))
right = pd.Series(predicted == test["label"].astype(str).to_numpy())
kind = test["kind"]
groups = {
    "accuracy": kind == kind,
    "accuracy_shifted": kind != "upright",
    "accuracy_upright": kind == "upright",
    "accuracy_unseen_9": kind == "unseen-9",
    "accuracy_rotated": kind == "rotated",
}
# A kind the test set does not hold has no accuracy (and NaN is not JSON).
values = {name: right[rows.to_numpy()].mean() for name, rows in groups.items() if rows.any()}
metrics(**values)
print(" ".join(f"{k}={v:.4f}" for k, v in values.items()))
