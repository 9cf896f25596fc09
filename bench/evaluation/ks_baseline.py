"""The evaluation's standard baseline, as Alibi Detect's KSDrift does it: a two-sample
Kolmogorov-Smirnov test per feature (scipy's ks_2samp, its default method) and a Bonferroni
correction (drift when the smallest p-value is below alpha / features). Runs in tidemark/python-ml.

/inputs/data/splits.json: {"alpha": a, "splits": [{"dataset", "reference": [row indices], "start", "rows"}]}
/inputs/data/<dataset>.values.npy   every row of the data set (features only)
/inputs/data/<dataset>.batches.npy  the batches of all its splits, one after the other
/outputs/results.json               [{"alarm", "minP"}] in the splits' order
"""
import json
import os

import numpy as np
from scipy.stats import ks_2samp

data = os.environ.get("INPUTS", "/inputs") + "/data"
spec = json.load(open(f"{data}/splits.json"))
alpha = spec["alpha"]
loaded = {}
results = []
for s in spec["splits"]:
    name = s["dataset"]
    if name not in loaded:
        loaded[name] = (np.load(f"{data}/{name}.values.npy"), np.load(f"{data}/{name}.batches.npy"))
    values, batches = loaded[name]
    ref = values[np.asarray(s["reference"], dtype=np.int64)]
    batch = batches[s["start"]:s["start"] + s["rows"]]
    features = ref.shape[1]
    p = np.array([ks_2samp(ref[:, j], batch[:, j]).pvalue for j in range(features)])
    results.append({"alarm": bool(p.min() < alpha / features), "minP": float(p.min())})
with open(os.environ.get("OUTPUTS", "/outputs") + "/results.json", "w") as f:
    json.dump(results, f)
print(f"KS + Bonferroni on {len(results)} splits")
