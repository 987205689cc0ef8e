"""Benchmark of the subscriber import: a generated CSV of N rows into a fresh database.

Run: .venv/bin/python bench/import_subscribers.py [--rows N] [--database-url URL]
The default database is SQLite in a temporary folder; pass a PostgreSQL URL to measure that
(the benchmark creates and drops its own tables there: use a scratch database).
One row in 200 is invalid, one in 500 is a duplicate, as real lists have.
"""

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsletter.db import get_engine, transaction, upgrade_database  # noqa: E402
from newsletter.db.models import Base  # noqa: E402
from newsletter.subscribers import create_list, import_subscribers  # noqa: E402


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("email,name,language,city\n")
        for n in range(rows):
            if n % 200 == 199:
                handle.write(f"broken-address-{n},Broken,en,Nowhere\n")
            elif n % 500 == 499:
                handle.write(f"Reader{n - 1}@Example.org,Duplicate,en,Lisbon\n")
            else:
                handle.write(f"reader{n}@example.org,Reader {n},en,Lisbon\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        if args.database_url:  # a scratch PostgreSQL: start from empty tables
            with get_engine(url).begin() as connection:
                Base.metadata.drop_all(connection)
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade_database(url)
        with transaction(url) as session:
            create_list(session=session, name="weekly")
        csv_path = folder / "people.csv"
        write_csv(csv_path, args.rows)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        report = import_subscribers(database_url=url, path=csv_path, list_name="weekly", confirmed=True)
        seconds = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    database = url.split(":", 1)[0]
    print("| measure | result |\n|---|---|")
    print(f"| rows imported into {database} ({report.accepted:,} valid, {report.rejected_count:,} rejected) "
          f"| {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s) |")
    print(f"| peak memory: before the import, after it | {rss_before / 1024:.0f} MiB, {rss_after / 1024:.0f} MiB |")


if __name__ == "__main__":
    main()
