"""Benchmark of rendering every language edition of an issue (each rendered once per send).

Run: .venv/bin/python bench/render_editions.py [--items 15] [--repeat 21]
Prints a Markdown table: the time to render a 15-item issue in English with Spanish and
Arabic editions, every item translated (wall-clock and CPU time, median of interleaved runs),
as a real brief is (an image with alt text, kicker, byline, caption and credit on each item,
one featured, a call to action, the organisation's full branding) and lean (none of that);
then each edition's HTML size against Gmail's clipping limit. docs/benchmarks.md keeps the
figures.
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
from newsletter.content.branding import Branding  # noqa: E402
from newsletter.editorial.preflight import GMAIL_CLIP_BYTES  # noqa: E402
from newsletter.rendering.editions import render_editions  # noqa: E402

BLURB = {
    "en": "A United Nations review of a state's human rights record, summarised by an editor in two or three "
          "sentences with the facts a reader needs. ",
    "es": "Un examen de las Naciones Unidas del historial de derechos humanos de un Estado, resumido por una "
          "editora en dos o tres frases con los datos que necesita quien lee. ",
    "ar": "مراجعة الأمم المتحدة لسجل دولة في مجال حقوق الإنسان، يلخصها محرر في جملتين أو ثلاث بالحقائق التي يحتاجها القارئ. ",
}
SHAPES = {"kicker": "North Korea", "byline": "Benedict Rogers", "image_caption": "A guard at the embassy gate in Seoul.",
          "image_credit": "© 2016 Reuters"}
ALT = {"en": "A guard at the embassy gate", "es": "Un guardia en la puerta de la embajada", "ar": "حارس عند بوابة السفارة"}
BRANDING = Branding(organisation_name="Example Rights Watch", postal_address="1 Example Street, London",
                    logo_url="https://example.org/logo.png", logo_alt="Example Rights Watch",
                    primary_colour="#123c69", accent_colour="#9b2226",
                    footer_text="We take no money from any government.\n\nRegistered charity 1234567.",
                    social_links=[{"label": name, "url": f"https://{name.lower()}.example/@erw"}
                                  for name in ("Mastodon", "Bluesky", "YouTube")])


def sample_issue(items: int, *, realistic: bool) -> IssueContent:
    """A brief of ``items`` items in English, every one translated into Spanish and Arabic;
    ``realistic``: each with an image and every shape, the first featured, and a call to action."""
    def image(n: int, language: str) -> dict[str, str]:
        return {"image": f"https://example.org/photos/{n}.jpg", "image_alt": ALT[language]} if realistic else {}

    return IssueContent.model_validate({
        "title": "The Weekly Brief", "date": dt.date(2026, 11, 27), "intro": "Just a quick update.",
        "editions": ["es", "ar"],
        "translations": {"es": {"title": "El Informe Semanal", "intro": "Una breve puesta al día."},
                         "ar": {"title": "النشرة الأسبوعية", "intro": "تحديث سريع."}},
        "items": [{"headline": f"Headline {n}: how states game the review system", "blurb": BLURB["en"] * 2,
                   "url": f"https://example.org/news/{n}", "source": "The Diplomat", **image(n, "en"),
                   **({**SHAPES, "featured": n == 0} if realistic else {}),
                   "translations": {
                       "es": {"headline": f"Titular {n}: cómo los Estados juegan con el examen",
                              "blurb": BLURB["es"] * 2, "url": f"https://example.org/es/news/{n}",
                              **({"image_alt": ALT["es"]} if realistic else {})},
                       "ar": {"headline": f"العنوان {n}: كيف تتلاعب الدول بنظام المراجعة", "blurb": BLURB["ar"] * 2,
                              **({"image_alt": ALT["ar"]} if realistic else {})}}}
                  for n in range(items)],
        **({"call_to_action": {"text": "Your tax deductible gift can help stop human rights violations.",
                               "button": "Donate", "url": "https://example.org/give"}} if realistic else {}),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    cases = {"realistic: images, every shape, a call to action, full branding":
             (sample_issue(args.items, realistic=True), BRANDING),
             "lean: no images, no shapes, the settings' branding": (sample_issue(args.items, realistic=False), None)}
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for content, branding in cases.values():
        render_editions(content, settings, branding=branding)  # warm the template and CSS caches
    for _ in range(args.repeat):  # interleaved, so a busy moment of the machine weighs on both alike
        for name, (content, branding) in cases.items():
            w, c = time.perf_counter(), time.process_time()
            render_editions(content, settings, branding=branding)
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    print(f"| all three editions (en, es, ar), {args.items} items | wall-clock, median | CPU, median |")
    print("|---|---|---|")
    for name in cases:
        print(f"| {name} | {statistics.median(wall[name]) * 1000:.1f} ms | {statistics.median(cpu[name]) * 1000:.1f} ms |")
    print()
    print(f"| issue | edition | HTML size | under Gmail's clipping limit ({GMAIL_CLIP_BYTES // 1000} KB) |")
    print("|---|---|---|---|")
    for name, (content, branding) in cases.items():
        for language, edition in render_editions(content, settings, branding=branding).items():
            size = len(edition.html.source.encode())
            print(f"| {name.split(':')[0]} | {language} | {size / 1000:.1f} KB | "
                  f"{'yes' if size < GMAIL_CLIP_BYTES else 'NO'}, {size / GMAIL_CLIP_BYTES:.0%} |")


if __name__ == "__main__":
    main()
