# One image for every role: web, worker, beat and one-off commands (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY newsletter ./newsletter
COPY workers ./workers
COPY templates ./templates
# The versions the tests ran with (constraints.txt, from scripts/lock), not whatever is newest today.
RUN pip install --no-cache-dir --constraint constraints.txt --editable . && useradd --create-home newsletter
USER newsletter
CMD ["newsletter", "--help"]
