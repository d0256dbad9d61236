# The Observatoire's one image: docker-compose.yml runs it as web (gunicorn), worker and beat.
FROM python:3.11-slim

# VAR_DIR holds beat's schedule and the collected static files (and SQLite, unused here).
# `pip install .` also puts a copy of the packages in site-packages; PYTHONPATH=/app keeps
# BASE_DIR at /app, where templates/, static/, locale/ and fixtures/ are.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    PYTHONPATH=/app

# A fixed uid gives files it writes in volumes a predictable owner. A home of its own:
# gunicorn puts its control socket in ~/.gunicorn/.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
       --shell /usr/sbin/nologin app

WORKDIR /app

# Pango for WeasyPrint, which prints the mission sheets' PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

# No compilers: psycopg[binary] ships its own libpq.
COPY . .
RUN pip install . \
    && rm -rf build ./*.egg-info \
    && mkdir -p "$VAR_DIR" \
    && chown app:app "$VAR_DIR"

# The code stays root-owned (read-only to the app); only var/ is writable.
USER app

# Settings refuse to start without SECRET_KEY when DEBUG is off; this throwaway key only lives
# for this command and never reaches the image's environment.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput

EXPOSE 8000

CMD ["gunicorn", "sovereignty.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--workers", "2", "--access-logfile", "-"]
