# deskbot's Rasa image: Rasa 3.6 on Python 3.11 (as scripts/bootstrap.sh installs it) with
# deskbot's NLU components, and the model trained at build time. Rasa's own stack runs on
# TensorFlow's CPU build; deskbot's NLU needs no PyTorch (its encoder runs in ONNX Runtime).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    RASA_TELEMETRY_ENABLED=false HF_HUB_OFFLINE=1 PYTHONPATH=/srv/deskbot
WORKDIR /srv/deskbot
COPY requirements/rasa.txt requirements/rasa-core.txt requirements/
RUN pip install -r requirements/rasa.txt \
 && pip install --no-deps --ignore-requires-python -r requirements/rasa-core.txt
COPY nlu nlu
COPY nlu_features nlu_features
COPY dialogue dialogue
COPY launcher launcher
RUN cd nlu && rasa train --fixed-model-name deskbot --out /srv/deskbot/models
RUN useradd --system deskbot
USER deskbot
WORKDIR /srv/deskbot/nlu
CMD ["python", "-m", "launcher.rasa_server", "run", "--enable-api", "--interface", "0.0.0.0", \
     "--port", "5005", "--model", "/srv/deskbot/models/deskbot.tar.gz", \
     "--endpoints", "endpoints-cluster.yml", "--credentials", "credentials.yml"]
