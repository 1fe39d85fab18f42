"""Cache writes are atomic and keyed: concurrent writers never leave a broken entry."""

import multiprocessing

import numpy as np

from santa_lib.internals.cache import cache_key, default_cache_dir, load_array, save_array


def write_many(path, value, rounds):
    for _ in range(rounds):
        save_array(path, np.full((200, 2048), value, dtype="float32"))


def test_concurrent_writers_and_readers_never_see_half_a_file(tmp_path):
    path = tmp_path / "features" / "key.npy"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=write_many, args=(path, value, 30)) for value in (1, 2)]
    for writer in writers:
        writer.start()
    seen = 0
    while any(writer.is_alive() for writer in writers):
        array = load_array(path)
        if array is not None:
            assert array.shape == (200, 2048)
            assert array.min() == array.max() and array[0, 0] in (1.0, 2.0)
            seen += 1
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert load_array(path).shape == (200, 2048)
    assert [p.name for p in path.parent.iterdir()] == ["key.npy"]  # no temporary files left


def test_keys_and_locations(monkeypatch, tmp_path):
    assert cache_key("a", 1) == cache_key("a", 1) != cache_key("a", 2)
    monkeypatch.setenv("SANTA_LIB_CACHE", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SANTA_LIB_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "santa_lib"
    assert load_array(tmp_path / "absent.npy") is None
