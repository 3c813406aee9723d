"""Deterministic identities: the fast seed_id is exactly UUID5, and streams ignore the process."""

import subprocess
import sys
import uuid

from mentara_seed.generate.keys import NAMESPACE, seed_id, seed_ids, stream, unit


def test_seed_id_is_uuid5_of_the_key():
    for parts in [("post", "abc", 0), ("membership", "u-1", "c-2"), ("",), ("ünïcode", 10**12)]:
        assert seed_id(*parts) == str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))
    for prefix in [("legacy_comment", "post-1"), ("ünïcode",), ("a", 7, "")]:
        assert seed_ids(prefix, range(12)) == [str(uuid.uuid5(NAMESPACE, "/".join(map(str, (*prefix, k)))))
                                               for k in range(12)]


def test_streams_and_draws_are_the_same_in_another_process():
    here = [stream("posts", "client-1", 3).random(), unit("hearts", "post-9")]
    code = ("from mentara_seed.generate.keys import stream, unit; "
            "print(repr([stream('posts', 'client-1', 3).random(), unit('hearts', 'post-9')]))")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": "987"}, check=True).stdout.strip()
    assert there == repr(here)


class _Reference:
    """The stream as documented, one word at a time: BLAKE2b-512 of the key, then of the key salted
    with the block number; each draw maps one word by multiplication."""

    def __init__(self, key: bytes) -> None:
        import hashlib
        import struct

        self.words = []
        for block in range(40):
            salt = block.to_bytes(16, "little")
            digest = hashlib.blake2b(key, digest_size=64, **({"salt": salt} if block else {})).digest()
            self.words += reversed(struct.unpack("<8Q", digest))  # each block's words are drawn last to first

    def word(self) -> int:
        return self.words.pop(0)


def test_every_draw_of_a_stream_is_the_documented_word_mapped_by_multiplication():
    from mentara_seed.generate.keys import Stream

    fast, ref = Stream(b"posts/heavy/client-1"), _Reference(b"posts/heavy/client-1")
    options = ["a", "b", "c", "d", "e", "f", "g"]
    for k in range(30):  # far past the first block of eight words
        assert fast.word() == ref.word()
        assert fast.below(7 + k) == (ref.word() * (7 + k)) >> 64
        assert fast.random() == (ref.word() >> 11) * 2.0**-53
        assert fast.uniform(-0.7, 0.7) == -0.7 + 1.4 * ((ref.word() >> 11) * 2.0**-53)
        assert fast.randint(3, 9) == 3 + ((ref.word() * 7) >> 64)
        assert fast.choice(options) == options[(ref.word() * 7) >> 64]
        assert fast.uniforms(3, -0.12, 0.12) == [-0.12 + 0.24 * ((ref.word() >> 11) * 2.0**-53) for _ in range(3)]
    items, expected = list(range(10)), list(range(10))
    fast.shuffle(items)
    for i in range(9, 0, -1):
        j = (ref.word() * (i + 1)) >> 64
        expected[i], expected[j] = expected[j], expected[i]
    assert items == expected
    pool = list(range(12))
    picked = fast.sample(pool, 5)
    for i in range(5):
        j = i + ((ref.word() * (12 - i)) >> 64)
        pool[i], pool[j] = pool[j], pool[i]
    assert picked == pool[:5]


def test_pick_draws_what_choosing_among_the_options_left_would():
    """``makers.pick`` finds the option without building the list of those left when one is left
    out; the draw (and the stream after it) must be exactly the list's."""
    from mentara_seed.generate.makers import pick

    def reference(rng, options, exclude):
        allowed = [o for o in options if o not in exclude]
        return rng.choice(allowed) if allowed else None

    population = [f"user-{k}" for k in range(6)]
    for case in range(3_000):
        draw = stream("pick-cases", case)
        options = [population[draw.below(6)] for _ in range(draw.below(9))]  # repeats, and empty lists
        exclude = set(draw.sample(population, draw.below(3)))  # none, one (present or not), two
        if case % 5 == 0:
            options = list(dict.fromkeys(options))  # distinct, as a community's members are
        mine, theirs = stream("pick", case), stream("pick", case)
        assert pick(mine, options, exclude) == reference(theirs, options, exclude), (options, exclude)
        assert mine.word() == theirs.word()
