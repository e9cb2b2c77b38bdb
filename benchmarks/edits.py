"""The changes the benchmarks make to a generated site between two builds.

Each one is what an editor or a scheduled job does to a real portal: a new item,
a corrected paragraph or title, the weather box turned on, new weather readings.
Standard library only.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (sibling module, path set just above)

REPO = Path(__file__).resolve().parent.parent

WEATHER_PLACES = ("Hà Nội", "Đà Nẵng", "TP Hồ Chí Minh")
WEATHER_CONFIG = """
weather:
  provider: file
  file: data/weather.json
  locations:
    - {name: Hà Nội, lat: 21.03, lon: 105.85}
    - {name: Đà Nẵng, lat: 16.05, lon: 108.20}
    - {name: TP Hồ Chí Minh, lat: 10.78, lon: 106.70}
"""
# The benchmarks build at SOURCE_DATE_EPOCH 1700000000 (2023-11-14 22:13:20 UTC):
# the first readings are an hour old, the hourly job's are from that minute.
EARLIER_READING = "2023-11-14T21:13+00:00"
LATEST_READING = "2023-11-14T22:13+00:00"


def prepare_site(site: Path, size: int, seed: int, engine: Path = REPO) -> float:
    """Generate the corpus plus the engine's templates; return the generation time."""
    started = time.perf_counter()
    corpus.generate(site, size, seed)
    elapsed = time.perf_counter() - started
    shutil.copytree(engine / "templates", site / "templates")
    (site / "static").mkdir(exist_ok=True)
    favicon = engine / "static" / "favicon.svg"
    if favicon.is_file():
        shutil.copy2(favicon, site / "static" / favicon.name)
    return elapsed


def pick_article(site: Path) -> Path:
    """A deterministic article from the middle of the sorted list.

    The middle avoids the newest item, whose edits would touch the home page
    anyway and so hide how far an edit's effect really spreads.
    """
    articles = sorted((site / "content" / "news").rglob("*.md"))
    return articles[len(articles) // 2]


def append_paragraph(article: Path, text: str = "") -> None:
    extra = text or ("Đoạn bổ sung cho phép đo: cán bộ xã đã kiểm tra lại "
                     "toàn bộ điểm nước nguy hiểm trước mùa mưa lũ.")
    with article.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(f"\n{extra}\n")


def change_title(article: Path) -> None:
    lines = article.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines):
        if line.startswith("title:"):
            lines[index] = 'title: "Tiêu đề đã sửa cho phép đo: Đà Nẵng an toàn cho trẻ em"'
            break
    article.write_text("\n".join(lines), encoding="utf-8", newline="\n")


def add_new_item(site: Path) -> Path:
    """The next newest item (1, 2, ... on successive calls)."""
    number = 1 + sum(1 for _ in (site / "content" / "news").rglob("tin-moi-so-*.md"))
    return corpus.write_new_item(site, number)


def write_weather(site: Path, taken: str, temperature: float) -> None:
    """Readings for the `file` provider (no network), in the cache's format."""
    readings = [{"name": name, "taken": taken, "temperature": temperature, "code": 3}
                for name in WEATHER_PLACES]
    (site / "data").mkdir(exist_ok=True)
    (site / "data" / "weather.json").write_text(json.dumps({"readings": readings}), encoding="utf-8")


def turn_weather_on(site: Path) -> None:
    write_weather(site, EARLIER_READING, 27.0)
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(WEATHER_CONFIG)


def refresh_weather(site: Path) -> None:
    """What the hourly job changes, and nothing else: newer readings in the data file."""
    write_weather(site, LATEST_READING, 29.0)
