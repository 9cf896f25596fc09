# The train step's image: python-ml plus the MLflow client, so the step can log into its own run.
# Built with network `host` (pip and apt reach their registries); the step itself runs on `host`
# so that the client reaches MLflow on 127.0.0.1.
FROM tidemark/python-ml:latest
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip \
 && pip install --no-cache-dir --break-system-packages "mlflow-skinny==3.17.2" \
 && rm -rf /var/lib/apt/lists/*
ENV MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
COPY contract.py train.py /app/
WORKDIR /app
