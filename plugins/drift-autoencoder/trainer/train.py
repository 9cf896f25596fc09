"""Trains a reference autoencoder for the drift-autoencoder checker and exports it to ONNX.

Tabular rows (2-D data) get a denoising dense autoencoder; images ([N, C, H, W]) a small
convolutional one. Input scaling is part of the exported model: it takes raw values and returns
raw reconstructions. A share of the rows is held out; their reconstruction errors are written as
the reference errors (errors on training rows would be optimistically low).

params.json (all optional):
  kind           "auto" | "dense" | "conv"   (auto: conv for 4-D arrays, dense otherwise)
  epochs         200
  batch_size     64
  lr             0.002
  noise          0.2     std of the Gaussian noise added to (scaled) inputs while training
  bottleneck     max(2, features // 6)
  hidden         max(16, features // 2)
  validation     0.2     share of rows held out for the reference errors
  seed           0
  columns        CSV: the numeric columns to use (default: all numeric columns)
  drop           CSV: columns to leave out (e.g. a label)
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn

INPUTS = os.environ.get("INPUTS", "/inputs")
OUTPUTS = os.environ.get("OUTPUTS", "/outputs")


def load_params():
    path = os.path.join(INPUTS, "params.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {}


def load_train(params):
    path = os.path.join(INPUTS, "train")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic == b"\x93NUMPY":
        return np.load(path).astype(np.float32), None
    import pandas as pd

    df = pd.read_csv(path)
    df = df.drop(columns=[c for c in params.get("drop", []) if c in df.columns])
    cols = params.get("columns") or [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    return df[cols].to_numpy(dtype=np.float32), cols


class Scaled(nn.Module):
    """Wraps a network so that it takes and returns raw values."""

    def __init__(self, net, shift, scale):
        super().__init__()
        self.net = net
        self.register_buffer("shift", torch.as_tensor(shift))
        self.register_buffer("scale", torch.as_tensor(scale))

    def forward(self, x):
        return self.net((x - self.shift) / self.scale) * self.scale + self.shift


def dense_net(features, hidden, bottleneck):
    return nn.Sequential(
        nn.Linear(features, hidden), nn.ReLU(),
        nn.Linear(hidden, bottleneck), nn.ReLU(),
        nn.Linear(bottleneck, hidden), nn.ReLU(),
        nn.Linear(hidden, features),
    )


def conv_net(channels, height, width):
    stride = 2 if height % 2 == 0 and width % 2 == 0 else 1
    return nn.Sequential(
        nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 8, 3, stride=stride, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(8, 16, 3, stride=stride, padding=1, output_padding=stride - 1), nn.ReLU(),
        nn.Conv2d(16, channels, 3, padding=1),
    )


def main():
    params = load_params()
    torch.manual_seed(int(params.get("seed", 0)))
    rng = np.random.default_rng(int(params.get("seed", 0)))
    x, columns = load_train(params)
    if x.ndim < 2 or len(x) < 10:
        sys.exit(f"need at least 10 rows of 2-D or N-D data, got shape {x.shape}")
    kind = params.get("kind", "auto")
    if kind == "auto":
        kind = "conv" if x.ndim == 4 else "dense"
    if kind == "conv" and x.ndim != 4:
        sys.exit(f"conv needs [N, C, H, W] images, got shape {x.shape}")
    if kind == "dense":
        x = x.reshape(len(x), -1)
        shift = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-6] = 1.0
        features = x.shape[1]
        net = dense_net(features, int(params.get("hidden", max(16, features // 2))), int(params.get("bottleneck", max(2, features // 6))))
    else:
        # One shift and scale for all pixels keeps the images' geometry.
        shift = np.float32(0.0)
        scale = np.float32(max(float(np.abs(x).max()), 1e-6))
        net = conv_net(x.shape[1], x.shape[2], x.shape[3])
    model = Scaled(net, np.asarray(shift, dtype=np.float32), np.asarray(scale, dtype=np.float32))

    order = rng.permutation(len(x))
    n_val = max(1, int(len(x) * float(params.get("validation", 0.2))))
    val, train = x[order[:n_val]], x[order[n_val:]]
    train_t = torch.from_numpy(train)
    val_t = torch.from_numpy(val)
    opt = torch.optim.Adam(model.parameters(), lr=float(params.get("lr", 0.002)))
    noise = float(params.get("noise", 0.2))
    epochs = int(params.get("epochs", 200))
    batch = int(params.get("batch_size", 64))
    scale_t = model.scale

    def loss_of(inp, target):
        return (((model(inp) - target) / scale_t) ** 2).mean()

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(train_t))
        total = 0.0
        for i in range(0, len(perm), batch):
            xb = train_t[perm[i:i + batch]]
            noisy = xb + torch.randn_like(xb) * noise * scale_t
            loss = loss_of(noisy, xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(xb)
        if epoch % 50 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch}: train loss {total / len(train_t):.5f}", flush=True)

    model.eval()
    with torch.no_grad():
        rec = model(val_t)
        errors = (((rec - val_t) / scale_t) ** 2).reshape(len(val_t), -1).mean(dim=1).numpy()
        train_loss = float(loss_of(train_t, train_t))
    os.makedirs(OUTPUTS, exist_ok=True)
    dummy = torch.from_numpy(x[:2])
    torch.onnx.export(model, dummy, os.path.join(OUTPUTS, "model.onnx"), input_names=["input"], output_names=["reconstruction"],
                      dynamic_axes={"input": {0: "batch"}, "reconstruction": {0: "batch"}}, opset_version=13)
    np.save(os.path.join(OUTPUTS, "reference_errors.npy"), errors.astype(np.float64))
    metrics = {"train_loss": train_loss, "validation_loss": float(errors.mean()), "validation_error_p99": float(np.quantile(errors, 0.99)),
               "rows": int(len(x)), "epochs": epochs}
    with open(os.path.join(OUTPUTS, "metrics.json"), "w") as f:
        json.dump(metrics, f)
    print(json.dumps({"kind": kind, "columns": columns, **metrics}))


if __name__ == "__main__":
    main()
