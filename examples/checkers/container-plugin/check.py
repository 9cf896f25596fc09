"""domain-classifier: a container checker plugin for Tidemark.

A classifier is trained to tell reference rows from batch rows. If the two come from the same
distribution its cross-validated ROC AUC stays near 0.5; the p-value is the one-sided
Mann-Whitney normal approximation for AUC > 0.5. Numeric columns only.

Contract: /inputs/reference, /inputs/batch (CSV with a header, or .npy), /inputs/params.json
({"alpha": 0.01, "folds": 5, "seed": 0}), output /outputs/report.json. In fit mode
(TIDEMARK_CHECK_MODE=fit) it only records the reference's columns in /outputs/state/state.json.
"""
import json
import math
import os
import sys

import numpy as np


def load(path):
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic == b"\x93NUMPY":
        x = np.load(path).astype(np.float64)
        return x.reshape(len(x), -1), [f"f{i}" for i in range(int(np.prod(x.shape[1:])))]
    import pandas as pd

    df = pd.read_csv(path)
    df = df.select_dtypes(include="number")
    return df.to_numpy(dtype=np.float64), list(df.columns)


def params():
    p = "/inputs/params.json"
    return json.load(open(p)) if os.path.exists(p) else {}


def main():
    cfg = params()
    mode = os.environ.get("TIDEMARK_CHECK_MODE", "check")
    if mode == "fit":
        _, cols = load("/inputs/reference")
        os.makedirs("/outputs/state", exist_ok=True)
        json.dump({"columns": cols}, open("/outputs/state/state.json", "w"))
        return
    if not os.path.exists("/inputs/reference"):
        sys.exit("domain-classifier compares the batch with a reference: pass one")
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_predict

    ref, cols = load("/inputs/reference")
    batch, _ = load("/inputs/batch")
    x = np.nan_to_num(np.vstack([ref, batch]))
    y = np.r_[np.zeros(len(ref)), np.ones(len(batch))]
    clf = RandomForestClassifier(n_estimators=100, min_samples_leaf=3, random_state=int(cfg.get("seed", 0)))
    scores = cross_val_predict(clf, x, y, cv=int(cfg.get("folds", 5)), method="predict_proba")[:, 1]
    auc = float(roc_auc_score(y, scores))
    n1, n2 = len(ref), len(batch)
    sd = math.sqrt((n1 + n2 + 1) / (12.0 * n1 * n2))
    p = 0.5 * math.erfc(((auc - 0.5) / sd) / math.sqrt(2))
    alpha = float(cfg.get("alpha", 0.01))
    clf.fit(x, y)
    importance = sorted(zip(cols, clf.feature_importances_), key=lambda t: -t[1])[:10]
    report = {
        "plugin": "domain-classifier",
        "alarm": p < alpha,
        "score": -math.log10(max(p, 1e-300)),
        "threshold": -math.log10(alpha),
        "pValue": p,
        "perFeature": [{"name": n, "score": float(s), "test": "random-forest importance"} for n, s in importance],
        "details": {"auc": auc, "referenceRows": n1, "batchRows": n2},
    }
    with open("/outputs/report.json", "w") as f:
        json.dump(report, f)
    print(f"domain-classifier: AUC {auc:.3f}, p = {p:.3g}")


if __name__ == "__main__":
    main()
