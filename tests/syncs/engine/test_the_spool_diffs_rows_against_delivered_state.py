from syncs.engine.extract import Row
from syncs.engine.spool import Change, Spool
from syncs.engine.values import record_hash


def rows(*pairs):
    return [Row(identity, record) for identity, record in pairs]


def identities(spool, change):
    return [p.identity for batch in spool.pending(change, 2) for p in batch]


def test_new_changed_unchanged_and_gone_records_are_told_apart():
    with Spool() as spool:
        spool.add_rows(rows(("a", {"v": 1}), ("b", {"v": 2}), ("c", {"v": 3})))
        spool.add_state(
            [
                ("b", record_hash({"v": 2}), "id-b", False),
                ("c", record_hash({"v": 30}), "id-c", False),
                ("d", record_hash({"v": 4}), "id-d", False),
            ]
        )
        assert identities(spool, Change.CREATE) == ["a"]
        assert identities(spool, Change.UNCHANGED) == ["b"]
        assert identities(spool, Change.UPDATE) == ["c"]
        assert identities(spool, Change.GONE) == ["d"]
        (update,) = next(spool.pending(Change.UPDATE, 10))
        assert update.destination_id == "id-c"
        assert update.record == {"v": 3}


def test_repeated_rows_with_the_same_values_collapse_into_one():
    with Spool() as spool:
        spool.add_rows(rows(("a", {"v": 1}), ("a", {"v": 1}), ("a", {"v": 1})))
        assert identities(spool, Change.CREATE) == ["a"]
        assert spool.duplicates_collapsed() == 2
        assert list(spool.conflicts()) == []


def test_rows_sharing_an_identity_with_different_values_are_a_conflict_and_not_sent():
    with Spool() as spool:
        spool.add_rows(rows(("a", {"v": 1}), ("a", {"v": 2}), ("b", {"v": 1})))
        spool.add_rows(rows(("a", {"v": 1})))
        assert identities(spool, Change.CREATE) == ["b"]
        assert list(spool.conflicts()) == [("a", 3)]


def test_a_resync_sends_unchanged_records_again_with_their_known_ids():
    with Spool(resync=True) as spool:
        spool.add_rows(rows(("b", {"v": 2})))
        spool.add_state([("b", record_hash({"v": 2}), "id-b", False)])
        assert identities(spool, Change.UNCHANGED) == []
        (update,) = next(spool.pending(Change.UPDATE, 10))
        assert update.destination_id == "id-b"


def test_records_in_doubt_are_held_apart_until_reconciled():
    with Spool() as spool:
        spool.add_rows(rows(("a", {"v": 1}), ("b", {"v": 2})))
        spool.add_state(
            [("a", record_hash({"v": 1}), "", True), ("b", record_hash({"v": 2}), "", True)]
        )
        assert identities(spool, Change.IN_DOUBT) == ["a", "b"]
        assert identities(spool, Change.CREATE) == []
        spool.resolve_doubt({"a": "id-a"}, ["a", "b"])
        assert identities(spool, Change.IN_DOUBT) == []
        assert identities(spool, Change.UNCHANGED) == ["a"]
        assert identities(spool, Change.CREATE) == ["b"]


def test_the_spool_file_is_removed_when_the_run_ends(tmp_path):
    with Spool(str(tmp_path)) as spool:
        spool.add_rows(rows(("a", {"v": 1})))
        assert list(tmp_path.iterdir())
    assert list(tmp_path.iterdir()) == []


def test_rows_added_after_a_read_are_diffed_too():
    with Spool() as spool:
        spool.add_rows(rows(("a", {"v": 1})))
        assert identities(spool, Change.CREATE) == ["a"]
        spool.add_rows(rows(("b", {"v": 2}), ("a", {"v": 1})))
        assert identities(spool, Change.CREATE) == ["a", "b"]
        assert spool.duplicates_collapsed() == 1


def test_a_row_whose_identity_has_a_row_in_the_model_already_collapses_into_it_or_conflicts():
    """`present` state: its row is in the model but not in the spool (a diff of some buckets)."""
    with Spool() as spool:
        spool.add_rows(rows(("a", {"v": 1}), ("b", {"v": 2})))
        spool.add_state(
            [
                ("a", record_hash({"v": 1}), "id-a", False, 11),
                ("b", record_hash({"v": 20}), "id-b", False, 12),
                ("c", record_hash({"v": 3}), "id-c", False, 13),
            ],
            present=True,
        )
        spool.add_state([("d", record_hash({"v": 4}), "id-d", False, 14)])
        for change in (Change.CREATE, Change.UPDATE, Change.UNCHANGED, Change.IN_DOUBT):
            assert identities(spool, change) == []
        assert identities(spool, Change.GONE) == ["d"]  # a present state is never gone
        assert list(spool.conflicts()) == [("b", 2)]
        assert spool.duplicates_collapsed() == 1
        assert spool.present_rows() == 2
