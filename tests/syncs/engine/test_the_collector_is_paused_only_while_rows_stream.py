"""Extract turns Python's cyclic garbage collector off while a model streams through (a million
rows run twice as fast without it) and always back on afterwards: a worker lives for days, and
cycles made by other work must still be collected."""

from __future__ import annotations

import gc

import pytest

from syncs.engine.extract import collector_paused


def test_the_collector_is_off_inside_and_back_on_after_even_when_the_block_fails():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the warehouse went away")
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
