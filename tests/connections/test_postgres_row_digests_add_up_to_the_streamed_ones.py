"""The PostgreSQL source's row digests: the sum it computes in the warehouse is the exact sum of
the digests it streams beside each row, and it moves when a row, or the seed, changes."""

from __future__ import annotations

import pytest

from connections.models import Connection
from connections.sources.postgres import PostgresSource


@pytest.fixture
def source(postgres_warehouse):
    settings = {k: v for k, v in postgres_warehouse.items() if k not in {"schema", "admin"}}
    password = settings.pop("password", "")
    return PostgresSource(
        Connection(type="postgresql", configuration=settings, secrets={"password": password})
    )


@pytest.fixture
def query(postgres_warehouse):
    return (
        f"SELECT email, first_name, last_activity_date FROM {postgres_warehouse['schema']}.users ;"
    )


def sums(source, query, seed="5eed", buckets=1):
    with source.row_digests(query, seed) as digests:
        return digests.sums(buckets)


def test_the_digest_is_the_sum_of_the_streamed_row_digests(source, query):
    stream = source.open_hashed_stream(query, "5eed")
    assert stream.hashed
    assert [f.name for f in stream.fields] == ["email", "first_name", "last_activity_date"]
    rows = [row for chunk in stream.chunks for row in chunk]
    assert all(len(row) == 4 and isinstance(row[-1], int) for row in rows)
    assert sums(source, query) == {0: (120, sum(row[-1] for row in rows))}


def test_buckets_split_the_digest_by_its_low_bits_and_a_stream_can_keep_some(source, query):
    digests = [
        row[-1] for chunk in source.open_hashed_stream(query, "5eed").chunks for row in chunk
    ]
    with source.row_digests(query, "5eed") as seen:
        buckets = seen.sums(8)
        kept = seen.stream(8, {1, 6})
        assert [f.name for f in kept.fields] == ["email", "first_name", "last_activity_date"]
        assert sorted(row[-1] for chunk in kept.chunks for row in chunk) == sorted(
            d for d in digests if d & 7 in {1, 6}
        )
        assert list(seen.stream(8, ()).chunks) == []
    for bucket in range(8):
        mine = [d for d in digests if d & 7 == bucket]
        assert buckets.get(bucket, (0, 0)) == (len(mine), sum(mine))


def test_the_digest_moves_with_a_row_and_with_the_seed(source, query, postgres_warehouse):
    before = sums(source, query)
    assert sums(source, query, "5eee") != before
    postgres_warehouse["admin"].execute(
        f"UPDATE {postgres_warehouse['schema']}.users SET first_name = 'Other' "
        "WHERE email = 'person1@example.com'"
    )
    ((count, total),) = sums(source, query).values()
    assert count == 120
    assert total != before[0][1]


def test_a_seed_is_hex_digits_only(source, query):
    with pytest.raises(ValueError):
        sums(source, query, "x' OR 1=1 --")
    with pytest.raises(ValueError):
        sums(source, query, buckets=6)


def test_a_model_column_named_like_the_digest_s_alias_does_not_narrow_the_digest(
    source, postgres_warehouse
):
    table = f"{postgres_warehouse['schema']}.users"
    query = f"SELECT email AS syncline_row, first_name FROM {table}"
    before = sums(source, query)
    postgres_warehouse["admin"].execute(
        f"UPDATE {table} SET first_name = 'Other' WHERE email = 'person2@example.com'"
    )
    assert sums(source, query) != before


def test_the_rows_streamed_after_the_sums_are_the_ones_summed(source, query, postgres_warehouse):
    """One snapshot: a row written between the sums and the stream is in neither."""
    table = f"{postgres_warehouse['schema']}.users"
    with source.row_digests(query, "5eed") as seen:
        ((count, total),) = seen.sums(1).values()
        postgres_warehouse["admin"].execute(
            f"INSERT INTO {table} (email, first_name) VALUES ('late@example.com', 'Late')"
        )
        rows = [row for chunk in seen.stream(1, {0}).chunks for row in chunk]
    assert (len(rows), sum(row[-1] for row in rows)) == (count, total) == (120, total)
    assert "late@example.com" not in {row[0] for row in rows}
