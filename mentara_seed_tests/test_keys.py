"""Deterministic identities: the fast seed_id is exactly UUID5, and streams ignore the process."""

import subprocess
import sys
import uuid

from mentara_seed.generate.keys import NAMESPACE, seed_id, stream, unit


def test_seed_id_is_uuid5_of_the_key():
    for parts in [("post", "abc", 0), ("membership", "u-1", "c-2"), ("",), ("ünïcode", 10**12)]:
        assert seed_id(*parts) == str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))


def test_streams_and_draws_are_the_same_in_another_process():
    here = [stream("posts", "client-1", 3).random(), unit("hearts", "post-9")]
    code = ("from mentara_seed.generate.keys import stream, unit; "
            "print(repr([stream('posts', 'client-1', 3).random(), unit('hearts', 'post-9')]))")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": "987"}, check=True).stdout.strip()
    assert there == repr(here)
