"""A local HTTP server that speaks SendGrid's v3 POST /v3/mail/send, with fault injection.

It checks what SendGrid checks (the API key, at most 1000 personalizations and recipients,
an address once per request, text/plain before text/html, string custom_args and their
size, substitution size, a real boolean for sandbox mode, ...) and answers 400 with
SendGrid's error format when a request breaks a rule. Faults are scripted (``script``, one
per request, in order) or drawn at random (``fault_rates``):

    "400" "401" "403" "413" (an HTML body, as SendGrid's front end sends) "429" (with
    X-RateLimit-Reset one second on) "500" (not accepted) "slow:SECONDS" (then accepted)
    "drop" (accepted, then the connection is closed with no answer)

Accepted requests are recorded; ``accepted_deliveries()`` counts every delivery id it took,
which is how tests check "exactly once". With ``webhook_url`` and a signing key it posts
signed "processed" events for every accepted message, as the Event Webhook would.

Run alone for benchmarks: ``python -m tests.fakes.sendgrid --port 8025``.
"""

import argparse
import base64
import collections
import json
import random
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

API_KEY = "SG.fake-key"
MAX_PERSONALIZATIONS = 1000
MAX_SUBSTITUTIONS_BYTES = 10_000
MAX_CUSTOM_ARGS_BYTES = 10_000


class FakeSendGrid:
    """The server; ``start()`` it, point NEWSLETTER_SENDGRID_API_URL at ``url``, ``stop()`` it."""

    def __init__(self, *, api_key: str = API_KEY, script: list[str] | None = None,
                 fault_rates: dict[str, float] | None = None, seed: int = 0,
                 webhook_url: str | None = None, port: int = 0):
        self.api_key = api_key
        self.script = collections.deque(script or [])
        self.fault_rates = fault_rates or {}
        self.random = random.Random(seed)
        self.webhook_url = webhook_url
        self.signing_key = ec.generate_private_key(ec.SECP256R1())
        self.lock = threading.Lock()
        # Raw bodies and counted ids, not parsed bodies: a million-recipient benchmark would
        # otherwise keep millions of dicts for the garbage collector to walk, on its CPU.
        self._bodies: list[bytes] = []
        self._deliveries: collections.Counter[int] = collections.Counter()
        self.answers: collections.Counter[str] = collections.Counter()  # status (or "drop") -> count
        self.server = _Server(("127.0.0.1", port), _handler(self))
        self._events: list[bytes] = []
        self._events_ready = threading.Condition()

    @property
    def url(self) -> str:
        """The base URL to give the client (NEWSLETTER_SENDGRID_API_URL)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def public_key(self) -> str:
        """The webhook verification key, as SendGrid shows it (the base64 inside the PEM)."""
        pem = self.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        return "".join(line for line in pem.splitlines() if "PUBLIC KEY" not in line)

    def start(self) -> "FakeSendGrid":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        if self.webhook_url:
            threading.Thread(target=self._post_events, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def accepted(self) -> list[dict]:
        """The accepted request bodies, in order."""
        with self.lock:
            return [json.loads(body) for body in self._bodies]

    def accepted_deliveries(self) -> collections.Counter[int]:
        """How many times each delivery id was accepted."""
        with self.lock:
            return collections.Counter(self._deliveries)

    def sign(self, payload: bytes, timestamp: str) -> str:
        """The signature header SendGrid would send with ``payload``."""
        signature = self.signing_key.sign(timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(signature).decode()

    def next_fault(self) -> str | None:
        with self.lock:
            if self.script:
                return self.script.popleft()
            roll = self.random.random()
        for fault, rate in self.fault_rates.items():
            if roll < rate:
                return fault
            roll -= rate
        return None

    def record(self, raw: bytes, body: dict, message_id: str) -> None:
        ids = [int(p["custom_args"]["nl_delivery"]) for p in body["personalizations"] if "nl_delivery" in p.get("custom_args", {})]
        with self.lock:
            self._bodies.append(raw)
            self._deliveries.update(ids)
        if self.webhook_url:
            now = int(time.time())
            events = [
                {"event": "processed", "email": p["to"][0]["email"], "timestamp": now,
                 "sg_event_id": uuid.uuid4().hex, "sg_message_id": f"{message_id}.filter0001.{i}",
                 **p.get("custom_args", {})}
                for i, p in enumerate(body["personalizations"])
            ]
            with self._events_ready:
                self._events.append(json.dumps(events).encode())
                self._events_ready.notify()

    def _post_events(self) -> None:
        while True:
            with self._events_ready:
                while not self._events:
                    self._events_ready.wait()
                payload = self._events.pop(0)
            timestamp = str(int(time.time()))
            request = urllib.request.Request(self.webhook_url, data=payload, method="POST", headers={
                "Content-Type": "application/json",
                "X-Twilio-Email-Event-Webhook-Signature": self.sign(payload, timestamp),
                "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
            })
            try:
                urllib.request.urlopen(request, timeout=10).read()
            except OSError:  # SendGrid retries failed deliveries later; so do we
                time.sleep(0.5)
                with self._events_ready:
                    self._events.append(payload)


class _Server(ThreadingHTTPServer):
    # Workers open many kept-alive connections at once: with the default backlog of 5, one of
    # them was dropped under its first request (an ambiguous batch in the million-recipient
    # benchmark; an overflowing backlog is the likely cause).
    request_queue_size = 128
    daemon_threads = True


def validate(body: object) -> list[dict]:
    """SendGrid's checks of a mail/send body; a list of its errors (empty when valid)."""
    errors = []

    def error(field: str, message: str) -> None:
        errors.append({"field": field, "message": message, "help": None})

    if not isinstance(body, dict):
        return [{"field": None, "message": "Bad Request", "help": None}]
    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        error("personalizations", "The personalization block is required.")
        personalizations = []
    if len(personalizations) > MAX_PERSONALIZATIONS:
        error("personalizations", "The personalizations field cannot have more than 1000 objects.")
    seen: set[str] = set()
    for i, p in enumerate(personalizations):
        field = f"personalizations.{i}"
        to = p.get("to") if isinstance(p, dict) else None
        if not isinstance(to, list) or not to:
            error(f"{field}.to", "The to array is required for all personalization objects.")
            continue
        for recipient in to:
            address = recipient.get("email") if isinstance(recipient, dict) else None
            if not isinstance(address, str) or "@" not in address:
                error(f"{field}.to", "Does not contain a valid address.")
            elif address.lower() in seen:
                error(f"{field}.to", "Each email address in the personalization block should be unique.")
            else:
                seen.add(address.lower())
        for name in ("substitutions", "custom_args", "headers"):
            values = p.get(name, {})
            if not isinstance(values, dict) or not set(map(type, values.values())) <= {str}:
                error(f"{field}.{name}", f"{name} values must be strings.")
        if _json_size(p.get("substitutions", {}), MAX_SUBSTITUTIONS_BYTES) > MAX_SUBSTITUTIONS_BYTES:
            error(f"{field}.substitutions", "Substitutions may not exceed 10,000 bytes per personalization.")
        if _json_size(p.get("custom_args", {}), MAX_CUSTOM_ARGS_BYTES) > MAX_CUSTOM_ARGS_BYTES:
            error(f"{field}.custom_args", "Custom arguments may not exceed 10,000 bytes.")
    if len(seen) > MAX_PERSONALIZATIONS:
        error("personalizations", "The total number of recipients must be no more than 1000.")
    sender = body.get("from")
    if not isinstance(sender, dict) or "@" not in str(sender.get("email", "")):
        error("from.email", "The from object must be provided for every email send.")
    if not isinstance(body.get("subject"), str) or not body["subject"]:
        error("subject", "The subject is required.")
    content = body.get("content")
    if not isinstance(content, list) or not content:
        error("content", "Unless a valid template_id is provided, the content parameter is required.")
    else:
        types = [c.get("type") for c in content]
        if "text/plain" in types and types.index("text/plain") != 0:
            error("content", "If present, text/plain must be first, followed by any other content.")
        if not all(isinstance(c.get("value"), str) and c["value"] for c in content):
            error("content.value", "Content values must be non-empty strings.")
    sandbox = body.get("mail_settings", {}).get("sandbox_mode", {}).get("enable", False)
    if not isinstance(sandbox, bool):
        error("mail_settings.sandbox_mode.enable", "The sandbox_mode enable parameter must be a boolean.")
    return errors


def _json_size(values: object, limit: int) -> int:
    """The size of ``values`` as JSON, or a bound below ``limit`` when it is surely under it."""
    if isinstance(values, dict) and set(map(type, values.values())) <= {str}:
        chars = sum(map(len, values)) + sum(map(len, values.values())) + 6 * len(values) + 2
        if chars * 6 < limit:  # no character takes more than six bytes in JSON
            return chars
    return len(json.dumps(values).encode())


def _handler(fake: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != "/v3/mail/send":
                return self.answer(404, {"errors": [{"message": "not found"}]})
            if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                return self.answer(401, {"errors": [{"field": None, "message": "The provided authorization grant is invalid, expired, or revoked"}]})
            if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
                return self.answer(415, {"errors": [{"field": None, "message": "Content-Type should be application/json."}]})
            try:
                payload = orjson.loads(body)
            except ValueError:
                return self.answer(400, {"errors": [{"field": None, "message": "Bad Request"}]})
            errors = validate(payload)
            if errors:
                return self.answer(400, {"errors": errors})
            fault = fake.next_fault()
            if fault and fault.startswith("slow:"):
                time.sleep(float(fault.partition(":")[2]))
                fault = None
            if fault == "drop":
                fake.record(body, payload, uuid.uuid4().hex[:22])
                self.close_connection = True
                with fake.lock:
                    fake.answers["drop"] += 1
                return None
            if fault == "413":
                return self.answer(413, b"<html><body><h1>413 Request Entity Too Large</h1></body></html>", "text/html")
            if fault == "429":
                return self.answer(429, {"errors": [{"field": None, "message": "too many requests"}]},
                                   headers={"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0",
                                            "X-RateLimit-Reset": str(int(time.time()) + 1)})
            if fault in ("400", "401", "403", "500"):
                return self.answer(int(fault), {"errors": [{"field": None, "message": f"injected {fault}"}]})
            message_id = uuid.uuid4().hex[:22]
            fake.record(body, payload, message_id)
            sandbox = payload.get("mail_settings", {}).get("sandbox_mode", {}).get("enable", False)
            return self.answer(200 if sandbox else 202, None, headers={"X-Message-Id": message_id})

        def answer(self, status: int, body: object, content_type: str = "application/json",
                   headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
            with fake.lock:
                fake.answers[str(status)] += 1
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    fake = FakeSendGrid(port=args.port).start()
    print(f"fake SendGrid at {fake.url} (API key {API_KEY})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
