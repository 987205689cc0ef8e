"""Benchmark of rendering every language edition of an issue (each rendered once per send).

Run: .venv/bin/python bench/render_editions.py [--items 15] [--repeat 15]
Prints a Markdown table: the time to render a 15-item issue in English with Spanish and
Arabic editions (wall-clock and CPU time, median), one edition alone, and each edition's HTML
size against Gmail's clipping limit. docs/benchmarks.md keeps the figures.
"""

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsletter.config import Settings  # noqa: E402
from newsletter.content import IssueContent  # noqa: E402
from newsletter.editorial.preflight import GMAIL_CLIP_BYTES  # noqa: E402
from newsletter.rendering import render_issue  # noqa: E402
from newsletter.rendering.editions import render_editions  # noqa: E402

BLURB = {
    "en": "A United Nations review of a state's human rights record, summarised by an editor in two or three "
          "sentences with the facts a reader needs. ",
    "es": "Un examen de las Naciones Unidas del historial de derechos humanos de un Estado, resumido por una "
          "editora en dos o tres frases con los datos que necesita quien lee. ",
    "ar": "مراجعة الأمم المتحدة لسجل دولة في مجال حقوق الإنسان، يلخصها محرر في جملتين أو ثلاث بالحقائق التي يحتاجها القارئ. ",
}


def sample_issue(items: int) -> IssueContent:
    """A brief of ``items`` items in English, every one translated into Spanish and Arabic."""
    return IssueContent.model_validate({
        "title": "The Weekly Brief", "date": dt.date(2026, 11, 27), "intro": "Just a quick update.",
        "editions": ["es", "ar"],
        "translations": {"es": {"title": "El Informe Semanal", "intro": "Una breve puesta al día."},
                         "ar": {"title": "النشرة الأسبوعية", "intro": "تحديث سريع."}},
        "items": [{"headline": f"Headline {n}: how states game the review system", "blurb": BLURB["en"] * 2,
                   "url": f"https://example.org/news/{n}", "source": "The Diplomat",
                   "translations": {
                       "es": {"headline": f"Titular {n}: cómo los Estados juegan con el examen",
                              "blurb": BLURB["es"] * 2, "url": f"https://example.org/es/news/{n}"},
                       "ar": {"headline": f"العنوان {n}: كيف تتلاعب الدول بنظام المراجعة", "blurb": BLURB["ar"] * 2}}}
                  for n in range(items)],
    })


def measure(fn, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``fn`` over ``repeat`` runs (after one warm-up)."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    settings = Settings()
    content = sample_issue(args.items)
    all_wall, all_cpu = measure(lambda: render_editions(content, settings), args.repeat)
    one_wall, one_cpu = measure(lambda: render_issue(content, settings), args.repeat)
    rendered = render_editions(content, settings)
    print(f"| measure ({args.items} items) | wall-clock, median | CPU, median |")
    print("|---|---|---|")
    print(f"| render all three editions (en, es, ar) | {all_wall * 1000:.1f} ms | {all_cpu * 1000:.1f} ms |")
    print(f"| render the main edition alone | {one_wall * 1000:.1f} ms | {one_cpu * 1000:.1f} ms |")
    print()
    print("| edition | HTML size | under Gmail's clipping limit |")
    print("|---|---|---|")
    for language, edition in rendered.items():
        size = len(edition.html.source.encode())
        print(f"| {language} | {size / 1000:.1f} KB | {'yes' if size < GMAIL_CLIP_BYTES else 'NO'} "
              f"({GMAIL_CLIP_BYTES // 1000} KB) |")


if __name__ == "__main__":
    main()
