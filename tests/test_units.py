"""Pure functions of the engine, called directly: slugs, dates, number formatting, paths."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo

import pytest

from portal.content.fields import parse_date
from portal.locale import load_locale
from portal.urls import output_file, slugify, unsafe_slug

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("text, slug", [
    ("Bình đẳng giới", "binh-dang-gioi"),
    ("Đuối nước", "duoi-nuoc"),
    ("Đại hội Đoàn thanh niên", "dai-hoi-doan-thanh-nien"),
    ("ĐẢNG", "dang"),
    ("Hội nghị triển khai Chương trình Bảo vệ trẻ em năm 2019",
     "hoi-nghi-trien-khai-chuong-trinh-bao-ve-tre-em-nam-2019"),
    ("606/KH-UBND", "606-kh-ubnd"),
    ("Phòng BVCSTE&BĐG", "phong-bvcste-bdg"),
    ("Luật Trẻ em 2016: những điểm mới", "luat-tre-em-2016-nhung-diem-moi"),
    ("  Trẻ em!!  ", "tre-em"),
    (unicodedata.normalize("NFD", "Bình đẳng giới"), "binh-dang-gioi"),  # typed on a Mac
    ("!!!", ""),
])
def test_slugify(text: str, slug: str):
    assert slugify(text) == slug


@pytest.mark.parametrize("slug, unsafe", [
    ("hoi-nghi", False), ("../../etc", True), ("a/b", True), ("a\\b", True), ("..", True),
])
def test_unsafe_slug(slug: str, unsafe: bool):
    assert unsafe_slug(slug) is unsafe


def test_output_file_maps_urls_to_files_and_never_leaves_the_site():
    assert output_file("") == "index.html"
    assert output_file("tin-tuc/abc/") == "tin-tuc/abc/index.html"
    assert output_file("feed.xml") == "feed.xml"
    with pytest.raises(ValueError):
        output_file("tin-tuc/../../etc/")


@pytest.mark.parametrize("text, expected", [
    ("2024-04-12", dt.datetime(2024, 4, 12, 0, 0, tzinfo=HANOI)),
    ("2024-04-12 08:30", dt.datetime(2024, 4, 12, 8, 30, tzinfo=HANOI)),
    ("2024-04-12T08:30:00", dt.datetime(2024, 4, 12, 8, 30, tzinfo=HANOI)),
    ("12/04/2024 08:28", dt.datetime(2024, 4, 12, 8, 28, tzinfo=HANOI)),  # day first
    ("12/04/2024", dt.datetime(2024, 4, 12, tzinfo=HANOI)),
    ("1/2/2024", dt.datetime(2024, 2, 1, tzinfo=HANOI)),
    ("  2024-04-12 08:30  ", dt.datetime(2024, 4, 12, 8, 30, tzinfo=HANOI)),
])
def test_parse_date_reads_naive_times_in_the_portal_timezone(text: str, expected: dt.datetime):
    parsed = parse_date(text, HANOI)
    assert parsed == expected
    assert parsed.utcoffset() == dt.timedelta(hours=7)


def test_parse_date_keeps_an_explicit_offset():
    parsed = parse_date("2024-04-11 20:15+00:00", HANOI)
    assert parsed.utcoffset() == dt.timedelta(0)
    assert parsed.astimezone(HANOI) == dt.datetime(2024, 4, 12, 3, 15, tzinfo=HANOI)


@pytest.mark.parametrize("text", [
    "2019-02-30", "30/02/2019", "32/01/2024", "2024-13-01", "12/13/2024", "2024-04-12 25:00",
    "hôm qua", "", "12.04.2024",
])
def test_parse_date_refuses_impossible_dates(text: str):
    assert parse_date(text, HANOI) is None


@pytest.mark.parametrize("language, value, shown", [
    ("vi", 1234, "1.234"),
    ("vi", 1234567, "1.234.567"),
    ("vi", 3.2, "3,2"),
    ("vi", 12, "12"),
    ("en", 1234, "1,234"),
    ("en", 3.2, "3.2"),
    ("vi", "111", "111"),  # text is left alone
])
def test_locale_number(language: str, value: object, shown: str):
    assert load_locale(language).number(value) == shown

