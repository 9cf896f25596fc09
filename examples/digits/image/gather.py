"""gather: the scikit-learn digits data set (shipped with scikit-learn) to CSV."""
import pandas as pd
from sklearn.datasets import load_digits

from contract import log_metrics, output_path

digits = load_digits()
frame = pd.DataFrame(digits.data, columns=[f"px{i}" for i in range(digits.data.shape[1])])
frame["label"] = digits.target
frame.to_csv(output_path("digits.csv"), index=False)
log_metrics(rows=len(frame), features=digits.data.shape[1])
print(f"wrote {len(frame)} rows")
