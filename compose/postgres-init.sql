-- Run by the postgres image when it makes its cluster (compose/docker-compose.yml): MLflow's
-- backend store, beside Temporal's two databases, as in the embedded stack's production profile.
CREATE DATABASE mlflow;
