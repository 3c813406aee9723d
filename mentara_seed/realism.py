"""The realism report: `python -m mentara_seed.realism` (or `python3 dev.py realism`).

It seeds a fresh SQLite database per volume (medium and heavy x10 by default)
and reads it back as a demo audience and the Mentara app would: how varied the
texts are, whether posts are about their community and fit their room,
whether replies answer what they reply to, who speaks in whose voice, whether
a review's tone matches its stars, whether therapists' profiles hold
together, whether people, towns and provinces are Philippine, when people are
active (in Manila time), and whether notifications point at real events. It
prints one table (figure, target, met) per volume; ``--out`` writes it into
docs/realism.md between its markers, keeping the text around them.

The yardsticks are independent of the generators: topic and room vocabulary,
voice markers and reference surnames are written here, towns and provinces
come from Faker's Philippine lists, and review sentiment from VADER (a
lexicon, no model). Contract-level facts (profile consistency, notifications
tied to events) reuse the integrity rules, which mirror the app.

Options: --volumes medium,heavy:10  --out FILE  --keep DIR (keep the databases)
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from mentara_seed import contract
from mentara_seed.accounts import EMAILS
from mentara_seed.report_tables import markdown, text
from mentara_seed.schema import tables as T

ANCHOR = "2026-01-15T00:00:00Z"
ANCHOR_DT = dt.datetime(2026, 1, 15)
BEGIN, END = "<!-- realism:begin -->", "<!-- realism:end -->"

# -- yardsticks ------------------------------------------------------------------------------------
# What people write about each illness community's topic, in everyday words (not the generator's).
TOPIC_WORDS = {
    "anxiety": "anxiety anxious worry worries worried nervous nerves overthink overthinking panic racing dread tense "
               "edge jittery restless calm breath breathing",
    "depression": "depression depressed low flat heavy heaviness empty numb sad sadness tired drained bed energy "
                  "isolating interest hopeless motivation foggy blues worthless crying criticism",
    "stress": "stress stressed pressure overwhelmed workload deadline deadlines tension burnt exhausted busy juggling "
              "bills budget money",
    "insomnia": "sleep sleeping slept asleep insomnia awake night nights bedtime bed nap naps napping tired wake "
                "waking rest",
    "panic": "panic attack attacks heart racing breath breathless dizzy chest fear afraid scared shaky trapped alert",
    "bipolar": "bipolar mood moods manic mania hypomanic episode episodes depressive swings lithium stable sleep "
               "medication routine high highs crash relapse",
    "ocd": "ocd obsessive compulsive compulsion compulsions intrusive checking rituals ritual reassurance thoughts "
           "contamination counting doubt urges washing germs just right",
    "ptsd": "ptsd trauma traumatic flashback flashbacks nightmare nightmares triggered trigger jumpy startle "
            "startled hypervigilant reminders safe memories anniversary",
    "social_anxiety": "social people crowd crowds shy awkward judged embarrassed conversation conversations party "
                      "parties meeting speaking small talk eye contact introduce nervous conscious frozen public",
    "phobia": "phobia fear afraid scared heights flying needles dogs spiders elevator elevators exposure avoid "
              "avoiding terrified",
    "burnout": "burnout burnt burned exhausted exhaustion work workload overtime boss drained job rest boundaries "
               "tired office shift shifts vacation break",
    "eating": "eating food meal meals body weight binge restricting hunger mirror appetite snack snacks diet recovery "
              "dinner dinners",
    "adhd": "adhd focus focusing distracted distraction forget forgetting forgot procrastinate procrastination "
            "deadline deadlines timer tasks task scattered hyperfocus organise organize forgetting forgetful projects "
            "unfinished messy diagnosis diagnosed time blindness",
    "substance": "sober sobriety clean recovery relapse craving cravings using drugs drug meeting meetings sponsor "
                 "days substance slip slips",
    "alcohol": "alcohol drink drinking drinks sober sobriety beer inuman craving cravings recovery relapse days bar",
}
# What a post in each room does, in the words it is done with.
ROOM_WORDS = {
    "Introductions": r"\b(hi|hello|hey|new here|just joined|joined|introduc\w*|my name|i'm|i am|first post|kumusta)\b",
    "Share Your Story": r"\b(i|i'm|i've|my|me)\b",
    "Coping Strategies": r"\b(tips?|ideas?|try|tried|trying|helps?|helped|works?|worked|technique|strategy|cope|coping|"
                         r"strategies|approach|what has worked|practice|practise|tool|tools)\b",
    "Wins and Progress": r"\b(win|wins|progress|proud|finally|managed|milestone|step|did it|first time|better|"
                         r"improved|celebrate)\b",
    "Community Guidelines": r"\b(guidelines?|rules?|please|respect|report|safe|welcome|moderators?)\b",
}
# A therapist writing as a patient, a client writing as a clinician.
AS_A_PATIENT = re.compile(r"\b(my (therapist|psychologist|psychiatrist|counselou?r)|in my (last )?session|"
                          r"my diagnosis|i was diagnosed)\b", re.I)
AS_A_CLINICIAN = re.compile(r"\b(my (clients|patients|caseload)|in my practice|in my clinic|as a (therapist|clinician|"
                            r"psychologist|counselou?r)|i often (tell|suggest to|recommend to) (my )?clients)\b", re.I)
# A sentence that asks "you" about something and narrates "I" in the same breath.
MIXED_PERSON = re.compile(r"\b(how do|what helps|does anyone|do|have) you\b[^.!?]*\b(since|when|after|before) "
                          r"(i|i'm|i've|my)\b[^.!?]*\?", re.I)
# Surnames common in the Philippines (Spanish-era, Chinese-Filipino and native), from national frequency lists.
SURNAMES = frozenset("""
Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Torres Tomas Andrada Castillo Flores Villanueva Ramos Castro Rivera
Aquino Navarro Salazar Mercado Perez Gonzales Gonzalez Lopez Hernandez Dela Cruz De Leon Del Rosario Sanchez Aguilar
Marquez Domingo Gutierrez Diaz Valdez Soriano Pascual Francisco Manalo Javier Dizon Santiago Fernandez Rosales Morales
Corpuz Lim Tan Go Sy Chua Ong Co Yap Magbanua Macaraeg Mangubat Agustin Alvarez Rodriguez Romero Ramirez Villegas Samson
Lacson Gatchalian Enriquez Velasco Robles Sarmiento Tuazon Yulo Alcantara Bernardo Cajucom Quisumbing Panganiban
Padilla Concepcion Jimenez Espiritu Manalastas Lacsamana Cabrera Cortez Dimaculangan Esguerra Evangelista Fajardo
Guevarra Ilagan Lagman Lualhati Mallari Medina Natividad Pangilinan Quiambao Roque Salvador Tolentino Umali Vergara
Zamora Abad Bagtas Baltazar Buenaventura Calderon Cayabyab Dela Paz De Guzman Del Mundo Estrada Galang Ignacio
Lozada Macapagal Mendiola Nolasco Orozco Pineda Quinto Rivas Sison Trinidad Valenzuela Yumul Olivares Nepomuceno
Jacinto Villareal Samonte Roxas Katigbak Tiongson Agbayani Cordero Hidalgo Pacheco Mallillin Bello Laurel Osmena
""".replace("Dela Cruz", "Dela_Cruz").replace("De Leon", "De_Leon").replace("Del Rosario", "Del_Rosario")
    .replace("Dela Paz", "Dela_Paz").replace("De Guzman", "De_Guzman").replace("Del Mundo", "Del_Mundo")
    .split()) | {"Dela Cruz", "De Leon", "Del Rosario", "Dela Paz", "De Guzman", "Del Mundo"}
STOPWORDS = frozenset("""
about after again against also been before being below between both could does doing down during each from further
have having here hers herself himself into itself just more most myself only other ourselves over same should some
such than that their theirs them themselves then there these they this those through under until very what when where
which while whom with would your yours yourself yourselves really thank thanks anyone everyone someone something
things thing feel feeling felt week weeks today still know think like been much even well make made getting going
""".split())
NIGHT_HOURS = range(0, 6)  # 00:00-05:59 in Manila
# The degree a PRC licence is earned with: psychologists and psychometricians study psychology,
# guidance counselors guidance and counseling.
DEGREE_FOR = {"rpsy": r"Psycholog", "rpm": r"Psycholog", "rgc": r"Guidance|Counsel"}


def _phrases(spec: str) -> list[str]:
    return spec.split()


def _content_words(value: str | None) -> set[str]:
    """The words that carry meaning (four letters or more, not function words), cut to a crude stem."""
    words = re.findall(r"[a-z][a-z'-]{3,}", (value or "").lower())
    return {w[:5] for w in words if w not in STOPWORDS}


# -- measuring ---------------------------------------------------------------------------------------
@dataclass
class Figure:
    area: str
    name: str
    value: float | int | str
    target: str
    met: bool | None  # None: informative, no target

    def row(self) -> dict:
        as_share = isinstance(self.value, float) and 0 <= self.value <= 1 and ("%" in self.target or self.met is None)
        shown = f"{self.value:.1%}" if as_share else self.value
        return {"area": self.area, "figure": self.name, "value": shown, "target": self.target,
                "met": "" if self.met is None else ("yes" if self.met else "NO")}


def share(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def _ratio(area: str, name: str, hits: int, total: int, at_least: float) -> Figure:
    value = share(hits, total)
    return Figure(area, f"{name} ({hits}/{total})", value, f">= {at_least:.0%}", value >= at_least)


def _zero(area: str, name: str, count: int, total: int | None = None) -> Figure:
    shown = f"{count}" + (f" of {total}" if total is not None else "")
    return Figure(area, name, shown, "0", count == 0)


def measure(url: str, mode: str, scale: int) -> list[Figure]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return Measure(conn, mode, scale).all()
    finally:
        engine.dispose()


class Measure:
    def __init__(self, conn, mode: str, scale: int) -> None:
        self.conn, self.mode, self.scale = conn, mode, scale
        U = T.User
        self.users = {row.id: row for row in conn.execute(
            sa.select(U.c.id, U.c.role, U.c.firstName, U.c.lastName, U.c.email, U.c.address, U.c.lastLoginAt))}
        R, RG, C = T.Room, T.RoomGroup, T.Community
        self.rooms = {row.id: row for row in conn.execute(
            sa.select(R.c.id, R.c.name, RG.c.communityId, C.c.name.label("community"))
            .join(RG, RG.c.id == R.c.roomGroupId).join(C, C.c.id == RG.c.communityId))}
        P = T.Post
        self.posts = {row.id: row for row in conn.execute(
            sa.select(P.c.id, P.c.title, P.c.content, P.c.userId, P.c.roomId, P.c.createdAt))}
        Cm = T.Comment
        self.comments = list(conn.execute(
            sa.select(Cm.c.id, Cm.c.postId, Cm.c.parentId, Cm.c.userId, Cm.c.content, Cm.c.createdAt)
            .order_by(Cm.c.postId, Cm.c.createdAt, Cm.c.id)))
        Msg = T.Message
        self.messages = list(conn.execute(sa.select(Msg.c.id, Msg.c.conversationId, Msg.c.senderId, Msg.c.content,
                                                    Msg.c.createdAt)))

    def all(self) -> list[Figure]:
        return [*self.distinct(), *self.topics(), *self.threads(), *self.voice(), *self.reviews(), *self.profiles(),
                *self.places(), *self.time(), *self.notifications()]

    # distinct texts
    def distinct(self) -> list[Figure]:
        comments_target = 0.8 if self.scale >= 10 else 0.9
        texts = {
            "comments": ([c.content for c in self.comments], comments_target),
            "messages": ([m.content for m in self.messages], 0.7),
            "post titles": ([p.title for p in self.posts.values()], 0.9),
            "post bodies": ([p.content for p in self.posts.values()], 0.9),
        }
        out = [_ratio("distinct texts", f"distinct {name}", len(set(values)), len(values), at_least)
               for name, (values, at_least) in texts.items()]
        commonest, n = Counter(c.content for c in self.comments).most_common(1)[0] if self.comments else ("", 0)
        out.append(Figure("distinct texts", "the commonest comment's share", share(n, len(self.comments)), "(information)", None))
        del commonest
        return out

    # topic and room
    def topics(self) -> list[Figure]:
        from mentara_seed.generate.corpus import topic_of

        lexicon = {key: set(_phrases(words)) for key, words in TOPIC_WORDS.items()}
        on_topic = total = fits = placed = 0
        misfits: Counter[str] = Counter()
        for post in self.posts.values():
            room = self.rooms.get(post.roomId)
            if room is None:
                continue
            body = f"{post.title} {post.content}".lower()
            words = set(re.findall(r"[a-z']+", body))
            topic = topic_of(room.community)
            if topic is not None and topic.illness and topic.key in lexicon:
                total += 1
                phrases = lexicon[topic.key]
                on_topic += bool(words & phrases) or any(" " in p and p in body for p in phrases)
            marker = ROOM_WORDS.get(room.name)
            if marker is not None:
                placed += 1
                if re.search(marker, body, re.I):
                    fits += 1
                else:
                    misfits[room.name] += 1
        return [_ratio("topic", "posts in an illness community about its topic", on_topic, total, 0.95),
                _ratio("topic", "posts that fit their room", fits, placed, 0.95)]

    # threads
    def threads(self) -> list[Figure]:
        by_id = {c.id: c for c in self.comments}
        top = answered = replies = answering = 0
        duplicated = 0
        first_delay = {}
        thread_texts: dict[str, Counter] = defaultdict(Counter)
        for c in self.comments:
            post = self.posts.get(c.postId)
            if post is None:
                continue
            thread_texts[c.postId][c.content] += 1
            delay = (c.createdAt - post.createdAt).total_seconds() / 3600
            first_delay[c.postId] = min(first_delay.get(c.postId, delay), delay)
            if c.parentId is None:
                top += 1
                answered += bool(_content_words(c.content) & _content_words(f"{post.title} {post.content[:160]}"))
            else:
                replies += 1
                parent = by_id.get(c.parentId)
                author = self.users.get(parent.userId) if parent else None
                named = author is not None and (author.firstName or "").lower() in (c.content or "").lower()
                answering += bool(parent) and (named or bool(_content_words(c.content) & _content_words(parent.content)))
        duplicated = sum(1 for texts in thread_texts.values() if any(n > 1 for n in texts.values()))
        median = statistics.median(first_delay.values()) if first_delay else 0.0
        return [_ratio("threads", "comments that take up their post's subject", answered, top, 0.95),
                _ratio("threads", "replies that answer their parent", answering, replies, 0.95),
                _zero("threads", "threads with a text said twice", duplicated, len(thread_texts)),
                Figure("threads", "median hours from post to first comment", round(median, 1), "< 24", median < 24)]

    # voice
    def voice(self) -> list[Figure]:
        authored = [(p.userId, f"{p.title}. {p.content}") for p in self.posts.values()]
        authored += [(c.userId, c.content) for c in self.comments] + [(m.senderId, m.content) for m in self.messages]
        role = {user_id: u.role for user_id, u in self.users.items()}
        as_patient = sum(1 for user_id, body in authored if role.get(user_id) == "therapist" and AS_A_PATIENT.search(body))
        as_clinician = sum(1 for user_id, body in authored if role.get(user_id) == "client" and AS_A_CLINICIAN.search(body))
        mixed = sum(1 for _, body in authored if MIXED_PERSON.search(body))
        therapist_texts = sum(1 for user_id, _ in authored if role.get(user_id) == "therapist")
        client_texts = sum(1 for user_id, _ in authored if role.get(user_id) == "client")
        return [_zero("voice", "therapists' texts written as a patient", as_patient, therapist_texts),
                _zero("voice", "clients' texts written as a clinician", as_clinician, client_texts),
                _zero("voice", "texts mixing persons (you ... since I ...?)", mixed, len(authored))]

    # reviews
    def reviews(self) -> list[Figure]:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        R = T.Review
        rows = list(self.conn.execute(sa.select(R.c.id, R.c.rating, R.c.title, R.c.content)))
        agree = 0
        for row in rows:
            agree += tone_agrees(row.rating, vader.polarity_scores(f"{row.title or ''}. {row.content or ''}"))
        return [_ratio("reviews", "reviews whose tone agrees with their stars", agree, len(rows), 1.0)]

    # profiles
    def profiles(self) -> list[Figure]:
        from mentara_seed.checks.rules import therapists_inconsistent, therapists_the_form_would_not_take
        from mentara_seed.generate import professionals

        Th, U = T.Therapist, T.User
        rows = list(self.conn.execute(
            sa.select(Th.c.userId, Th.c.providerType, Th.c.professionalLicenseType, Th.c.practiceStartDate,
                      Th.c.yearsOfExperience, Th.c.educationBackground, Th.c.areasOfExpertise, Th.c.practiceLocation,
                      U.c.birthDate, U.c.bio).join(U, U.c.id == Th.c.userId)))
        inconsistent = {user_id for user_id, _ in therapists_inconsistent(self.conn, ANCHOR_DT)}
        inconsistent |= {user_id for user_id, _ in therapists_the_form_would_not_take(self.conn, ANCHOR_DT)}
        unfounded = 0
        ages = []
        for row in rows:
            ages.append(professional_age(row.birthDate, row.practiceStartDate))
            expertise = [professionals.EXPERTISE.get(area, (area,))[0] for area in (row.areasOfExpertise or [])]
            bio = (row.bio or "").lower()
            drawn = (str(row.yearsOfExperience) in bio and (row.practiceLocation or "").lower() in bio
                     and any(e.lower() in bio for e in expertise))
            degree_fits = bool(re.search(DEGREE_FOR.get(row.professionalLicenseType, r"^$"), row.educationBackground or ""))
            if not drawn or not degree_fits:
                unfounded += 1
        return [_zero("profiles", "therapists contradicting themselves (licence, dates, experience, form values)",
                      len(inconsistent), len(rows)),
                _zero("profiles", "therapists whose bio or degree is not drawn from their own profile", unfounded, len(rows)),
                Figure("profiles", "youngest age at which a therapist started practising",
                       min(ages) if ages else "-", ">= 21", bool(ages) and min(ages) >= contract.YOUNGEST_PRACTICE_AGE)]

    def places(self) -> list[Figure]:
        from faker.providers.address.en_PH import Provider as PH

        provinces = {*PH.luzon_provinces, *PH.visayas_provinces, *PH.mindanao_provinces, "Metro Manila"}
        towns = {_town_key(t) for t in (*PH.province_lgus, *PH.metro_manila_lgus)}
        surnames = sum(1 for u in self.users.values() if u.lastName in SURNAMES)
        real_province = real_town = 0
        for u in self.users.values():
            parts = [p.strip() for p in (u.address or "").split(",")]
            province = parts[-1] if parts else ""
            town = parts[-2] if len(parts) >= 2 else ""
            real_province += province in provinces
            real_town += _town_key(town) in towns
        Th = T.Therapist
        listed = sum(1 for p in self.conn.execute(sa.select(Th.c.province)).scalars() if p in contract.PROVINCES)
        therapists = sum(1 for u in self.users.values() if u.role == "therapist")
        n = len(self.users)
        return [_ratio("people and places", "surnames common in the Philippines", surnames, n, 0.95),
                _ratio("people and places", "addresses in a real Philippine province (Faker's list)", real_province, n, 1.0),
                _ratio("people and places", "addresses in a real Philippine city or municipality (Faker's list)",
                       real_town, n, 1.0),
                _ratio("people and places", "therapist provinces the registration form offers", listed, therapists, 1.0)]

    # time
    def time(self) -> list[Figure]:
        stamps = {"posts": [p.createdAt for p in self.posts.values()], "comments": [c.createdAt for c in self.comments],
                  "messages": [m.createdAt for m in self.messages],
                  "hearts": list(self.conn.execute(sa.select(T.PostHeart.c.createdAt)).scalars())}
        if _has(self.conn, "JournalEntry"):
            stamps["journal entries"] = list(self.conn.execute(sa.select(T.JournalEntry.c.createdAt)).scalars())
        night = sum(1 for values in stamps.values() for at in values if contract.local_hour(at) in NIGHT_HOURS)
        total = sum(len(values) for values in stamps.values())
        value = share(night, total)
        out = [Figure("time", f"activity between midnight and 6 a.m. in Manila ({night}/{total})", value, "<= 5%",
                      value <= 0.05)]
        latest = self.latest_activity()
        stale = [role for role, at in latest.items() if at is None or at < ANCHOR_DT - dt.timedelta(days=3)]
        out.append(Figure("time", "documented accounts active in the last 3 days",
                          f"{len(latest) - len(stale)} of {len(latest)}", "all", not stale))
        return out

    def latest_activity(self) -> dict[str, dt.datetime | None]:
        """Each documented account's latest login, post, comment or message."""
        out = {}
        for role, email in EMAILS.items():
            user = next((u for u in self.users.values() if u.email == email), None)
            if user is None:
                out[role] = None
                continue
            moments = [user.lastLoginAt] + [p.createdAt for p in self.posts.values() if p.userId == user.id]
            moments += [c.createdAt for c in self.comments if c.userId == user.id]
            moments += [m.createdAt for m in self.messages if m.senderId == user.id]
            out[role] = max((m for m in moments if m is not None and m <= ANCHOR_DT), default=None)
        return out

    # notifications
    def notifications(self) -> list[Figure]:
        from mentara_seed.checks.rules import notifications_not_about_their_event

        untied = notifications_not_about_their_event(self.conn, ANCHOR_DT)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(T.Notification)).scalar_one()
        roles = Counter(self.users[user_id].role for user_id in self.conn.execute(sa.select(T.Notification.c.userId)).scalars()
                        if user_id in self.users)
        return [_zero("notifications", "notifications not tied to a real event or not dated at it", len(untied), total),
                Figure("notifications", "recipients by role",
                       ", ".join(f"{role} {n}" for role, n in sorted(roles.items())), "all four roles",
                       set(roles) >= {"client", "therapist", "moderator", "admin"})]


def tone_agrees(rating: int, scores: dict) -> bool:
    """VADER's scores against the stars: 4-5 positive overall (compound >= 0.05, VADER's own
    threshold), 1-2 negative overall (<= -0.05), 3 mixed (some positive and some negative words)."""
    if rating >= 4:
        return scores["compound"] >= 0.05
    if rating <= 2:
        return scores["compound"] <= -0.05
    return scores["pos"] > 0 and scores["neg"] > 0


def professional_age(born: dt.datetime | None, started: dt.datetime | None) -> int:
    from mentara_seed.generate.professionals import full_years

    return full_years(born, started) if born and started else -1


def _town_key(name: str) -> str:
    """A town's name compared loosely: no "City", no accents (Dasmariñas), letters only."""
    name = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    name = name.replace(" city", "").replace("city of ", "").strip()
    return re.sub(r"[^a-z]", "", name)


def _has(conn, table: str) -> bool:
    return table in sa.inspect(conn).get_table_names()


# -- running -----------------------------------------------------------------------------------------
def seed(url: str, mode: str, scale: int) -> float:
    from dagster import DagsterInstance

    from mentara_seed.definitions import defs
    from mentara_seed.resources import MentaraDatabase, SeedConfig

    started = time.perf_counter()
    result = defs.resolve_job_def("seed_job").execute_in_process(
        resources={"database": MentaraDatabase(url=url), "seed_config": SeedConfig(mode=mode, scale=scale, anchor=ANCHOR)},
        instance=DagsterInstance.ephemeral(), raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    if not result.success:
        raise SystemExit(f"seed_job failed at {mode} x{scale}; see the log above")
    return time.perf_counter() - started


def parse_volumes(spec: str) -> list[tuple[str, int]]:
    out = []
    for part in spec.split(","):
        mode, _, scale = part.strip().partition(":")
        if mode not in ("light", "medium", "heavy"):
            raise SystemExit(f"unknown mode {mode!r} in --volumes (light, medium or heavy, with :N for a scale)")
        out.append((mode, int(scale or 1)))
    return out


def report(volumes: Iterable[tuple[str, int]], workdir: Path,
           progress: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> str:
    """Seed each volume and measure it; the markdown the docs hold."""
    sections = []
    columns = ["area", "figure", "value", "target", "met"]
    for mode, scale in volumes:
        label = mode + (f" x{scale}" if scale > 1 else "")
        url = f"sqlite+pysqlite:///{workdir / f'realism_{mode}_{scale}.sqlite3'}"
        progress(f"seeding {label} ...")
        seconds = seed(url, mode, scale)
        figures = measure(url, mode, scale)
        rows = [f.row() for f in figures]
        met = sum(1 for f in figures if f.met)
        judged = sum(1 for f in figures if f.met is not None)
        progress(f"\n{label}: {met} of {judged} targets met (seeded in {seconds:.1f} s)\n{text(rows, columns)}\n")
        sections.append(f"### {label}: {met} of {judged} targets met\n\n{markdown(rows, columns)}\n")
    return "\n".join(sections)


def write(path: Path, body: str) -> None:
    old = path.read_text() if path.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
    else:
        head, tail = "# Realism\n\n", "\n"
    path.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mentara_seed.realism", description=__doc__.split("\n\n")[0])
    parser.add_argument("--volumes", default="medium,heavy:10")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the seeded databases in this directory")
    args = parser.parse_args(argv)
    volumes = parse_volumes(args.volumes)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        body = report(volumes, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="mentara_realism_") as workdir:
            body = report(volumes, Path(workdir))
    if args.out:
        write(args.out, body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
