"""Reading /metrics as a test would: every sample by name and labels."""

import httpx
from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, frozenset of label pairs): value} of a /metrics answer."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict[tuple[str, frozenset], float], name: str, **labels: str) -> float | None:
    """One sample's value; None if it is absent."""
    return found.get((name, frozenset(labels.items())))


def scrape(base_url: str, token: str) -> dict[tuple[str, frozenset], float]:
    """GET /metrics with the token, parsed."""
    response = httpx.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return samples(response.text)
