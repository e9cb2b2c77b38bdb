"""The fast related-items ranking (collection._related) ranks exactly as the plain one
it replaced: same items, same order, ties broken the same way. The plain algorithm is
written out here as the reference; corpora mix shared tags, equal dates, tag spellings
that share a slug, dates in zones whose offset changed and with and without offsets.

And walk_folder, rewritten on os.scandir, still finds the files in the order of
`sorted(folder.rglob("*"))` (the attacks on it are in test_attack_paths.py)."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from portal.site import collection
from portal.site.collection import RELATED_WINDOW
from portal.models import NewsItem, Term, group_by_term
from portal.paths import walk_folder

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")  # +08:00 before 1975, +07:00 since
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")  # summer time: its offset changes twice a year
TAG_NAMES = ("Trẻ em", "trẻ em", "Gia đình", "Học đường", "Y tế", "Pháp luật", "Đuối nước")


def reference_related(news: list, tags: tuple, count: int) -> dict:
    """The ranking as it was written before it was made fast."""
    position = {slug: {item.url: i for i, item in enumerate(listing.items)}
                for slug, listing in ((l.term.slug, l) for l in tags)}
    by_slug = {listing.term.slug: listing.items for listing in tags}
    related = {}
    for item in news:
        shared: dict[str, int] = defaultdict(int)
        candidates: dict[str, NewsItem] = {}
        for tag in item.tags:
            items, at = by_slug[tag.slug], position[tag.slug][item.url]
            for other in items[max(0, at - RELATED_WINDOW):at + RELATED_WINDOW + 1]:
                if other.url != item.url:
                    shared[other.url] += 1
                    candidates[other.url] = other
        ranked = sorted(candidates.values(), key=lambda o: (
            -shared[o.url], abs((o.date - item.date).total_seconds()), o.url))
        related[item.url] = tuple(ranked[:count])
    return related


def reference_neighbours(categories: tuple, count: int) -> tuple[dict, dict]:
    newer, older = {}, {}
    for listing in categories:
        items = listing.items
        for index, item in enumerate(items):
            newer[item.url] = tuple(reversed(items[max(0, index - count):index]))
            older[item.url] = items[index + 1:index + 1 + count]
    return newer, older


def term(name: str, kind: str) -> Term:
    slug = name.lower().replace(" ", "-")  # "Trẻ em" and "trẻ em" share a slug, as in a portal
    return Term(name, slug, f"{kind}/{slug}/")


def news_item(number: int, url: str, date: dt.datetime, category: str, tags: list[str]) -> NewsItem:
    return NewsItem(path=f"content/news/{number}.md", title=f"Tin {number}", date=date,
                    category=term(category, "chuyen-muc"), tags=tuple(term(t, "the") for t in tags),
                    slug=url.strip("/"), url=url, body="", digest=str(number))


def assert_same_ranking(items: list[NewsItem], count: int) -> None:
    news = sorted(items, key=collection._newest_first)  # as collect() orders them
    tags = group_by_term(news, lambda item: item.tags)
    categories = group_by_term(news, lambda item: (item.category,))
    fast, plain = collection._related(news, tags, count), reference_related(news, tags, count)
    assert fast.keys() == plain.keys()
    for url in plain:
        assert [id(o) for o in fast[url]] == [id(o) for o in plain[url]], url
    assert collection._neighbours(categories, count) == reference_neighbours(categories, count)


def fast_path_taken(items: list[NewsItem]) -> bool:
    """Whether `_related` ranks these without falling back to the pair-by-pair ranking."""
    news = sorted(items, key=collection._newest_first)
    return collection._TagPlaces.of(news, group_by_term(news, lambda i: i.tags)) is not None


def seeded_corpus(seed: int, size: int, zones: list, tag_names=TAG_NAMES[1:]) -> list[NewsItem]:
    """A portal's worth of items: long tag lists (beyond the window), many equal dates."""
    rng = random.Random(seed)
    start = dt.datetime(2016, 1, 1, 7, 30)
    items = []
    for number in range(size):
        date = (start + dt.timedelta(hours=rng.randrange(0, 24 * 400, 6))).replace(
            tzinfo=rng.choice(zones))
        tags = rng.sample(tag_names, rng.choice((0, 1, 2, 3, 3, 4)))
        url = f"tin-tuc/{rng.randrange(10 ** 6):06d}-{number}/"  # URL order is not date order
        items.append(news_item(number, url, date, rng.choice(("Tin tức", "Sự kiện")), tags))
    return items


def test_seeded_portal_ranks_the_same_on_the_fast_path():
    zones = [HANOI]  # naive dates read in the portal's zone: one tzinfo object
    items = seeded_corpus(11, 600, zones)
    assert fast_path_taken(items)
    for count in (1, 5, 12):
        assert_same_ranking(items, count)


def test_seeded_portal_with_written_offsets_ranks_the_same_on_the_fast_path():
    # "+07:00" written in front matter: a new tzinfo object per date, next to naive dates
    zones = [HANOI, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=7)),
             dt.timezone(dt.timedelta(hours=9))]
    items = seeded_corpus(12, 600, zones)
    assert fast_path_taken(items)
    assert_same_ranking(items, 5)


def test_spellings_sharing_a_slug_and_zones_changing_offset_rank_the_same():
    # these take the pair-by-pair path; the answer must not depend on which path ran
    items = seeded_corpus(13, 300, [HANOI], tag_names=TAG_NAMES)
    assert_same_ranking(items, 5)
    items = seeded_corpus(14, 300, [BERLIN, dt.timezone.utc])
    assert not fast_path_taken(items)
    assert_same_ranking(items, 5)


def test_items_sharing_two_tags_do_not_hide_nearer_items_sharing_one():
    # Newer than item 0: three items sharing both its tags, then two sharing one; older:
    # two sharing one, further away. After the three, the two nearest sharing one tag
    # are the newer ones, past the three in the tag's list.
    at = dt.datetime(2024, 5, 1, 8, 0, tzinfo=HANOI)
    hours_and_tags = [(0, ["Y tế", "Gia đình"]), (1, ["Y tế", "Gia đình"]),
                      (2, ["Y tế", "Gia đình"]), (3, ["Y tế", "Gia đình"]),
                      (4, ["Y tế"]), (5, ["Y tế"]), (-10, ["Y tế"]), (-11, ["Y tế"])]
    items = [news_item(n, f"tin/{n}/", at + dt.timedelta(hours=hours), "Tin tức", tags)
             for n, (hours, tags) in enumerate(hours_and_tags)]
    assert fast_path_taken(items)
    assert_same_ranking(items, 5)
    news = sorted(items, key=collection._newest_first)
    related = collection._related(news, group_by_term(news, lambda item: item.tags), 5)
    assert [o.url for o in related["tin/0/"]] == ["tin/1/", "tin/2/", "tin/3/", "tin/4/", "tin/5/"]


ZONES = [HANOI, BERLIN, dt.timezone.utc, dt.timezone(dt.timedelta(hours=7))]


@st.composite
def corpora(draw) -> list[NewsItem]:
    size = draw(st.integers(1, 140))
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=3))
    moments = draw(st.lists(st.integers(0, 60 * 24 * 30), min_size=1, max_size=12))
    start = draw(st.sampled_from([dt.datetime(1974, 12, 25), dt.datetime(2024, 3, 28)]))
    items = []
    for number in range(size):
        date = start + dt.timedelta(minutes=draw(st.sampled_from(moments)),
                                    microseconds=draw(st.sampled_from((0, 0, 1, 999_999))))
        zone = draw(st.sampled_from(zones))
        if zone is ZONES[3]:
            zone = dt.timezone(dt.timedelta(hours=7))  # a fresh object, as fromisoformat makes
        tags = draw(st.lists(st.sampled_from(TAG_NAMES), max_size=4, unique=True))
        url = f"tin/{draw(st.integers(0, 500)):03d}-{number}/"
        items.append(news_item(number, url, date.replace(tzinfo=zone), "Tin tức", tags))
    return items


# 60 corpora of up to 140 items (~50 ms each): the large portals are the seeded tests above.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=corpora(), count=st.integers(1, 8))
def test_any_portal_ranks_the_same(items, count):
    assert_same_ranking(items, count)


def test_walk_finds_files_in_rglob_order(tmp_path: Path):
    root = tmp_path / "portal"
    rng = random.Random(5)
    names = ["a", "a-b", "a.b", "B", "b", "z", "ä", "a b", "_x", ".hidden", "10", "9"]
    for _ in range(200):
        parts = [rng.choice(names) for _ in range(rng.randint(1, 4))]
        folder = root.joinpath("static", *parts[:-1])
        if any(p.is_file() for p in [folder, *folder.parents]):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / parts[-1]).is_dir():
            (folder / parts[-1]).write_text("x", encoding="utf-8")
    walk = walk_folder(root / "static", root)
    expected = [p for p in sorted((root / "static").rglob("*")) if p.is_file()]
    assert [f.path for f in walk.files] == expected
    assert [f.rel for f in walk.files] == [p.relative_to(root / "static").as_posix() for p in expected]
