"""preprocess: split and scale to .npy files."""
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from contract import input_path, log_metrics, output_path, params

p = params()
frame = pd.read_csv(input_path("digits"))
X = frame.drop(columns=["label"]).to_numpy(dtype=np.float32)
y = frame["label"].to_numpy(dtype=np.int64)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=float(p.get("test_size", 0.25)), random_state=int(p.get("seed", 0)), stratify=y
)
scaler = StandardScaler().fit(X_train)
for name, array in {
    "X_train": scaler.transform(X_train).astype(np.float32),
    "X_test": scaler.transform(X_test).astype(np.float32),
    "y_train": y_train,
    "y_test": y_test,
}.items():
    np.save(output_path(f"splits/{name}.npy"), array)
log_metrics(train_rows=len(y_train), test_rows=len(y_test))
print(f"train {len(y_train)} rows, test {len(y_test)} rows")
