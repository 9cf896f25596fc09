"""prepare: scikit-learn digits split for an active-learning run under a distribution shift.

The classifier starts from a small labeled set of upright digits 0-8. The unlabeled pool it is
deployed on is mostly more of the same, plus a shifted minority: digits 0-8 turned by 90
degrees (`shift: rotated`), the unseen digit 9 (`shift: unseen-9`), or half of each (`both`).
The held-out test set has the pool's mix. Every source image is used once: no row of the test
set or the reference is a copy (or a rotation) of a pool or labeled row.

params.json (all optional): seed 0, shift "rotated", labeled 200, pool_upright 600,
pool_shifted 120, test_upright 300, test_shifted 60, reference 150 (held-out upright 0-8
without labels: what the autoencoder's threshold is taken from).

Outputs: labeled.csv (p0..p63,label), pool.csv (id,p0..p63), truth.csv (id,label,kind: the
scripted labeler's answers), test.csv (p0..p63,label,kind), reference.csv (p0..p63).
"""
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits

from step import metrics, output, params

p = params()
seed = int(p.get("seed", 0))
shift = p.get("shift", "rotated")
if shift not in ("rotated", "unseen-9", "both"):
    raise SystemExit(f'shift must be "rotated", "unseen-9" or "both", not {shift!r}')
n = {k: int(p.get(k, v)) for k, v in {
    "labeled": 200, "pool_upright": 600, "pool_shifted": 120, "test_upright": 300, "test_shifted": 60, "reference": 150,
}.items()}
share_9 = {"rotated": 0.0, "unseen-9": 1.0, "both": 0.5}[shift]

digits = load_digits()
images, target = digits.images, digits.target
rng = np.random.default_rng(seed)
known = rng.permutation(np.flatnonzero(target != 9))
nines = rng.permutation(np.flatnonzero(target == 9))


def take(source, count, what):
    if count > len(source):
        raise SystemExit(f"asked for {count} {what}, only {len(source)} left")
    return source[:count], source[count:]


pool_nines, test_nines = round(n["pool_shifted"] * share_9), round(n["test_shifted"] * share_9)
labeled_idx, known = take(known, n["labeled"], "upright 0-8 for the labeled set")
pool_in, known = take(known, n["pool_upright"], "upright 0-8 for the pool")
pool_rot, known = take(known, n["pool_shifted"] - pool_nines, "0-8 to rotate for the pool")
test_in, known = take(known, n["test_upright"], "upright 0-8 for the test set")
test_rot, known = take(known, n["test_shifted"] - test_nines, "0-8 to rotate for the test set")
reference_idx, known = take(known, n["reference"], "upright 0-8 for the reference")
pool_nine, nines = take(nines, pool_nines, "9s for the pool")
test_nine, nines = take(nines, test_nines, "9s for the test set")

PIXELS = [f"p{i}" for i in range(64)]


def rows(idx, kind):
    pictures = images[idx]
    if kind == "rotated":
        pictures = np.rot90(pictures, k=1, axes=(1, 2))
    frame = pd.DataFrame(pictures.reshape(len(idx), 64).astype(int), columns=PIXELS)
    frame["label"] = target[idx]
    frame["kind"] = kind
    return frame


def mix(parts):
    frame = pd.concat(parts, ignore_index=True)
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


labeled = rows(labeled_idx, "upright")
labeled[PIXELS + ["label"]].to_csv(output("labeled.csv"), index=False)

pool = mix([rows(pool_in, "upright"), rows(pool_nine, "unseen-9"), rows(pool_rot, "rotated")])
pool.insert(0, "id", [f"s{i:04d}" for i in range(len(pool))])
pool[["id"] + PIXELS].to_csv(output("pool.csv"), index=False)
pool[["id", "label", "kind"]].to_csv(output("truth.csv"), index=False)

test = mix([rows(test_in, "upright"), rows(test_nine, "unseen-9"), rows(test_rot, "rotated")])
test[PIXELS + ["label", "kind"]].to_csv(output("test.csv"), index=False)
rows(reference_idx, "upright")[PIXELS].to_csv(output("reference.csv"), index=False)

shifted = int((pool["kind"] != "upright").sum())
metrics(labeled=len(labeled), pool=len(pool), pool_shifted=shifted, test=len(test), reference=len(reference_idx))
print(f"shift {shift}: labeled {len(labeled)} (upright 0-8), pool {len(pool)} ({shifted} shifted: {len(pool_nine)} unseen 9s, "
      f"{len(pool_rot)} rotated), test {len(test)}, reference {len(reference_idx)}")
