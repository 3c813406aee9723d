"""Realistic text for a mental-health platform: Faker pools plus domain vocabulary.

Faker is slow per call and its seeded output is stable only for a pinned
release, so it fills fixed pools once per process (its own word lists, and
addresses from a fixed seed); rows then draw from the pools and from the
domain phrases below with their own streams.
"""

from __future__ import annotations

from functools import cache, lru_cache
from string import Formatter

from mentara_seed.generate.keys import Stream

POOL_SIZE = 200
_FAKER_SEED = 20250101


@lru_cache(maxsize=1)
def pools() -> dict[str, tuple[str, ...]]:
    """Faker's vocabulary, drawn once per process: its name and province lists as they are, and a
    pool of Philippine addresses and cities from a fixed seed (Faker composes those per call)."""
    # Imported on first use: a run that makes no users never pays for Faker.
    from faker import Faker
    from faker.providers.address.en_PH import Provider as Places
    from faker.providers.person.en_US import Provider as Names

    ph = Faker("en_PH")
    ph.seed_instance(_FAKER_SEED)
    return {
        "first_name": tuple(Names.first_names),
        "last_name": tuple(Names.last_names),
        "address": tuple(ph.address().replace("\n", ", ") for _ in range(POOL_SIZE)),
        "province": tuple(sorted({*Places.luzon_provinces, *Places.visayas_provinces, *Places.mindanao_provinces})),
        "city": tuple(ph.city() for _ in range(POOL_SIZE)),
    }


ILLNESS_TOPICS = (
    "Anxiety", "Depression", "ADHD", "Bipolar Disorder", "PTSD", "OCD", "Insomnia",
    "Panic Disorder", "Social Anxiety", "Eating Disorders", "Grief and Loss", "Burnout",
    "Postpartum Depression", "Substance Recovery", "Self-Esteem",
)
GENERAL_TOPICS = (
    "Mindfulness Corner", "Wellness Check-ins", "Creative Healing", "Students' Lounge",
    "Parents Circle", "LGBTQIA+ Support", "Workplace Wellbeing", "Gratitude Journal",
)
ROOM_GROUPS = (("Start Here", ("Introductions", "Community Guidelines")),
               ("Support", ("Share Your Story", "Coping Strategies", "Wins and Progress")))

FEELINGS = ("anxious", "overwhelmed", "hopeful", "tired", "calmer", "stuck", "proud", "lonely", "grateful", "restless")
SITUATIONS = (
    "before a big presentation at work", "after a long week of exams", "since I started a new job",
    "when I try to fall asleep", "around family gatherings", "after a difficult conversation",
    "in crowded places", "on Sunday evenings", "since moving to a new city", "after my therapy session",
)
STRATEGIES = (
    "box breathing", "a five-minute walk outside", "journaling before bed", "the 5-4-3-2-1 grounding exercise",
    "limiting caffeine after noon", "a short body scan", "texting a friend", "writing down three good things",
    "setting a phone-free hour", "progressive muscle relaxation",
)
POST_TITLES = (
    "How do you handle feeling {feeling} {situation}?", "Small win: tried {strategy} today",
    "Feeling {feeling} {situation}", "What helps you when you feel {feeling}?",
    "Week {n} update: still practising {strategy}", "Anyone else feel {feeling} {situation}?",
    "Sharing what worked for me: {strategy}", "Checking in: feeling {feeling} today",
)
POST_BODIES = (
    "Lately I have been feeling {feeling} {situation}. My therapist suggested {strategy} and I am giving it a try. "
    "Has anyone here found something that helps?",
    "I wanted to share a small win. I used {strategy} when I felt {feeling} {situation}, and it made a real "
    "difference. Progress is not linear, but today felt good.",
    "Some days are harder than others. Today I felt {feeling}, especially {situation}. Reading this community "
    "reminds me I am not alone. What keeps you going on days like this?",
    "Tip from my last session: {strategy}. It sounds simple, but it helped me when I felt {feeling}. "
    "I would love to hear your favourite coping tools.",
)
COMMENTS = (
    "Thank you for sharing this. I feel {feeling} {situation} too, and it helps to know I am not alone.",
    "Have you tried {strategy}? It has helped me a lot on days like this.",
    "Proud of you for posting. Sending you strength this week.",
    "This really resonates. I started {strategy} last month and it is slowly getting easier.",
    "Be gentle with yourself. Feeling {feeling} is valid, and you are doing the work.",
    "I relate to this so much. What helped me was {strategy}.",
    "Thanks for the tip! I will try {strategy} tonight and report back.",
    "You are not alone in this. Reaching out like this takes courage.",
)
BIOS = (
    "Learning to slow down and take things one day at a time.", "Coffee lover, amateur painter, work in progress.",
    "Here to listen, learn and share what helps.", "Finding calm through running and journaling.",
    "Student, plant parent, practising self-compassion.", "Believer in small steps and second chances.",
)
THERAPIST_BIOS = (
    "Licensed {license} helping adults with {focus} through evidence-based, compassionate care.",
    "I work with clients facing {focus}, combining {approach} with practical tools for daily life.",
    "Over a decade of practice in {focus}; my sessions blend {approach} with mindfulness.",
)
LICENSES = ("Psychologist", "Psychometrician", "Guidance Counselor", "Psychiatrist", "Licensed Clinical Social Worker")
PROVIDER_TYPES = ("Clinical Psychologist", "Counselor", "Psychiatrist", "Psychotherapist")
APPROACHES = ("Cognitive Behavioral Therapy", "Dialectical Behavior Therapy", "Acceptance and Commitment Therapy",
              "Psychodynamic Therapy", "Mindfulness-Based Therapy", "Solution-Focused Brief Therapy", "EMDR")
EXPERTISE = ("anxiety", "depression", "trauma", "relationships", "stress management", "grief", "self-esteem",
             "ADHD", "sleep problems", "life transitions")
LANGUAGES = ("English", "Filipino", "Cebuano", "Ilocano", "Hiligaynon")
ASSESSMENT_TOOLS = ("PHQ-9", "GAD-7", "PCL-5", "ASRS", "ISI", "BDI-II")
INSURANCE = ("PhilHealth", "Maxicare", "Intellicare", "Medicard")
MEETING_TITLES = ("Weekly session", "Follow-up session", "Initial consultation", "Progress review", "Check-in session")
MEETING_NOTES = (
    "Client reported feeling {feeling} {situation}. We reviewed the thought record and practised {strategy}. "
    "Homework: continue daily practice and note triggers.",
    "Session focused on coping skills. Client has been using {strategy} and noticed some improvement. "
    "Mood rated 6/10, up from 4/10 last week. Plan: keep the routine and revisit sleep hygiene.",
    "Explored situations where the client feels {feeling}. Identified avoidance patterns {situation}. "
    "Introduced {strategy}; client agreed to try it three times before our next session.",
    "Progress review. Client reports fewer episodes of feeling {feeling}. Discussed relapse warning signs and "
    "updated the safety plan. Next step: gradual exposure {situation}.",
)
WORKSHEETS = (
    ("Thought Record", "Write down a situation where you felt {feeling}, the automatic thought, the evidence for "
     "and against it, and a more balanced thought."),
    ("Daily Mood Log", "Rate your mood morning and evening for seven days and note one event that influenced it."),
    ("Coping Skills Practice", "Practise {strategy} once a day and describe how you felt before and after."),
    ("Sleep Diary", "Record your bedtime, wake time and sleep quality each day, and any caffeine or screen use."),
    ("Values Reflection", "List five things that matter most to you and one small action for each this week."),
    ("Gratitude Journal", "Each evening, write three things you are grateful for and why they mattered."),
)
WORKSHEET_FEEDBACK = ("Great reflection, let's discuss it next session.", "Thank you, this gives us a lot to work with.",
                      "Nice progress, keep practising.")
MESSAGES = (
    "Hi! How are you feeling today?", "Thanks for checking in, I'm doing a bit better.",
    "I tried {strategy} like we discussed.", "That's great to hear. How did it feel?",
    "Still feeling {feeling} {situation}, but less than before.", "That is real progress. Be proud of that.",
    "Can we talk about it in our next session?", "Of course. I'll make a note of it.",
    "Thank you for listening.", "Anytime. Remember to be gentle with yourself.",
    "Did you see the new post in the community?", "Yes! It was really encouraging.",
)
REVIEW_TITLES = ("Truly helpful", "Felt heard and supported", "Great listener", "Practical and kind",
                 "Life-changing sessions", "Highly recommend")
REVIEW_BODIES = (
    "My therapist helped me understand why I feel {feeling} {situation}. The tools like {strategy} really work.",
    "Every session felt safe and productive. I have learned so much about myself.",
    "Kind, professional and patient. I finally have strategies that help on hard days.",
)
NOTIFICATIONS = (
    ("APPOINTMENT_REMINDER", "Upcoming session", "Your session with your therapist starts in 24 hours."),
    ("WORKSHEET_ASSIGNED", "New worksheet assigned", "Your therapist assigned you a new worksheet."),
    ("COMMUNITY_REPLY", "New reply to your post", "Someone replied to your post in the community."),
    ("COMMUNITY_WELCOME", "Welcome to the community", "Say hello in the Introductions room and read the guidelines."),
    ("MESSAGE_RECEIVED", "New message", "You have a new message waiting for you."),
    ("APPOINTMENT_CONFIRMED", "Session confirmed", "Your therapist confirmed your next session."),
    ("PROFILE_COMPLETION", "Complete your profile", "Add a short bio so your therapist can get to know you."),
    ("NEW_RECOMMENDATIONS", "New therapist recommendations", "We found therapists who match your needs."),
)
ASSESSMENT_SCALES = ("PHQ", "GAD", "ISI", "PSS", "ASRS")
SEVERITIES = ("Minimal", "Mild", "Moderate", "Moderately severe", "Severe")
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


# Where each placeholder of a template draws its word from.
VOCABULARY = {
    "feeling": FEELINGS, "situation": SITUATIONS, "strategy": STRATEGIES, "license": tuple(v.lower() for v in LICENSES),
    "focus": EXPERTISE, "approach": APPROACHES, "n": tuple(str(n) for n in range(2, 13)),
}


@cache
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name)


def fill(template: str, rng: Stream) -> str:
    """A template with its placeholders drawn from the domain vocabulary (one draw per placeholder)."""
    names = _placeholders(template)
    if not names:
        return template
    return template.format_map({name: rng.choice(VOCABULARY[name]) for name in names})


def person(rng: Stream) -> tuple[str, str]:
    pool = pools()
    return rng.choice(pool["first_name"]), rng.choice(pool["last_name"])


def post(rng: Stream) -> tuple[str, str]:
    return fill(rng.choice(POST_TITLES), rng), fill(rng.choice(POST_BODIES), rng)


def comment(rng: Stream) -> str:
    return fill(rng.choice(COMMENTS), rng)


def topic_of(name: str | None) -> str | None:
    """The topic of a community, from the name the seeder gives it (None for others' communities)."""
    for topic in (*ILLNESS_TOPICS, *GENERAL_TOPICS):
        if name and name.startswith(topic):
            return topic
    return None


def community_slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-").replace("--", "-")


# -- journal entries (first person, plain text, as the app renders them) ---------------------------
JOURNAL_OPENINGS = (
    "Today was {quality}.", "Woke up feeling {feeling} again.", "Quick check-in before bed.",
    "Writing this on my lunch break.", "Long day, but I want to get this down.", "Rainy morning in {city}.",
    "Sunday evening thoughts.", "Small note to future me.",
)
JOURNAL_QUALITIES = ("a mixed day", "harder than I expected", "surprisingly okay", "a good day, honestly",
                     "exhausting", "calmer than last week", "a bit of a rollercoaster")
JOURNAL_TOPIC_LINES = {
    "Anxiety": ("My chest felt tight during the team meeting, so I counted my breaths until it eased.",
                "I noticed I was replaying a conversation from yesterday and reminded myself it went fine.",
                "I rated my worry a 7 in the morning and a 4 by evening."),
    "Depression": ("Getting out of bed took everything, but I made breakfast and opened the curtains.",
                   "I texted my sister back instead of leaving it for another day.",
                   "Felt flat most of the afternoon; a short walk helped a little."),
    "ADHD": ("Tried the timer trick: 25 minutes on the report, then a break. Finished two sections.",
             "Forgot my keys twice, laughed about it instead of spiralling.",
             "Wrote tomorrow's three priorities on a sticky note before logging off."),
    "Insomnia": ("Fell asleep around 1 a.m. again. Going to keep the phone out of the bedroom tonight.",
                 "Slept almost seven hours! Kept to the same wake-up time like we planned.",
                 "Lay awake thinking about work, got up and read for twenty minutes like my therapist suggested."),
    "Burnout": ("Closed the laptop at six for the first time this month.",
                "Said no to an extra project and the world did not end.",
                "Felt the Sunday dread creeping in, so I planned something small to look forward to on Monday."),
    "Panic Disorder": ("Had a wave of panic on the jeepney; named five things I could see until it passed.",
                       "No panic attacks this week. Writing that down so I remember it."),
    "Social Anxiety": ("Said hello to a new officemate first. Hands were shaking, but I did it.",
                       "Skipped the group lunch, then joined for coffee after. Small win."),
    "Grief and Loss": ("Cooked Lola's adobo recipe today. Cried a little, smiled a lot.",
                       "The first anniversary is coming up and I feel it in my shoulders."),
}
JOURNAL_GENERAL_LINES = (
    "I used {strategy} when things got heavy and it helped a bit.",
    "Grateful for: my morning coffee, a kind message from a friend, and finishing my to-do list.",
    "Noticing I feel {feeling} {situation}; writing it down makes it smaller.",
    "Therapy homework: catch one unhelpful thought and rewrite it. Mine was 'I always mess up'.",
    "Drank more water and less coffee today. Small steps.",
    "I want to be gentler with myself this week.",
)
JOURNAL_CLOSINGS = ("Tomorrow I'll try again.", "Bed early tonight.", "Proud of myself for today.",
                    "Will bring this up in my next session.", "That's all for now.", "")


def journal_entry(rng: Stream, topics, city: str) -> str:
    """A few first-person lines: an opening, one or two about the writer's concerns, a closing."""
    lines = [rng.choice(JOURNAL_OPENINGS).format(quality=rng.choice(JOURNAL_QUALITIES), feeling=rng.choice(FEELINGS),
                                                 city=city)]
    topical = [line for topic in topics for line in JOURNAL_TOPIC_LINES.get(topic, ())]
    for _ in range(rng.randint(1, 2)):
        lines.append(fill(rng.choice(topical), rng) if topical and rng.random() < 0.7
                     else fill(rng.choice(JOURNAL_GENERAL_LINES), rng))
    closing = rng.choice(JOURNAL_CLOSINGS)
    return " ".join(dict.fromkeys(lines + ([closing] if closing else [])))
