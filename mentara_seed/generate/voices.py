"""Who writes, where: the context a post or a comment is written in, read once per unit of work.

Generators know ids; a text needs more: the author's role (a therapist writes
as a professional), first name and town, the room's name (introductions
introduce), the community's topic, and for a comment what its post is about
(a seeded post's situation is drawn again from its id; someone else's is read
from its title) and who wrote the comment it replies to.
"""

from __future__ import annotations

import re
from functools import cached_property

import sqlalchemy as sa

from mentara_seed.generate import content
from mentara_seed.generate.corpus import topic_of
from mentara_seed.generate.keys import Stream, seeded
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks


class Writers:
    def __init__(self, s: Seeding) -> None:
        self.s = s
        self._titles: dict[str, str | None] = {}
        self._threads: dict[str, set[str]] = {}  # post -> the texts of its comments
        self._subjects: dict[tuple[str, str], tuple[str, str]] = {}  # a seeded post's subject, for its threads

    @cached_property
    def people(self) -> dict[str, tuple[str, str, str, str]]:
        """``{user id: (role, first name, town, last name)}`` of everyone."""
        U = T.User
        out = {}
        for user_id, role, first, last, address in self.s.rows(
                sa.select(U.c.id, U.c.role, U.c.firstName, U.c.lastName, U.c.address)):
            parts = [p.strip() for p in (address or "").split(",")]
            out[user_id] = (role, first, parts[-2] if len(parts) >= 3 else "the Philippines", last)
        return out

    def last_name(self, user_id: str) -> str:
        return self.people.get(user_id, ("", "", "", ""))[3]

    def town(self, user_id: str) -> str:
        """Where they live, as their address says."""
        return self.people.get(user_id, ("", "", "the Philippines", ""))[2]

    @cached_property
    def rooms(self) -> dict[str, tuple[str, str]]:
        """``{room id: (room name, community id)}``."""
        return {room_id: (name, community) for room_id, name, community in self.s.rows(
            sa.select(T.Room.c.id, T.Room.c.name, T.RoomGroup.c.communityId)
            .join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId))}

    @cached_property
    def topics(self) -> dict:
        return {cid: topic_of(name) for cid, name in self.s.rows(sa.select(T.Community.c.id, T.Community.c.name))}

    @cached_property
    def client_topics(self) -> dict[str, list]:
        from mentara_seed.generate import state

        return state.topics_by_user(self.s)

    def therapy_focus(self, client_id: str) -> tuple:
        """(topic, situation) a client works on in therapy: their communities' first topic, drawn from their id."""
        topics = self.client_topics.get(client_id) or [content.FALLBACK]
        rng = self.s.rng("therapy_focus", client_id)
        topic = rng.choice(topics)
        return topic, content.subject_of(rng, topic)

    def voice(self, user_id: str) -> str:
        return "therapist" if self.people.get(user_id, ("client",))[0] == "therapist" else "client"

    def first_name(self, user_id: str) -> str | None:
        return self.people.get(user_id, (None, None))[1]

    def topic(self, community_id: str | None):
        return self.topics.get(community_id) or content.FALLBACK

    @cached_property
    def chapters(self) -> dict[str, str]:
        """``{community id: region}`` of the regional chapters ("Anxiety Warriors - Cebu Chapter")."""
        out = {}
        for community_id, name in self.s.rows(sa.select(T.Community.c.id, T.Community.c.name)):
            found = re.search(r" - (.+) Chapter$", name or "")
            if found:
                out[community_id] = found.group(1)
        return out

    def post_text(self, rng: Stream, post_id: str, author: str, room_id: str) -> tuple[str, str]:
        room, community = self.rooms.get(room_id, (None, None))
        topic = self.topic(community)
        _, first, town, _ = self.people.get(author, ("client", "Friend", "the Philippines", ""))
        return content.post(rng, topic, content.post_subject(self.s, post_id, topic), room, self.voice(author),
                            first or "Friend", town, self.chapters.get(community))

    def subject(self, post_id: str, community_id: str | None) -> tuple[str, str]:
        """What a post is about: drawn again from a seeded post's id, else read from its title."""
        if seeded(post_id) and community_id in self.topics and self.topics[community_id]:
            # Drawn once per post of the threads in hand (each of its comments asks again).
            key = (post_id, community_id)
            if key not in self._subjects:
                self._subjects[key] = content.post_subject(self.s, post_id, self.topics[community_id])
            return self._subjects[key]
        if post_id not in self._titles:
            self.load_titles([post_id])
        return content.subject_from_title(self._titles.get(post_id))

    def load_titles(self, post_ids) -> None:
        """Read the titles of others' posts (a seeded post's subject needs none)."""
        wanted = sorted({p for p in post_ids if p not in self._titles and not seeded(p)})
        for part in chunks(wanted, LOOKUP):
            self._titles.update(self.s.rows(sa.select(T.Post.c.id, T.Post.c.title).where(self.s.one_of(T.Post.c.id, part))))
        self._titles.update({p: None for p in wanted if p not in self._titles})

    def load_threads(self, post_ids, only: bool = False) -> None:
        """What has been said under each of these posts already (read once per post); ``only``: forget
        every other post's (a chunk at a time, memory stays bounded)."""
        if only:
            self._threads.clear()
            self._subjects.clear()
        wanted = sorted({p for p in post_ids if p not in self._threads})
        C = T.Comment
        for part in chunks(wanted, LOOKUP):
            for post_id, said in self.s.rows(sa.select(C.c.postId, C.c.content).where(self.s.one_of(C.c.postId, part))):
                self._threads.setdefault(post_id, set()).add(said)
        for post_id in wanted:
            self._threads.setdefault(post_id, set())

    def context_of(self, post_ids) -> tuple[dict[str, set[str]], dict[str, str | None]]:
        """What comments on these posts need from the database (what each thread has said, the titles of
        others' posts), read now, every other post's forgotten: plain data for ``use_context`` (in a
        worker process, ``Seeding.each``)."""
        post_ids = sorted(set(post_ids))
        self.load_threads(post_ids, only=True)
        self.load_titles(post_ids)
        return ({p: set(self._threads[p]) for p in post_ids}, {p: self._titles[p] for p in post_ids if p in self._titles})

    def use_context(self, context: tuple[dict[str, set[str]], dict[str, str | None]]) -> None:
        """Write under the posts of ``context_of`` (its sets stay as they are: an item is built once)."""
        threads, titles = context
        self._threads = {post_id: set(said) for post_id, said in threads.items()}
        self._subjects.clear()
        self._titles.update(titles)

    def start_threads(self, post_ids) -> None:
        """These posts have no comments yet (nothing to read); every other post's are forgotten."""
        self._threads = {post_id: set() for post_id in post_ids}
        self._subjects.clear()

    def comment_text(self, rng: Stream, post_id: str, community_id: str | None, commenter: str,
                     parent_author: str | None = None, parent_text: str | None = None,
                     post_author: str | None = None, room_id: str | None = None) -> str:
        """A comment (or, with ``parent_author``, a reply to ``parent_text``) under a post, in the
        commenter's voice, to the post's author as who they are, and never what the thread has said
        already (drawn again from the same stream until it is new)."""
        topic = self.topic(community_id)
        subject = self.subject(post_id, community_id)
        voice = self.voice(commenter)
        to_professional = None
        if post_author is not None and post_author != commenter and self.voice(post_author) == "therapist":
            to_professional = self.first_name(post_author)
        if post_id not in self._threads:
            self.load_threads([post_id])
        said = self._threads[post_id]
        for _ in range(12):
            if parent_author is not None:
                text = content.reply(rng, topic, subject, voice, self.first_name(parent_author), parent_text,
                                     self.voice(parent_author))
            else:
                text = content.comment(rng, topic, subject, voice, to_professional,
                                       self.rooms.get(room_id, (None,))[0] if room_id else None,
                                       self.first_name(post_author) if post_author else None)
            if text not in said:
                break
        said.add(text)
        return text
