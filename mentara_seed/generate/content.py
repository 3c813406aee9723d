"""What people write on Mentara, in their own voice and about the thing at hand.

A post is about one situation of its community's topic (``corpus``), fits its
room (introductions introduce, wins share a win), and is written by a client
as a client or by a therapist as a professional. A comment answers its post:
it names the post's situation again, and a reply answers its parent comment.
Each text is assembled from many small interchangeable parts drawn from the
row's own stream, so texts rarely repeat while each stays one coherent voice:
a sentence speaks to "you" or about "me", never both in one question.

The situation a seeded post is about is drawn from a stream of its own id
(``post_subject``), so whoever comments later finds it again without reading
anything but the post's id.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mentara_seed.generate.corpus import BY_KEY, Topic
from mentara_seed.generate.keys import Stream

TIMES = ("lately", "this week", "again today", "for the past month", "since the new year", "these past few days",
         "almost every day now", "more than usual", "since I changed jobs", "this semester")
DURATIONS = ("a few weeks", "a couple of months", "about a year", "three months", "almost two years", "years",
             "half a year")
CLIENT_DETAILS = (
    "My family thinks I'm just tired.", "Most of my officemates don't know.", "I finally told my best friend.",
    "I started seeing a therapist here on Mentara last month.", "Some days are better than others.",
    "Writing it down here already helps a little.", "I'm trying not to be so hard on myself.",
    "My partner has been patient, but I can tell it's hard for them too.", "It's worse when I skip meals.",
    "Coffee definitely doesn't help.", "I'm taking it one day at a time.", "I didn't expect it to hit this hard.",
    "I keep telling myself it's normal, but it's wearing me down.", "My mom noticed before I did.",
)
CLOSERS = ("Salamat in advance.", "Thanks for reading.", "Any advice is welcome.", "Glad this space exists.",
           "Sending good vibes to everyone here.", "Hope you're all doing okay.", "Thank you for listening.", "")


_PERSONS = {
    "you": {"I'm": "you're", "I've": "you've", "I": "you", "me": "you", "my": "your", "myself": "yourself", "am": "are"},
    "they": {"I'm": "they're", "I've": "they've", "I": "they", "me": "them", "my": "their", "myself": "themselves",
             "am": "are"},
}
_FIRST_PERSON = re.compile(r"\b(I'm|I've|I|me|my|myself|am)\b")


@lru_cache(maxsize=8192)  # clauses come from the corpus (or a title): few, and asked for with every text
def as_person(clause: str, person: str) -> str:
    """A first-person clause of a member's ("when I lie down") as a professional says it ("when you lie down")."""
    table = _PERSONS[person]
    return _FIRST_PERSON.sub(lambda m: table[m.group(0)], clause)


# Feelings a topic's members name that are not a struggle: never "I end up so proud".
GOOD_FEELINGS = frozenset({"proud", "hopeful", "determined", "calm", "grounded", "present", "inspired", "steady",
                           "steady for now", "motivated for once", "excited", "confident", "grateful", "motivated"})


def hard_feelings(topic: Topic) -> tuple[str, ...]:
    """The feelings of ``topic`` that are a struggle (what posts, notes and chats about it name)."""
    return tuple(f for f in topic.feelings if f not in GOOD_FEELINGS) or ("tired",)


def _pick(rng: Stream, options, **values) -> str:
    return rng.choice(options).format(**values)


def subject_of(rng: Stream, topic: Topic) -> tuple[str, str]:
    return rng.choice(topic.subjects)


def post_subject(draws, post_id: str, topic: Topic) -> tuple[str, str]:
    """The situation a seeded post is about: the first draw of a stream of its own id."""
    return subject_of(draws.rng("post_subject", post_id), topic)


# -- posts ---------------------------------------------------------------------------------------
# Templates never make a topic's situation name the subject of a verb ("health worries keeps"):
# it appears after "dealing with", "about", "for", where singular and plural both read right.
CLIENT_TITLES = {
    "Introductions": ("Hi from {city}!", "New here: {first} from {city}", "Hello everyone, {first} here",
                      "Hello from {city}, finally joining", "First post: {first} from {city}",
                      "Introducing myself (and my {noun})", "Hi! {first}, dealing with {subject}",
                      "Just joined because of {subject}", "Hello po from {city}", "{first} from {city}, saying hi",
                      "New member from {city} here", "Hi all, new here because of {subject}"),
    "Share Your Story": ("My experience with {subject}", "Struggling with {subject} {time}", "About {subject}, {time}",
                         "What {subject} is like for me", "A long one about {subject}",
                         "Does anyone else deal with {subject}?", "Venting about {subject} {time}", "Me and {subject}",
                         "Honest post about {subject}", "Feeling {feeling} about {subject}", "Rough {day} with {subject}",
                         "{time_cap}: {subject} again", "{duration} of {subject}", "Still {feeling} about {subject}",
                         "Anyone in {place} dealing with {subject}?", "From {place}: my story with {subject}"),
}
# Optional framing people give a title, per room (and the therapist's).
TITLE_FRAMES = {
    "Share Your Story": (("", "", "", "", "Vent: ", "Long post: ", "Update: ", "Not sure where else to post: "),
                         ("", "", "", "", " (long post)", " 😔", "...", " - any thoughts?")),
    "Coping Strategies": (("", "", "", "Question: ", "Advice please: ", "Help: ", "Genuine question: "),
                          ("", "", "", " 🙏", " (any tips welcome)")),
    "Wins and Progress": (("", "", "", "Update: ", "{day} win: ", "Finally! ", "Good news: ", "Milestone: "),
                          ("", "", " 🎉", " 💪", " (small but mine)", " 🥹", "!!")),
    "Introductions": (("",), ("", "", " 👋", " 🙂")),
    "therapist": (("", "", "", "{day} note: ", "For this community: "), ("",)),
}
CLIENT_BODIES = {
    "Introductions": (
        "Hi everyone, I'm {first} from {city}. I joined because of my {noun}; the hardest part is {subject}, "
        "especially {situation}. {detail} "
        "Looking forward to learning from all of you.",
        "Hello! {first} here. I've been dealing with my {noun} for {duration}, mostly {subject}, {situation}. {detail} "
        "Happy to have found this community.",
        "Hi, I'm new. Dealing with {subject} has been getting to me {time}, and I feel {feeling} a lot. {detail} I "
        "hope it's okay to just read for a while before I share more.",
        "Hello po! I'm {first}, {age_line}. My therapist suggested joining a community like this for my {noun}, "
        "especially {subject}. "
        "{detail} Nice to meet you all.",
    ),
    "Share Your Story": (
        "Dealing with {subject} has been rough {time}, especially {situation}. I feel {feeling} and I don't always "
        "know why. {detail} {closer}",
        "I wanted to share something. For {duration} I've been struggling with my {noun}, and it's worst {situation}. "
        "{detail} Reading your posts makes me feel less alone. {closer}",
        "It happened again {situation}. I was so {feeling}. {detail} I'm trying to understand my {noun} better. "
        "{closer}",
        "Not looking for advice, just need to get this out. I've felt {feeling} {time}, mostly because of {subject}, "
        "{situation}. {detail}",
        "Today was one of those days. {Situation}, I felt {feeling} again and couldn't shake it. {detail} {closer}",
        "Can I be honest? My {noun} is worse than I let on. It's hardest {situation}. {detail} {closer}",
    ),
}
# (title, body) pairs: the title's question or strategy is the body's.
CLIENT_POSTS = {
    "Coping Strategies": (
        ("What helps you with {subject}?", "I keep running into {subject}, especially {situation}. "
         "I've tried {strategy}, with mixed results. What has worked for others here? {closer}"),
        ("Tips for {subject}?", "Does anyone have tips for {subject}? It's hardest {situation}, and I end up so "
         "{feeling}. {detail} {closer}"),
        ("{strategy}: does it work for you?", "I started {strategy} {time} for my {noun}, mostly the {subject}. Some "
         "days it helps, some days it doesn't. Has anyone stuck with it long-term? {closer}"),
        ("How do you cope with {subject}?", "Genuine question for this community: how do you cope with {subject}? "
         "For me it's worst {situation}; I get really {feeling}. Any tips? {closer}"),
        ("Trying {strategy} for {subject}", "My therapist suggested {strategy} for the {subject} side of my {noun}, "
         "so I'm trying it for two weeks. Any tips for sticking with it? I'll report back."),
        ("Need ideas for {subject}", "I'm running out of ideas for {subject}, especially {situation}, when I feel "
         "{feeling}. So far I've tried {strategy}. What else could I try? {closer}"),
        ("Best ways to handle {subject}?", "What are your best ways to handle {subject}? Mine shows up {situation} "
         "and leaves me {feeling}, and {strategy} only helps a little. {closer}"),
        ("Anyone in {place} tried {strategy}?", "Is anyone here from {place} trying {strategy} for {subject}? "
         "Would love to compare notes; mine is worst {situation}. {closer}"),
        ("Anyone tried {strategy}?", "Has anyone here tried {strategy} for {subject}? My {noun} flares up "
         "{situation}, and I'm wondering if it's worth the effort. {closer}"),
        ("{subject}: what actually works?", "Honest question: what actually works for {subject}? I get so {feeling} "
         "{situation}. I've read about {strategy} but haven't tried it yet. {closer}"),
        ("Looking for tips on {subject} {time}", "Looking for tips: dealing with {subject} has been harder {time}, especially "
         "{situation}. What helps you on days like that? {closer}"),
    ),
    "Wins and Progress": (
        ("Small win: I {win}!", "Sharing a small win: I {win}. A month ago, {subject} would have stopped me. "
         "{strategy} really helped. {closer}"),
        ("Progress: I {win}", "Progress update on my {noun}: I {win}. I still struggle with {subject} sometimes, but "
         "less. It's not linear, but today counts."),
        ("Today I {win}", "Today I {win}! It sounds small, but after months of {subject}, it's a big deal. Proud of "
         "myself."),
        ("A win against {subject}", "A win against {subject}: I {win}. Not long ago my {noun} would have stopped me, "
         "especially {situation}. Thank you all for the encouragement here."),
        ("Proud moment: I {win}", "Proud moment: I {win}. I used {strategy} beforehand, and {subject} didn't stop "
         "me this time. {closer}"),
        ("Finally: I {win}", "Finally! I {win}. {time_cap} my {noun} has been loud, especially {subject}, so this "
         "feels like real progress. {closer}"),
        ("Tiny victory {time}: I {win}", "Tiny victory: I {win}. With {subject}, that felt impossible a few months "
         "ago. Sharing in case it gives someone hope. {closer}"),
        ("{day} win: I {win}", "{day} win! I {win}, and {strategy} helped me get there despite {subject}. {closer}"),
        ("I {win}!", "I {win}! Not long ago {subject} made that feel impossible. {strategy} helped. {closer}"),
        ("I {win} {time}", "Small thing, but I {win} {time}. With {subject} in the mix, I'm counting it as a win. "
         "{closer}"),
    ),
}
AGE_LINES = ("a nurse", "a college student", "a call center agent", "a teacher", "a parent of two", "a fresh graduate",
             "a freelance designer", "an engineering student", "a bank teller", "a small business owner", "a med tech")
# What a therapist says they work with, per general community (an illness community: its condition).
THERAPY_CONTEXT = {"mindfulness": "a busy mind", "family": "family life", "young_adults": "early adulthood",
                   "students": "student life", "workplace": "working life", "parents": "parenthood",
                   "lgbtqia": "coming out", "creative": "low moods"}
THERAPIST_TITLES = (
    "A therapist's note on {subject}", "Three things that help with {subject}", "Understanding {subject}",
    "About {subject}: why it happens and what helps", "{strategy}: how and why it works", "On {subject}: you are not alone",
    "Gentle reminder about {subject}", "Common questions about {subject}", "A small experiment for {subject}",
    "{strategy} for {subject}", "When it comes to {subject}", "What I tell clients about {subject}",
    "Why {strategy} helps with {subject}",
)
THERAPIST_BODIES = (
    "Many people dealing with {context} notice {subject}, especially {they_situation}. That is a common and "
    "understandable response, not a personal failing. One approach with good evidence is {strategy}. Start small, "
    "and notice what changes over a week or two.",
    "In my work I hear about {subject} often. It helps to notice what happens right before it: your thoughts, your "
    "body, the setting. Once the pattern has a name, {strategy} becomes easier to use. Be patient with yourself.",
    "A few ideas for {subject}, one of the hardest parts of {context}: first, {strategy}. Second, keep expectations "
    "small and specific. Third, reach out "
    "to someone you trust. If it keeps getting in the way of daily life, talking it through with a professional "
    "can help.",
    "If you feel {feeling} {you_situation}, you are in good company here. What usually helps is combining {strategy} "
    "with regular routines for sleep and meals. Progress tends to come in small steps.",
    "A question I get a lot about {context}: what can you do about {subject}? My short answer: try {strategy} for a "
    "few minutes a day, and write down what changes. Bring what you notice to your next session.",
    "Quick note on {subject}. It tends to get louder {you_situation}. Try {strategy} for one week, then look back: "
    "what was different on the better days?",
)
THERAPIST_INTRO_TITLES = ("Hello from a {provider} in {city}", "Introducing myself: {first}, {provider}",
                          "Hi everyone, I'm {first}", "A {provider} from {city} joining the conversation",
                          "{first} here, a {provider} from {city}")
THERAPIST_INTRO_BODIES = (
    "Hello, I'm {first}, a {provider} based in {city}. I work mostly with {context}, and often with {subject}. I'm here to share "
    "practical tools and to learn from your experiences. Posts here are not a substitute for a session, but I hope "
    "they help.",
    "Hi! I'm {first}. In my work with {context} I hear a lot about {subject}. I'll post short notes on things like {strategy} from "
    "time to time. Feel free to ask questions.",
    "Magandang araw! I'm {first}, a {provider} from {city}. Happy to join this community. I'll share what the "
    "research says about {context}, and especially {subject}, in plain words.",
)


def post(rng: Stream, topic: Topic, subject: tuple[str, str], room: str | None, voice: str, first: str,
         city: str, chapter: str | None = None) -> tuple[str, str]:
    """(title, content) of a post about ``subject`` in ``room`` of a ``topic`` community (of a regional
    ``chapter``, whose members sometimes look for people nearby)."""
    short, situation = subject
    time = rng.choice(TIMES)
    strategies = [x for x in topic.strategies if x != short] or list(topic.strategies)
    values = {"subject": short, "situation": situation, "Situation": _sentence_case(situation),
              "context": THERAPY_CONTEXT.get(topic.key, topic.noun),
              "you_situation": as_person(situation, "you"), "they_situation": as_person(situation, "they"),
              "feeling": rng.choice(hard_feelings(topic)), "noun": topic.noun, "strategy": rng.choice(strategies),
              "win": rng.choice(topic.wins), "time": time, "time_cap": _sentence_case(time),
              "duration": rng.choice(DURATIONS), "detail": rng.choice(CLIENT_DETAILS), "closer": rng.choice(CLOSERS),
              "first": first, "city": city, "age_line": rng.choice(AGE_LINES), "provider": "psychologist",
              "day": rng.choice(DAYS), "place": chapter or city}
    if voice == "therapist":
        if room == "Introductions":
            values["provider"] = rng.choice(("psychologist", "therapist", "counselor"))
            return _pick(rng, THERAPIST_INTRO_TITLES, **values), tidy(_pick(rng, THERAPIST_INTRO_BODIES, **values))
        title = _framed(rng, "therapist", _sentence_case(_pick(rng, THERAPIST_TITLES, **values)), values)
        return title, tidy(_pick(rng, THERAPIST_BODIES, **values))
    if room in CLIENT_POSTS:
        title, body = rng.choice(CLIENT_POSTS[room])
        return _framed(rng, room, _sentence_case(title.format(**values)), values), tidy(body.format(**values))
    kind = room if room in CLIENT_TITLES else "Share Your Story"
    title = _framed(rng, kind, _sentence_case(_pick(rng, CLIENT_TITLES[kind], **values)), values)
    return title, tidy(_pick(rng, CLIENT_BODIES[kind], **values))


def _framed(rng: Stream, kind: str, title: str, values: dict) -> str:
    """A title with the framing people sometimes give one ("Vent: ...", "... 🙏")."""
    before, after = TITLE_FRAMES.get(kind, (("",), ("",)))
    prefix, suffix = rng.choice(before).format(**values), rng.choice(after)
    if ":" in title or title.startswith(("Finally", "Small win", "Progress")):
        prefix = ""  # one frame is enough ("Update: small win: ..." is not)
    if prefix.endswith(": ") and not title.startswith(("I ", "I'", "ADHD", "OCD", "PTSD")):
        title = title[:1].lower() + title[1:]
    return _sentence_case(prefix + title) + suffix if prefix else title + suffix


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


# A sentence ends at . ! or ?, but not at the dot of "a.m.", "p.m.", "e.g." or "i.e.". (The look-behinds
# follow the mark, so that they are tried at marks only, not at every character of every text.)
_SENTENCE_START = re.compile(r"([.!?])(?<![ap]\.m.)(?<!e\.g.)(?<!i\.e.) ([a-z])")


def tidy(text: str) -> str:
    """One space between words, and every sentence starting with a capital."""
    text = " ".join(text.split())
    return _sentence_case(_SENTENCE_START.sub(lambda m: m.group(1) + " " + m.group(2).upper(), text))


# -- comments and replies ---------------------------------------------------------------------
CLIENT_OPENERS = ("Same here.", "I hear you.", "This hits home.", "Thank you for posting this.", "Oh, I feel this.",
                  "Sending you a big hug.", "You're not alone in this.", "Thanks for being so honest.", "Relate much.",
                  "Reading this made me tear up a bit.", "I'm glad you shared.", "Hugs!", "Been there.",
                  "Grabe, same.", "Thank you for putting this into words.", "This is so me.", "")
CLIENT_CORES = (
    "I know how hard {subject} can be, especially {situation}.",
    "What helped me with {subject} was {strategy}.",
    "{strategy} made {subject} a little easier for me.",
    "I struggle with {subject} too, and it's the worst {situation}.",
    "I used to think I was the only one dealing with {subject}.",
    "For me, {subject} eased a bit once I tried {strategy}.",
    "My therapist suggested {strategy} for {subject}, and it's slowly helping.",
    "The part about {subject} is exactly what I struggle with, especially {situation}.",
    "I started {strategy} for {subject} {time} and it's a small help.",
    "Same with me and {subject}. {strategy} is what finally made a dent.",
    "When {subject} hits, I try {strategy}. Not magic, but it helps.",
    "I had a bad stretch of {subject} {time} too.",
)
CLIENT_EXPERIENCES = ("I've been dealing with it for {duration}.", "Some weeks are better than others for me.",
                      "It took me a while to notice the pattern.", "I still have bad days, but fewer.",
                      "It helped me to say it out loud in session.", "Writing it down helps me too.",
                      "My family didn't get it at first either.", "")
CLIENT_CLOSERS = ("Rooting for you!", "Kaya mo 'to!", "Be gentle with yourself.", "One day at a time.",
                  "Proud of you for reaching out.", "Keep us posted.", "Take care.", "Laban lang!", "Ingat!",
                  "You've got this.", "")
# A member answering a professional's post.
TO_PROFESSIONAL_OPENERS = ("Thank you for this, {author}.", "This is really helpful, {author}.", "Saving this post.",
                           "Thank you, {author}, I needed this today.", "Very clear, thank you po.",
                           "Thanks for explaining this, {author}.", "")
TO_PROFESSIONAL_CORES = (
    "I'll try {strategy} this week for {subject}.", "{strategy} has helped me a bit with {subject} already.",
    "Does {strategy} still work {situation}?", "I never thought about {subject} that way.",
    "My {subject} is worst {situation}, so this is timely.", "How long before {strategy} usually starts to help with {subject}?",
    "I've been stuck on {subject} {time}; this gives me somewhere to start.",
)
TO_PROFESSIONAL_CLOSERS = ("Salamat po!", "Thank you po.", "Will report back.", "Sharing this with my sister.", "")
# Answering a newcomer's introduction, and a member's win.
WELCOMES = ("Welcome, {author}!", "Welcome to the community, {author}!", "Hi {author}, glad you found us.",
            "Mabuhay, {author}! Welcome.", "Hello {author}, welcome!", "Welcome po, {author}.")
WELCOME_CORES = ("I'm also dealing with {subject}; you're in good company here.",
                 "There's a lot of talk about {subject} here; you're not alone.", "I joined for {subject} too, {time}.",
                 "Reading first is totally fine. There are good threads here on {subject}.",
                 "Try the Coping Strategies room for {subject}; it helped me a lot.")
CHEERS = ("Congrats, {author}!", "So proud of you, {author}!", "This made my day!", "Yay, {author}! Well done.",
          "Ang galing, {author}!", "Big win, {author}!")
CHEER_CORES = ("That is huge, especially with {subject} in the picture.", "Getting past {subject} even once is a big deal.",
               "I'm working on {subject} too, and this gives me hope.",
               "I know how hard {subject} can be. Celebrate this!", "Did {strategy} help with the {subject} part?")
THERAPIST_WELCOMES = (("Welcome, {author}.", "Welcome to the community, {author}.", "Glad you're here, {author}."),
                      ("This is a supportive place to talk about {subject}.",
                       "Many members here know {subject} firsthand; take your time.",
                       "Reading before sharing is completely fine, especially with {subject}.",
                       "You'll find practical tips on {subject} in the Coping Strategies room."),
                      ("", "Take care.", "Feel free to ask questions anytime."))
THERAPIST_CHEERS = (("Congratulations, {author}.", "Well done, {author}.", "This is wonderful, {author}."),
                    ("Progress with {subject} often looks exactly like this.",
                     "Steps like this are how {subject} loosens its grip.",
                     "Small, concrete wins like this matter a lot with {subject}.",
                     "Notice what helped you do it; that's worth repeating with {subject}."),
                    ("", "Keep going.", "Be proud of this."))
THERAPIST_OPENERS = ("Thank you for sharing this.", "This is a very common experience.", "That sounds really hard.",
                     "What you describe makes sense.", "I appreciate how clearly you put this.",
                     "Thank you for trusting the community with this.", "")
THERAPIST_CORES = (
    "With {subject}, {strategy} often works best alongside a regular routine.",
    "One approach with good evidence for {subject} is {strategy}.",
    "It can help to notice what happens just before {subject}, {you_situation}.",
    "With {subject}, small, repeated steps usually work better than big changes.",
    "Many people find {strategy} useful for {subject}; start with a few minutes a day.",
    "It is worth being curious rather than critical about {subject}.",
    "Noticing {subject} {you_situation} is already an important first step.",
)
THERAPIST_CLOSERS = ("If it keeps getting in the way of daily life, consider talking it through with a professional.",
                     "Be patient with the process.", "Progress often comes in small steps.",
                     "Please reach out to someone you trust if it feels too heavy.", "")
# Replies take up what their parent said: its strategy, if it named one, else its situation.
REPLIES_ON_A_STRATEGY = (
    "{parent}, how long did it take before {parent_strategy} started to help?", "Thanks {parent}, I'll give "
    "{parent_strategy} a try.", "{parent}, {parent_strategy} helped me too!", "Do you do {parent_strategy} every "
    "day, {parent}?", "Same as {parent}, {parent_strategy} is my go-to now.", "{parent}, did {parent_strategy} feel "
    "awkward at first? It did for me.",
)
REPLIES = (
    "Agree with {parent} on this.", "{parent}, this is exactly how it feels for me too.", "Same as {parent}: "
    "{subject} hits me {situation}.", "Thank you for this, {parent}.", "{parent}, sending you strength too.",
    "{parent}, I felt that last line.", "Couldn't have said it better, {parent}.",
)
THERAPIST_REPLIES_ON_A_STRATEGY = (
    "Good point, {parent}. {parent_strategy} works best once it becomes a routine.",
    "{parent}, that's a great example of {parent_strategy} in practice.",
    "Thank you, {parent}. It's encouraging to hear {parent_strategy} is helping.",
    "{parent}, {parent_strategy} is a good choice for {subject}; keep it small and regular.",
    "Well said, {parent}. With {parent_strategy}, consistency matters more than perfection.",
    "Thanks for sharing, {parent}. If {parent_strategy} stops helping, a session is a good place to adjust it.",
)
TO_A_PROFESSIONAL_REPLIES = ("Thank you, {parent}. I'll try that.", "{parent}, does that work even {situation}?",
                             "Thank you po, {parent}.", "{parent}, that makes a lot of sense.")


def comment(rng: Stream, topic: Topic, subject: tuple[str, str], voice: str, to_professional: str | None = None,
            room: str | None = None, author: str | None = None) -> str:
    """A comment answering a post about ``subject``: it names the situation again, in the commenter's
    voice; ``to_professional``: the name of the therapist whose post it answers; a newcomer's
    introduction gets a welcome and a member's win a cheer (``author``: the poster's first name)."""
    short, situation = subject
    values = {"subject": short, "situation": situation, "you_situation": as_person(situation, "you"),
              "strategy": rng.choice(topic.strategies), "time": rng.choice(TIMES), "duration": rng.choice(DURATIONS),
              "author": to_professional or author or "friend"}
    if not to_professional and room in ("Introductions", "Wins and Progress"):
        welcome = room == "Introductions"
        if voice == "therapist":
            return tidy(" ".join(_pick(rng, part, **values) for part in (THERAPIST_WELCOMES if welcome else THERAPIST_CHEERS)))
        parts = (_pick(rng, WELCOMES if welcome else CHEERS, **values),
                 _pick(rng, WELCOME_CORES if welcome else CHEER_CORES, **values), rng.choice(CLIENT_CLOSERS))
        return tidy(" ".join(parts))
    if voice == "therapist":
        opener = f"Well put, {to_professional}." if to_professional else rng.choice(THERAPIST_OPENERS)
        parts = (opener, _pick(rng, THERAPIST_CORES, **values), rng.choice(THERAPIST_CLOSERS))
    elif to_professional:
        parts = (_pick(rng, TO_PROFESSIONAL_OPENERS, **values), _pick(rng, TO_PROFESSIONAL_CORES, **values),
                 rng.choice(TO_PROFESSIONAL_CLOSERS))
    else:
        parts = (rng.choice(CLIENT_OPENERS), _pick(rng, CLIENT_CORES, **values),
                 _pick(rng, CLIENT_EXPERIENCES, **values), rng.choice(CLIENT_CLOSERS))
    return tidy(" ".join(parts))


def reply(rng: Stream, topic: Topic, subject: tuple[str, str], voice: str, parent_first: str | None,
          parent_text: str | None = None, parent_voice: str = "client") -> str:
    """A reply to ``parent_first``'s comment (``parent_text``) under a post about ``subject``: it takes up
    the strategy the parent named, or the post's situation."""
    short, situation = subject
    said = (parent_text or "").lower()
    named = [s for s in topic.strategies if s.lower() in said]
    values = {"subject": short, "situation": situation, "you_situation": as_person(situation, "you"),
              "strategy": rng.choice(topic.strategies), "parent": parent_first or "friend",
              "parent_strategy": rng.choice(named) if named else ""}
    if voice == "therapist":
        if named:
            return tidy(_pick(rng, THERAPIST_REPLIES_ON_A_STRATEGY, **values))
        return tidy(f"Good point, {values['parent']}. " + _pick(rng, THERAPIST_CORES, **values))
    if parent_voice == "therapist":
        return tidy(_pick(rng, TO_A_PROFESSIONAL_REPLIES, **values))
    core = _pick(rng, REPLIES_ON_A_STRATEGY if named else REPLIES, **values)
    return tidy(core + " " + rng.choice(CLIENT_CLOSERS))


FALLBACK = BY_KEY["mindfulness"]


def subject_from_title(title: str | None) -> tuple[str, str]:
    """What someone else's post is about, as a reply can name it: its title, lowercased."""
    text = (title or "your post").strip().rstrip("?!.")
    return text[:1].lower() + text[1:], "lately"


# -- direct messages -------------------------------------------------------------------------
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
CLOCK = ("9 a.m.", "10 a.m.", "11 a.m.", "1 p.m.", "2 p.m.", "3 p.m.", "4 p.m.", "5:30 p.m.", "7 p.m.")
# Scenes of a conversation: (who speaks: 0 = the client, 1 = the other person, ways of saying it);
# {me}/{other} are the speaker's and the listener's first names.
SCENES = {
    "therapist": (
        ((1, ("Hi {other}, just checking in after our session. How did {strategy} go this week?",
              "Hello {other}! Quick check-in: were you able to try {strategy} since {day}?",
              "Hi {other}, how has the week been? I've been thinking about what you said about {subject}.")),
         (0, ("Hi {other}! I tried it twice. It helped a bit with {subject}, especially {situation}.",
              "Hello {other}! Honestly, only once. It's hard to remember when {subject} hits.",
              "Hi! It was a rough week, but I managed to try {strategy} on {day}.")),
         (1, ("That is real progress. What did you notice right before it got hard?",
              "Once is a start, {other}. What got in the way the other days?",
              "Thank you for telling me. Which moment of the week was the hardest?")),
         (0, ("Mostly my thoughts racing about {subject}. I wrote them down like you said.",
              "{Situation}, mostly. I just froze.", "Probably {day}. I felt so {feeling}.")),
         (1, ("Good. Bring those notes on {day} and we'll go through them together.",
              "That's useful to know. Let's look at {day} together in our next session.",
              "Let's make that our starting point on {day}. You're doing the work, {other}.")),
         (0, ("Will do. See you on {day} at {clock}!", "Okay, thank you {other}. See you {day}.",
              "Thanks, {other}. See you at {clock} on {day}."))),
        ((0, ("Good morning {other}, is it okay if we move {day}'s session to {clock}?",
              "Hi {other}, sorry for the short notice. Could we do {clock} instead on {day}?")),
         (1, ("Good morning {other}! {clock} on {day} works for me. I'll update the booking.",
              "Hi {other}, no problem. I've moved us to {clock} on {day}.")),
         (0, ("Thank you so much, {other}. Work got busy this week.", "Salamat po! My shift changed again.",
              "Thank you! Family stuff came up on {day}.")),
         (1, ("No problem at all, {other}. Take care of yourself until then.",
              "Of course. Try to keep up {strategy} in the meantime.")),
         (0, ("I will, thanks {other}.", "Will do. See you {day}!"))),
        ((0, ("Hi {other}, quick question about the worksheet. Do I write one entry per day?",
              "Hello {other}, for the worksheet on {subject}, should I include the small moments too?")),
         (1, ("Hi {other}! One entry per day is perfect, even a short one.",
              "Yes, {other}, the small moments are often the most useful ones.")),
         (0, ("Okay. Yesterday's was about {subject}, {situation}.",
              "Got it. I already have two entries about feeling {feeling}.")),
         (1, ("That's exactly the kind of moment we want to capture. Well done, {other}.",
              "Perfect. We'll go through them together on {day}.")),
         (0, ("Thanks, see you on {day}.", "Thank you, {other}!"))),
        ((0, ("Hi {other}, today was a hard day. {subject} came back {situation}.",
              "{other}, I'm not doing great tonight. I feel really {feeling}.")),
         (1, ("Thank you for telling me, {other}. That sounds exhausting. Were you able to try {strategy}?",
              "I'm glad you reached out, {other}. What helped even a little today?")),
         (0, ("A little. It helped me calm down enough to rest by {clock}.", "I tried {strategy}. It took the edge off.")),
         (1, ("I'm glad. Let's talk about it on {day}. If it ever feels unsafe, call the NCMH crisis line at 1553.",
              "That matters. We'll go over it on {day}. If you ever feel unsafe, the NCMH crisis line is 1553.")),
         (0, ("Okay. Thank you for checking on me, {other}.", "I will. Thank you, {other}.")),
         (1, ("Always, {other}. Rest well tonight.", "Take care, {other}. Talk soon."))),
        ((1, ("Hi {other}, I've shared a new worksheet with you: a short one on {subject}.",
              "Hello {other}! I assigned the worksheet we talked about. It's due before {day}.")),
         (0, ("Got it, thank you {other}! I'll start tonight.", "Thanks {other}! Is it okay if it's not perfect?")),
         (1, ("Take your time, {other}. Honest answers are more useful than perfect ones.",
              "Of course, {other}. There are no wrong answers here.")),
         (0, ("Okay, I'll send it by {day}.", "Noted. I'll bring questions on {day}.")),
         (1, ("Sounds good, {other}. See you {day}.", "Great, {other}. See you {day} at {clock}."))),
        ((0, ("Hi {other}, I just wanted to say thank you. {strategy} is really working for me.",
              "{other}, small update: I had a good week with {subject} for once!")),
         (1, ("That's wonderful to hear, {other}! What do you think made the difference?",
              "I'm so glad, {other}. That's your effort showing.")),
         (0, ("I think practising {strategy} every day, even when I didn't feel like it.",
              "Doing it before {subject} got bad, not after.")),
         (1, ("That's a skill you can keep. Let's build on it on {day}.",
              "Exactly right. We'll talk about keeping it going on {day}.")),
         (0, ("See you then, {other}!", "Thank you, {other}. See you {day}!"))),
    ),
    "peer": (
        ((1, ("Hi {other}! I saw your post about {subject}. How are you doing now?",
              "Hey {other}, your post about {subject} stuck with me. Kumusta ka?")),
         (0, ("Hi {other}, thanks for messaging! A bit better. {strategy} has been helping.",
              "Hey! Thanks for asking. Still {feeling}, but better than last week.")),
         (1, ("Same for me, I started it last month. Some days are still rough though.",
              "Glad to hear. I deal with {subject} too, mostly {situation}.")),
         (0, ("Yeah. It helps to know someone else gets {subject}.", "It really helps to talk to someone who gets it, {other}.")),
         (1, ("Totally. Message me anytime, {other}.", "Anytime, {other}. We've got this.")),
         (0, ("You too, {other}. Ingat!", "Thanks {other}! Ingat ka."))),
        ((1, ("Hey {other}, are you joining the group session on {day}?",
              "Hi {other}! Did you see there's a group session on {day} about {subject}?")),
         (0, ("I'm thinking about it! Have you been to one before?", "I saw it! I'm a bit nervous to join.")),
         (1, ("Once. It was really chill, {other}, nobody has to share if they don't want to.",
              "I went to one last month, {other}. You can just listen if you want.")),
         (0, ("Okay, I'll register then. See you there on {day}?", "That helps, {other}. I'll sign up tonight.")),
         (1, ("See you {day}, {other}!", "Yay! See you on {day}."))),
        ((0, ("Hi {other}! Thanks for the comment on my post. It made my day.",
              "Hey {other}, thank you for replying to my post about {subject}.")),
         (1, ("Of course! What you wrote about {subject} sounded so familiar.",
              "No problem, {other}! I could relate so much.")),
         (0, ("Does it still happen to you {you_situation}?", "How do you deal with it {you_situation}?")),
         (1, ("Sometimes, but less. {strategy} is what helped most.", "Less than before. I use {strategy} now.")),
         (0, ("I'll try that this week. Thanks {other}!", "Noted! Thank you, {other}."))),
        ((1, ("Hi {other}, small win to share: I finally tried {strategy}!",
              "{other}! Remember the thing about {subject}? I did it today.")),
         (0, ("That's amazing, {other}! How did it go?", "Proud of you, {other}! Tell me everything.")),
         (1, ("Better than I expected. Still {feeling}, but I did it.", "I was {feeling} at first, but it worked.")),
         (0, ("Told you you could. Laban lang!", "So happy for you. Next time I'm trying it too.")),
         (1, ("Thanks for cheering me on, {other}.", "Salamat, {other}! Your turn next."))),
    ),
    "moderator": (
        ((1, ("Hi {other}, welcome to Mentara! Please take a minute to read the Community Guidelines room.",
              "Welcome, {other}! I'm one of the moderators here. The Community Guidelines room has the basics.")),
         (0, ("Hi {other}! Thanks, I just read them.", "Hello {other}, thank you! I'll read them now.")),
         (1, ("Great. If anything ever feels off in a thread, use Report and we'll look at it.",
              "Thanks! If you see something that worries you, the Report button comes straight to us.")),
         (0, ("Will do. Is it okay to post about {subject}?", "Noted. Can I write about {subject} in Share Your Story?")),
         (1, ("Absolutely, {other}, that's what the Share Your Story room is for.", "Of course, {other}. Many members write about {subject}.")),
         (0, ("Thank you, {other}!", "Salamat, {other}!"))),
        ((0, ("Hi {other}, I reported a post yesterday that looked like spam.",
              "Hello {other}, someone keeps posting links to a supplement shop.")),
         (1, ("Thanks for flagging it, {other}. We've reviewed it and removed the link.",
              "Thank you, {other}. We've looked at the report and taken the posts down.")),
         (0, ("Thank you, {other}! It was selling supplements.", "Thanks for acting so fast, {other}.")),
         (1, ("We appreciate members like you looking out for each other, {other}.", "Reports like yours keep this place safe, {other}.")),
         (0, ("Of course. Thanks for keeping this place safe.", "Happy to help, {other}."))),
        ((1, ("Hi {other}, just checking in. Your last post sounded heavy. Are you okay?",
              "Hello {other}, I saw your post about {subject}. How are you holding up?")),
         (0, ("Thanks for checking, {other}. I'm okay, just a rough week.", "I'm alright now, thank you {other}.")),
         (1, ("Glad to hear. If it ever gets too much, the NCMH crisis line is 1553, any time.",
              "Okay. Remember you can book a session with a therapist here too.")),
         (0, ("I'll keep that in mind. Thank you, {other}.", "Thank you, {other}, that means a lot."))),
    ),
}
# Later messages of any conversation (one someone else started, or one short of messages):
# (who speaks: 0 = the client, ways of saying it).
FOLLOW_UPS = (
    (0, ("Hi {other}, just wanted to say {strategy} is still helping.", "Hi {other}! Quick update: {subject} was "
         "easier this week.", "{other}, I tried {strategy} again on {day}. It went okay!")),
    (1, ("That's great to hear, {other}!", "So glad, {other}. Keep going.", "Love that, {other}. Thanks for the "
         "update.")),
    (0, ("Thanks again for {day}, {other}.", "Salamat, {other}. Talking helps.", "Thank you for listening the other "
         "day, {other}.")),
    (1, ("Anytime. How are you feeling today?", "Of course! How's the rest of your week?", "Always. What's been "
         "on your mind?")),
    (0, ("A bit tired, but okay.", "Better than {day}, honestly.", "Still {feeling} some days, but managing.")),
    (1, ("Rest when you can. Talk soon.", "That's okay. One day at a time.", "Take it easy, {other}. Talk soon.")),
)


# How each side of a chat signs off a line now and then.
TAILS = {"client": ("", "", "", "", " 🙂", " 🙏", " 😊"), "therapist": ("", "", "", "", " 🙂"),
         "peer": ("", "", "", " haha", " 😊", " 🙂", " 💪"), "moderator": ("", "", "", " 🙂")}


def _line(rng: Stream, ways: tuple[str, ...], tails: tuple[str, ...] = ("",), **values) -> str:
    return tidy(rng.choice(ways).format(**values)) + rng.choice(tails)


def dialogue(rng: Stream, kind: str, topic: Topic, subject: tuple[str, str], client: str, other: str,
             turns: int) -> list[tuple[int, str]]:
    """``turns`` messages of a conversation between a client and a therapist, a peer or a moderator."""
    scene = list(rng.choice(SCENES[kind]))
    k = 0
    while len(scene) < turns:
        scene.append(FOLLOW_UPS[k % len(FOLLOW_UPS)])
        k += 1
    values = {"strategy": rng.choice(topic.strategies), "subject": subject[0], "situation": subject[1],
              "Situation": _sentence_case(subject[1]), "you_situation": as_person(subject[1], "you"),
              "feeling": rng.choice(hard_feelings(topic)), "day": rng.choice(DAYS),
              "clock": rng.choice(CLOCK)}
    out = []
    for speaker, ways in scene[:turns]:
        names = {"me": client if speaker == 0 else other, "other": other if speaker == 0 else client}
        out.append((speaker, _line(rng, ways, TAILS["client" if speaker == 0 else kind], **values, **names)))
    return out


def follow_up(rng: Stream, topic: Topic, subject: tuple[str, str], client_first: str, other_first: str,
              k: int) -> tuple[int, str]:
    """The ``k``-th later message of a conversation (someone else's, or one short of messages):
    (who speaks: 0 = the client, 1 = the other person, text)."""
    speaker, ways = FOLLOW_UPS[k % len(FOLLOW_UPS)]
    names = (client_first or "there", other_first or "there")
    values = {"strategy": rng.choice(topic.strategies), "subject": subject[0], "day": rng.choice(DAYS),
              "feeling": rng.choice(hard_feelings(topic)), "me": names[speaker], "other": names[1 - speaker]}
    return speaker, _line(rng, ways, TAILS["client"] if speaker == 0 else TAILS["moderator"], **values)


# -- therapy: session notes, worksheets, reviews ------------------------------------------------------
NOTE_OPENINGS = ("Client reported feeling {feeling} {they_situation}.", "Client described {subject} {time}.",
                 "Session focused on {subject}.", "Client arrived on time and engaged well; main topic was {subject}.",
                 "Follow-up on {subject}; client reports some change since last session.")
NOTE_WORK = ("Reviewed practice of {strategy}; client used it {count} times this week.",
             "Introduced {strategy} and practised it in session.",
             "Explored thoughts that come up {they_situation}; identified a pattern of catastrophising.",
             "Worked on a thought record about {subject}; client generated a more balanced alternative.",
             "Discussed sleep, meals and movement as the base for managing {subject}.")
NOTE_RATINGS = ("Mood rated {mood}/10 (last week {last}/10).", "Distress during the week rated {mood}/10.",
                "Client rates progress toward goals {mood}/10.")
NOTE_PLANS = ("Plan: continue {strategy} daily and log triggers.", "Homework: worksheet on {subject}; review next session.",
              "Plan: gradual exposure, one small step before next session.", "Next session: review the week and adjust goals.",
              "Safety plan reviewed; no current risk indicated.")


def session_note(rng: Stream, topic: Topic, subject: tuple[str, str], number: int) -> str:
    """A therapist's progress note of one session (clinical third person)."""
    short, situation = subject
    mood = rng.randint(3, 8)
    values = {"feeling": rng.choice(hard_feelings(topic)), "they_situation": as_person(situation, "they"), "subject": short,
              "time": rng.choice(TIMES), "strategy": rng.choice(topic.strategies), "count": rng.randint(2, 6),
              "mood": mood, "last": max(1, mood - rng.randint(0, 2))}
    parts = (f"Session {number}.", _pick(rng, NOTE_OPENINGS, **values), _pick(rng, NOTE_WORK, **values),
             _pick(rng, NOTE_RATINGS, **values), _pick(rng, NOTE_PLANS, **values))
    return tidy(" ".join(parts))


WORKSHEETS = (
    ("Thought record: {subject}", "Pick one moment this week when {subject} showed up. Write the situation, the "
     "automatic thought, the evidence for and against it, and a more balanced thought."),
    ("Practice log: {strategy}", "Practise {strategy} once a day. Before and after, rate how {feeling} you feel "
     "from 0 to 10, and note what you noticed."),
    ("Trigger map for {subject}", "For seven days, note each time you notice {subject}: where you are, who you "
     "are with, what you were thinking. Circle the patterns you see."),
    ("Small steps ladder: {subject}", "List five steps toward facing {subject}, from easiest to hardest. Try the "
     "first step twice before our next session."),
    ("Daily mood check-in", "Rate your mood morning and evening for seven days and write one event that shaped it."),
    ("Values and one small action", "Write three things that matter to you and one small action for each this week."),
    ("Sleep diary", "Record bedtime, wake time, how long it took to fall asleep and how rested you felt, every day."),
)
FEEDBACK = (("Great reflection, {first}.", "Thank you, {first}.", "Nice work, {first}.", "Well done, {first}."),
            ("Let's go through the patterns on {day}.", "The {ordinal} entry is a good one to work on together.",
             "You're catching the thoughts earlier now.", "I can see you stuck with it all week.",
             "I noticed {subject} came up {count}; let's look at that on {day}.",
             "Your notes on {subject} show real effort."),
            ("", "We'll build on this next session.", "Bring it to our next session.", "Keep it up."))


def worksheet(rng: Stream, topic: Topic, subject: tuple[str, str]) -> tuple[str, str]:
    values = {"subject": subject[0], "strategy": rng.choice(topic.strategies), "feeling": rng.choice(hard_feelings(topic))}
    title, instructions = rng.choice(WORKSHEETS)
    return _sentence_case(title.format(**values)), instructions.format(**values)


def feedback(rng: Stream, client_first: str, subject: tuple[str, str]) -> str:
    values = {"first": client_first or "there", "day": rng.choice(DAYS), "subject": subject[0],
              "ordinal": rng.choice(("second", "third", "fourth", "last")), "count": rng.choice(("twice", "three times", "four times"))}
    return tidy(" ".join(_pick(rng, part, **values) for part in FEEDBACK))


RATINGS = (5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1)
REVIEW_TITLES = {
    5: ("Life-changing sessions", "Truly grateful", "Best decision I made this year", "Felt heard and supported",
        "Highly recommend {first}", "Kind, patient and so helpful"),
    4: ("Really helpful", "Good sessions overall", "Practical and kind", "Glad I booked", "Helpful tools"),
    3: ("Mixed experience", "Some sessions helped", "Still adjusting", "Not sure yet"),
    2: ("Not the right fit for me", "Disappointed", "Felt rushed"),
    1: ("Did not help", "Very disappointing"),
}
REVIEW_BODIES = {
    5: ("{first} helped me understand {subject} and gave me tools like {strategy} that really work. I feel so much "
        "better and more hopeful than when I started. Thank you so much!",
        "Every session with {first} felt safe and encouraging. I finally have a plan for {subject}, and I am "
        "grateful for the patience and warmth.",
        "I was nervous at first, but {first} made it easy to open up. The progress I've made with {subject} is real. "
        "Wonderful therapist."),
    4: ("{first} is kind and practical. {strategy} has helped with {subject}. Sometimes sessions felt a bit short, "
        "but overall very good.",
        "Good experience. {first} listens well and the homework helps. I'd like a little more structure, but I'm "
        "happy I booked."),
    3: ("Some sessions helped with {subject}, others felt repetitive. {first} is nice, but I'm not sure yet if it's "
        "the right approach for me.",
        "Mixed feelings. {strategy} helped a little with {subject}, but progress has been slow and a couple of "
        "sessions felt rushed and disorganized.",
        "Average. {first} is kind and listens well, but the sessions on {subject} often ran late, which was "
        "frustrating."),
    2: ("I didn't feel heard. The sessions with {first} felt rushed, and I left more confused and frustrated about "
        "{subject}.",
        "Disappointing. The advice on {subject} felt generic, the sessions started late twice, and I left "
        "frustrated."),
    1: ("This did not help at all. I felt dismissed when I talked about {subject}. Very disappointing.",
        "Terrible experience. The session was cut short and I felt worse afterwards."),
}


def review(rng: Stream, rating: int, therapist_first: str, topic: Topic, subject: tuple[str, str]) -> tuple[str, str]:
    """(title, content) whose tone matches the rating."""
    values = {"first": therapist_first or "My therapist", "subject": subject[0], "strategy": rng.choice(topic.strategies)}
    return _pick(rng, REVIEW_TITLES[rating], **values), tidy(_pick(rng, REVIEW_BODIES[rating], **values))


# -- journal entries (first person, plain text, as the app renders them) ---------------------------
JOURNAL_OPENINGS = (
    "Today was {quality}.", "Woke up feeling {feeling} again.", "Quick check-in before bed.",
    "Writing this on my lunch break.", "Long day, but I want to get this down.", "Rainy morning in {town}.",
    "Sunday evening thoughts.", "Small note to future me.", "Back home in {town} after a long commute.",
    "Couldn't sleep, so I'm writing instead.",
)
JOURNAL_QUALITIES = ("a mixed day", "harder than I expected", "surprisingly okay", "a good day, honestly",
                     "exhausting", "calmer than last week", "a bit of a rollercoaster")
JOURNAL_LINES = (
    "Felt {feeling} {situation} again, and wrote it down instead of pushing it away.",
    "I tried {strategy} today. It helped a little, and a little counts.",
    "Small win: I {win}.",
    "The {subject} was the hard part of today.",
    "Noticed the {subject} creeping in {situation}; named it and kept going.",
    "Therapy homework: {strategy} once a day. Did it twice this week.",
    "Rated myself a {before} out of 10 this morning and a {after} tonight.",
    "Told my sister about the {subject}. She listened, which was all I needed.",
)
JOURNAL_GRATITUDE = ("my morning coffee", "a kind message from a friend", "an hour of quiet", "Lola's cooking",
                     "a good laugh at work", "the rain stopping just in time", "finishing my to-do list")
JOURNAL_CLOSINGS = ("Tomorrow I'll try again.", "Bed early tonight.", "Proud of myself for today.",
                    "Will bring this up in my next session.", "That's all for now.",
                    "Grateful for {gratitude} and {gratitude2}.", "")


def journal_entry(rng: Stream, topics, town: str) -> str:
    """A few first-person lines: an opening, one or two about the writer's concerns (their
    communities' topics), a closing."""
    topic = rng.choice(topics) if topics else FALLBACK
    subject = rng.choice(topic.subjects)
    values = {"quality": rng.choice(JOURNAL_QUALITIES), "feeling": rng.choice(hard_feelings(topic)), "town": town,
              "situation": subject[1], "subject": subject[0], "strategy": rng.choice(topic.strategies),
              "win": rng.choice(topic.wins), "before": rng.randint(3, 6), "after": rng.randint(5, 8),
              "gratitude": rng.choice(JOURNAL_GRATITUDE[:4]), "gratitude2": rng.choice(JOURNAL_GRATITUDE[4:])}
    lines = [rng.choice(JOURNAL_OPENINGS)]
    lines += rng.sample(JOURNAL_LINES, rng.randint(1, 2))
    closing = rng.choice(JOURNAL_CLOSINGS)
    if closing:
        lines.append(closing)
    return tidy(" ".join(line.format(**values) for line in lines))
