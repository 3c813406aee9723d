"""Property-based: whatever a user types into the settings, the seeder either runs with
valid values or stops with one line naming the setting; it never crashes otherwise."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from mentara_seed.settings import MODES, SeedSettings, SettingsError, parse_database_url

typed = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**6, 10**6).map(str),
                  st.sampled_from(["light", "MEDIUM", "heavy", "1", "100", "2026-01-15", "2026-01-15T09:00:00Z"]))


@settings(max_examples=400, deadline=None)
@given(mode=typed, scale=typed, anchor=typed, password=st.one_of(st.none(), st.text(max_size=90)))
def test_settings_are_valid_or_refused_in_one_line(mode, scale, anchor, password):
    try:
        resolved = SeedSettings.resolve(mode=mode, scale=scale, anchor=anchor, test_password=password)
    except SettingsError as exc:
        message = str(exc)
        assert "\n" not in message
        assert message.startswith("MENTARA_SEED_")
        return
    assert resolved.mode in MODES
    assert 1 <= resolved.scale <= 10_000
    assert isinstance(resolved.anchor, dt.datetime) and resolved.anchor.tzinfo is None
    assert resolved.anchor.microsecond % 1000 == 0
    assert 8 <= len(resolved.test_password.encode()) <= 72


@settings(max_examples=300, deadline=None)
@given(url=st.one_of(st.text(max_size=60), st.builds(lambda d, rest: f"{d}://{rest}",
                                                      st.sampled_from(["sqlite", "sqlite+pysqlite", "postgresql",
                                                                       "postgresql+psycopg", "mysql", "oracle+cx"]),
                                                      st.text(max_size=40))))
def test_database_urls_are_valid_or_refused_in_one_line(url):
    try:
        parsed = parse_database_url(url or None)
    except SettingsError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("MENTARA_DATABASE_URL")
        return
    assert parsed.drivername in ("sqlite+pysqlite", "postgresql+psycopg")
