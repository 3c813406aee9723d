"""Tier 1 enricher (current schema): every client has talked the pre-assessment through with the chatbot."""

import datetime as dt
from itertools import groupby
from operator import itemgetter

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import assessments, makers, state
from mentara_seed.generate.keys import Stream, seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

SYSTEM_PROMPT = ("You are Mentara's pre-assessment assistant. Ask the questionnaire items one at a time in plain, "
                 "warm language, accept free-text answers, and never give a diagnosis.")
# The questionnaires the chatbot walks a client through: the app's key, its items and answer scale.
QUESTIONS = {
    "Anxiety": ("Over the last two weeks, how often have you", (
        "felt nervous, anxious or on edge?", "not been able to stop or control worrying?",
        "worried too much about different things?", "had trouble relaxing?",
        "been so restless that it is hard to sit still?", "become easily annoyed or irritable?",
        "felt afraid, as if something awful might happen?"),
        ("Not at all", "Several days", "More than half the days", "Nearly every day")),
    "Insomnia": ("Thinking about the last two weeks, how would you rate", (
        "any difficulty falling asleep?", "any difficulty staying asleep?", "waking up too early?",
        "how dissatisfied you are with your current sleep pattern?",
        "how noticeable your sleep problem is to others?", "how worried or distressed you are about your sleep?",
        "how much your sleep problem interferes with your daily functioning?"),
        ("None at all", "A little", "Moderately", "A lot", "Very much")),
    "Panic": ("Over the past week, how would you describe", (
        "how many panic or limited-symptom attacks you had?", "how distressing those attacks were?",
        "how much you worried about the next attack?", "how much you avoided places for fear of an attack?",
        "how much you avoided activities that raise your heart rate?", "how much panic affected your work?",
        "how much panic affected your social life?"),
        ("Not at all", "Mildly", "Moderately", "Severely", "Extremely")),
}
FOLLOW_UPS = ("Thank you for sharing that.", "I appreciate you telling me.", "That makes sense.",
              "Thanks, that helps me understand.", "Got it, thank you.")
SENTIMENT = {0: "positive", 1: "neutral", 2: "mixed", 3: "negative"}


@enricher("chatbot", tier=1, owns=T.ChatbotSession, inputs=["enriched_memberships"], shard_by="client",
          writes=[T.ChatbotMessage])
def enrich_chatbot(s: Seeding) -> None:
    """Guarantees (current schema): every client has completed at least one pre-assessment chat with
    the chatbot (one questionnaire, asked item by item, answered in the client's words), and every
    chatbot session has at least six messages: the system prompt, the welcome, then question and
    answer in turn. Sessions are complete (the app deletes unfinished ones after 30 minutes)."""
    if not s.target.has(T.ChatbotSession):
        return
    needs = s.needs(BY_NAME["client_chatbot_sessions"])
    if needs:
        topics = state.topics_by_user(s)
        names = dict(s.rows(sa.select(T.User.c.id, T.User.c.firstName).where(s.one_of(T.User.c.id, list(needs)))))

        def build(part: list[tuple[str, str]]) -> None:  # a client's chat depends on the client alone
            sessions, messages = [], []
            for client_id, session_id, rng in s.ids.streams("chatbot/client", part):
                session, thread = chat(s, rng, session_id, client_id, names.get(client_id), topics.get(client_id, ()))
                sessions.append(session)
                messages.extend(thread)
            s.insert(T.ChatbotSession, sessions)
            s.insert(T.ChatbotMessage, messages)

        s.each(s.ids.allocated(T.ChatbotSession, "chatbot/client", needs, makers.PARALLEL_ENTITIES), build)
    top_up_short_sessions(s)


def chat(s: Seeding, rng: Stream, session_id: str, client_id: str, first_name: str | None, topics) -> tuple[dict, list]:
    concerns = assessments.concerns_of(topics)
    questionnaire = max(QUESTIONS, key=lambda k: (concerns.get(k, 0.0), k))
    block = assessments.BY_KEY[questionnaire]
    answers = assessments.draw_answers(rng, concerns)[block.start:block.start + block.items]
    lead, items, scale = QUESTIONS[questionnaire]
    started = (s.anchor - dt.timedelta(days=rng.randint(20, 150), minutes=rng.randint(0, 600))).replace(microsecond=0)
    moment = started
    thread = []

    def say(role: str, content: str, context: str | None = None) -> None:
        nonlocal moment
        thread.append({"id": seed_id("chatbot_message", session_id, len(thread)), "sessionId": session_id, "role": role,
                       "content": content, "questionnaireContext": context, "extractedAnswer": None,
                       "timestamp": moment, "createdAt": moment})
        moment += dt.timedelta(seconds=rng.randint(8, 70))

    say("SYSTEM", SYSTEM_PROMPT)
    say("ASSISTANT", f"Hi{' ' + first_name if first_name else ''}! I'm here to help you get matched with the right "
                     "support. I'll ask a few questions about how you've been feeling. There are no wrong answers.")
    for k, (item, answer) in enumerate(zip(items, answers, strict=True)):
        opener = "" if k == 0 else rng.choice(FOLLOW_UPS) + " "
        say("ASSISTANT", f"{opener}{lead} {item}", questionnaire)
        say("USER", scale[min(answer, len(scale) - 1)] + rng.choice(("", "", ".", ", I think.", ", honestly.")))
    say("ASSISTANT", "Thank you, that's everything for now. Your answers will help us recommend a therapist and "
                     "communities that fit you.", questionnaire)
    level = round(sum(answers) / (block.items * block.top), 2)
    insights = {
        "sentiment": {"overall": SENTIMENT[min(3, int(level * 4))], "intensity": level,
                      "keywords": [questionnaire.lower(), "sleep" if questionnaire == "Insomnia" else "worry"]},
        "mentionedConditions": [{"condition": questionnaire.lower(), "confidence": round(0.5 + level / 2, 2),
                                 "context": "questionnaire answers"}],
        "preferences": {"sessionFormat": ["video"]},
        "urgencyIndicators": {"level": "medium" if level >= 0.6 else "low", "indicators": []},
        "languagePreferences": ["english", "filipino"], "culturalConsiderations": [], "pastTherapyExperiences": [],
        "treatmentGoals": [f"manage {questionnaire.lower()}"], "additionalNotes": [],
    }
    finished = thread[-1]["createdAt"]
    session = {
        "id": session_id, "sessionId": f"chatbot_{client_id}_{int(started.replace(tzinfo=dt.UTC).timestamp() * 1000)}",
        "userId": client_id, "clientId": client_id, "startedAt": started, "completedAt": finished, "isComplete": True,
        "currentQuestionnaire": None, "completedQuestionnaires": [questionnaire], "presentedQuestionnaires": [questionnaire],
        "collectedAnswers": {questionnaire: answers},
        "structuredAnswers": {f"{questionnaire.lower()}_q{k + 1}": a for k, a in enumerate(answers)},
        "conversationInsights": insights, "completionReason": None, "completionConfidence": None,
        "lastActivity": finished, "createdAt": started, "updatedAt": finished,
    }
    return session, thread


def top_up_short_sessions(s: Seeding) -> None:
    """A session (someone else's, say) with too few messages gets a closing exchange after its last one."""
    short = s.deficits(BY_NAME["chatbot_session_messages"])
    if not short:
        return
    Msg = T.ChatbotMessage
    last = dict(s.rows(sa.select(Msg.c.sessionId, sa.func.max(Msg.c.timestamp))
                       .where(s.one_of(Msg.c.sessionId, [d.subject for d in short])).group_by(Msg.c.sessionId)))
    started = dict(s.rows(sa.select(T.ChatbotSession.c.id, T.ChatbotSession.c.startedAt)
                          .where(s.one_of(T.ChatbotSession.c.id, [d.subject for d in short]))))
    new = []
    for chunk in s.ids.new_ids(Msg, "chatbot/top_up", {d.subject: d.missing for d in short}):
        for session_id, allocated in groupby(chunk, key=itemgetter(0)):
            after = max(filter(None, (last.get(session_id), started.get(session_id))), default=s.anchor)
            for k, (_, message_id, rng) in enumerate(allocated):
                moment = min(after + dt.timedelta(seconds=30 * (k + 1)), s.anchor)
                role = "ASSISTANT" if k % 2 == 0 else "USER"
                content = rng.choice(FOLLOW_UPS) if role == "ASSISTANT" else rng.choice(("Okay.", "Thank you.", "Sure."))
                new.append({"id": message_id, "sessionId": session_id, "role": role, "content": content,
                            "questionnaireContext": None, "extractedAnswer": None, "timestamp": moment,
                            "createdAt": moment})
    s.insert(Msg, new)
