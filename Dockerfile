# One image for both servers (the command picks which). Not built on the project's
# build machines (they have no Docker engine); see README "Scale-out".
# The browser's socket.io client for the widget page, from the npm registry (scripts/vendor_web.sh).
FROM node:20-bookworm-slim AS web
WORKDIR /w
COPY scripts/vendor_web.sh scripts/
RUN bash scripts/vendor_web.sh

FROM python:3.10.13-slim-bookworm
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PYTHONPATH=/app BOT_DATA_DIR=/data
# The CJK font the police-report PDF is set in (bot/services/packet_pdf.py).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir pip==24.0 \
 && pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
COPY --from=web /w/bot/web/vendor/ bot/web/vendor/
RUN python -m bot train
EXPOSE 5005 5055
CMD ["python", "-m", "bot", "serve"]
