import datetime as dt
import uuid
from decimal import Decimal

from syncs.engine.values import normalize, record_hash


def test_dates_and_timestamps_become_iso_8601():
    assert normalize(dt.date(2026, 1, 2)) == "2026-01-02"
    assert normalize(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"
    aware = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert normalize(aware) == "2026-01-02T03:04:05+00:00"


def test_decimals_become_numbers_unless_a_float_would_change_them():
    assert normalize(Decimal("42")) == 42
    assert normalize(Decimal("42.000")) == 42
    assert normalize(Decimal("0.1")) == 0.1
    assert normalize(Decimal("12345678901234567.89")) == "12345678901234567.89"
    assert normalize(Decimal("NaN")) is None


def test_nulls_booleans_and_numbers_are_kept_as_they_are():
    assert normalize(None) is None
    assert normalize(True) is True
    assert normalize(7) == 7
    assert normalize(float("nan")) is None


def test_snowflake_variant_text_is_parsed_and_other_text_is_not():
    assert normalize('{"a": [1, 2]}', remote_type="VARIANT") == {"a": [1, 2]}
    assert normalize('{"a": 1}', remote_type="VARCHAR") == '{"a": 1}'
    assert normalize("not json", remote_type="OBJECT") == "not json"


def test_uuids_and_bytes_become_text():
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert normalize(value) == str(value)
    assert normalize(b"\x00\x01") == "AAE="


def test_the_record_hash_ignores_key_order_and_sees_every_value_change():
    assert record_hash({"a": 1, "b": "x"}) == record_hash({"b": "x", "a": 1})
    assert record_hash({"a": 1}) != record_hash({"a": 2})
    assert record_hash({"a": 1}) != record_hash({"a": "1"})
    assert record_hash({"a": None}) != record_hash({})
