# deskbot's app image: the gateway (python -m bot), the action server, the console and the
# one-shot migration. PyTorch from its CPU-only index (no CUDA libraries); the knowledge-base
# index and the embedding model's ONNX export are built into the image.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error \
    DESKBOT_SEARCH_INDEX_DIR=/srv/deskbot/kb-index \
    DESKBOT_SEARCH_ENCODER_CACHE_DIR=/srv/deskbot/encoder \
    DESKBOT_SEARCH_LIVE_INDEX_DIR=/var/lib/deskbot/kb-live-index \
    PYTHONPATH=/srv/deskbot
WORKDIR /srv/deskbot
COPY requirements/app.txt requirements/app.txt
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install -r requirements/app.txt
COPY . .
RUN python -m kb_index build --kb data/kb --out "$DESKBOT_SEARCH_INDEX_DIR"
RUN useradd --system --home /var/lib/deskbot deskbot \
 && mkdir -p /var/lib/deskbot/kb-live-index && chown -R deskbot /var/lib/deskbot
USER deskbot
CMD ["python", "-m", "bot"]
