"""Exports scikit-learn's bundled data sets (no network) for the checker tests and the evaluation.

Runs in tidemark/python-ml. Writes to /outputs:
  digits.npy         float32 [1797, 64]      pixel values 0..16
  digits_images.npy  float32 [1797, 1, 8, 8] the same rows as images
  digits_rot30.npy   float32 [1797, 64]      every digit rotated by 30 degrees
  digits_labels.npy  float32 [1797, 1]       the digit classes
  digits.csv         64 pixel columns p0..p63 and a label column
  iris.csv           4 measurements and species (text)
  wine.csv           13 measurements and class
  breast_cancer.csv  30 measurements of cell nuclei (heavy-tailed) and diagnosis (malignant, benign)
  diabetes.csv       10 standardized measurements and progression (the target in tertiles: low, mid, high)
"""
import csv
import os

import numpy as np
from scipy import ndimage
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine

out = os.environ.get("OUTPUTS", "/outputs")


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


digits = load_digits()
x = digits.data.astype(np.float32)
np.save(f"{out}/digits.npy", x)
np.save(f"{out}/digits_images.npy", x.reshape(-1, 1, 8, 8))
rotated = np.stack([ndimage.rotate(img, 30, reshape=False, order=1, mode="constant") for img in x.reshape(-1, 8, 8)])
np.save(f"{out}/digits_rot30.npy", np.clip(rotated, 0, 16).reshape(-1, 64).astype(np.float32))
np.save(f"{out}/digits_labels.npy", digits.target.astype(np.float32).reshape(-1, 1))
write_csv(f"{out}/digits.csv", [f"p{i}" for i in range(64)] + ["label"],
          [[f"{v:g}" for v in row] + [int(t)] for row, t in zip(x, digits.target)])

iris = load_iris()
write_csv(f"{out}/iris.csv", ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"],
          [[f"{v:g}" for v in row] + [iris.target_names[t]] for row, t in zip(iris.data, iris.target)])

wine = load_wine()
write_csv(f"{out}/wine.csv", list(wine.feature_names) + ["class"],
          [[f"{v:g}" for v in row] + [int(t)] for row, t in zip(wine.data, wine.target)])
cancer = load_breast_cancer()
write_csv(f"{out}/breast_cancer.csv", [n.replace(" ", "_") for n in cancer.feature_names] + ["diagnosis"],
          [[f"{v:.6g}" for v in row] + [cancer.target_names[t]] for row, t in zip(cancer.data, cancer.target)])

diabetes = load_diabetes()
cuts = np.quantile(diabetes.target, [1 / 3, 2 / 3])
tertile = np.digitize(diabetes.target, cuts)
write_csv(f"{out}/diabetes.csv", list(diabetes.feature_names) + ["progression"],
          [[f"{v:.6g}" for v in row] + [["low", "mid", "high"][t]] for row, t in zip(diabetes.data, tertile)])
print("exported digits, iris, wine, breast_cancer and diabetes to", out)
