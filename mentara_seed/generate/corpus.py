"""What each community is about: the app's canonical communities, and the words their members use.

The illness communities are the Mentara API's own (``common/constants/
communities.ts``: names, slugs, descriptions); the general ones are its three
plus a few more, so the heavy mode's eight exist. Each topic carries what its
posts and comments are made of: the situations members write about (a short
name, used again when others reply, and a longer clause), how they feel,
what helps them, and the small wins they share, plus the pre-assessment keys
it raises and the therapist expertise (the registration form's slugs) that
serves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)  # one object per topic: compared and hashed by identity
class Topic:
    key: str
    name: str
    slug: str
    description: str
    illness: bool
    noun: str  # what members call it: "anxiety", "my sleep"
    subjects: tuple[tuple[str, str], ...]  # (short name, situation clause)
    feelings: tuple[str, ...]
    strategies: tuple[str, ...]
    wins: tuple[str, ...]
    concerns: dict[str, float] = field(default_factory=dict)  # pre-assessment key -> how elevated (0..1)
    expertise: str | None = None  # the therapist form's slug


TOPICS: tuple[Topic, ...] = (
    Topic("anxiety", "Anxiety Warriors", "anxiety-warriors",
          "A safe space for individuals with anxiety disorders. Connect with others who understand the challenges "
          "of living with anxiety.", True, "anxiety",
          (("presentation nerves", "before presenting at work"), ("overthinking texts", "when someone leaves me on read"),
           ("health worries", "every time I feel a new ache"), ("Sunday dread", "on Sunday nights before the work week"),
           ("traffic panic", "stuck in EDSA traffic"), ("exam worry", "the week before exams"),
           ("phone call anxiety", "whenever I have to call someone"), ("racing mind", "when I lie down at night"),
           ("crowd nerves", "in crowded malls"), ("job interview nerves", "before job interviews")),
          ("on edge", "jittery", "tense", "restless", "keyed up", "shaky"),
          ("box breathing", "the 5-4-3-2-1 grounding exercise", "a worry journal", "scheduling worry time",
           "cutting coffee after lunch", "a short walk around the block", "naming the worry out loud"),
          ("made the phone call I had been avoiding", "gave my report without freezing",
           "slept through the night before a big day", "went to the mall on a Saturday"),
          {"Anxiety": 0.75, "Stress": 0.55, "Insomnia": 0.35}, "anxiety"),
    Topic("depression", "Depression Support Network", "depression-support",
          "A compassionate community for those dealing with depression. Find hope, support, and understanding from "
          "people who care.", True, "depression",
          (("morning heaviness", "when I try to get out of bed in the morning"), ("losing interest", "when things I used to love feel empty"),
           ("isolating", "when I stop replying to friends"), ("low energy", "by the middle of the afternoon"),
           ("holiday blues", "around the holidays"), ("self-criticism", "when I replay my mistakes"),
           ("numb weekends", "on long weekends alone"), ("skipping meals", "when I forget to eat")),
          ("flat", "heavy", "empty", "drained", "low", "foggy"),
          ("opening the curtains first thing", "a ten-minute walk in the sun", "one small task at a time",
           "texting one friend a day", "a simple meal plan", "writing down one good moment"),
          ("showered and got dressed before noon", "answered my sister's call", "cooked a real meal",
           "went outside for a walk three days in a row"),
          {"Depression": 0.6, "Depression Secondary": 0.7, "Insomnia": 0.4}, "depression"),
    Topic("stress", "Stress Support Community", "stress-support",
          "A supportive community for people dealing with stress, pressure, and life challenges. Share coping "
          "strategies and find understanding.", True, "stress",
          (("deadline pressure", "when three deadlines land in one week"), ("money worries", "at the end of every month"),
           ("commute stress", "on the long commute home"), ("family pressure", "when relatives ask about my plans"),
           ("tension headaches", "after long days at the desk"), ("juggling work and school", "while balancing work and night classes")),
          ("stretched thin", "wound up", "frazzled", "overwhelmed", "tense", "wiped out"),
          ("a priority list for the day", "progressive muscle relaxation", "saying no to one extra task",
           "a phone-free hour", "stretching between meetings", "a budget check once a week"),
          ("left work on time all week", "took a real lunch break", "finished the week without a headache"),
          {"Stress": 0.7, "Burnout": 0.45, "Insomnia": 0.35}, "stress"),
    Topic("insomnia", "Sleep & Insomnia Support", "insomnia-support",
          "A community for people struggling with sleep issues and insomnia. Share tips and find solutions for "
          "better sleep.", True, "insomnia",
          (("3 a.m. wake-ups", "when I wake up at 3 a.m. and can't fall back asleep"), ("bedtime scrolling", "when I scroll my phone in bed"),
           ("night shift sleep", "when I try to sleep after night shifts"), ("racing thoughts at bedtime", "when my head hits the pillow"),
           ("napping too late", "after long afternoon naps"), ("weekend catch-up sleep", "sleeping in on weekends")),
          ("exhausted", "wired", "groggy", "restless", "tired but awake"),
          ("a fixed wake-up time", "keeping the phone out of the bedroom", "a wind-down routine",
           "getting up after twenty minutes awake", "no coffee after two", "a sleep diary"),
          ("slept seven hours straight", "fell asleep before midnight", "kept the same wake-up time all week"),
          {"Insomnia": 0.8, "Stress": 0.45}, "insomnia"),
    Topic("panic", "Panic Disorder Support", "panic-disorder-support",
          "A supportive community for individuals with panic disorder. Learn coping strategies and find understanding.",
          True, "panic",
          (("panic on the MRT", "on the MRT at rush hour"), ("racing heart", "when my heart suddenly races"),
           ("fear of the next attack", "when I start worrying about the next attack"), ("panic at the supermarket", "in long supermarket lines"),
           ("night-time attacks", "when I wake up in a panic"), ("avoiding driving", "on the highway")),
          ("scared", "shaky", "dizzy", "breathless", "on high alert"),
          ("slow exhale breathing", "riding the wave instead of fighting it", "holding something cold",
           "naming five things in view", "an interoceptive exposure plan", "a coping card in the wallet"),
          ("rode the MRT during rush hour", "stayed in line even when my heart raced", "had a panic-free week"),
          {"Panic": 0.75, "Anxiety": 0.6}, "panic"),
    Topic("bipolar", "Bipolar Support Circle", "bipolar-support",
          "A community for individuals with bipolar disorder and their loved ones. Share experiences and find support.",
          True, "bipolar",
          (("mood tracking", "when I try to keep track of my moods"), ("sleep and mood", "when I sleep too little"),
           ("medication routine", "when I have to remember my meds every day"), ("spending sprees", "during high weeks"),
           ("explaining bipolar to family", "when I try to explain bipolar to my family"), ("low after a high", "when a good week ends in a crash")),
          ("up and down", "wired", "steady for now", "low", "hopeful"),
          ("a daily mood chart", "a regular bedtime", "a pill organiser", "a relapse plan made with family",
           "regular psychiatrist check-ins", "a budget buddy"),
          ("kept my sleep steady for a month", "noticed a high coming early", "stuck to my meds all week"),
          {"Bipolar disorder (BD)": 0.7, "Depression Secondary": 0.45}, "bipolar"),
    Topic("ocd", "OCD Support Community", "ocd-support",
          "A safe space for individuals with obsessive-compulsive disorder. Connect with others who understand OCD "
          "challenges.", True, "OCD",
          (("checking the stove", "when I check the stove again and again"), ("intrusive thoughts", "when an intrusive thought shows up"),
           ("handwashing", "when I wash my hands until they crack"), ("reassurance seeking", "when I keep asking my partner for reassurance"),
           ("counting rituals", "on the way to work, when I count my steps"), ("getting things just right", "when I redo things until they feel right")),
          ("stuck", "on edge", "exhausted", "uneasy", "frustrated"),
          ("exposure and response prevention", "delaying the compulsion by five minutes", "labelling the thought as OCD",
           "a hierarchy of exposures", "letting the doubt be there"),
          ("left the house after checking once", "sat with an intrusive thought without reacting", "skipped a ritual"),
          {"Obsessive compulsive disorder (OCD)": 0.7, "Anxiety": 0.45}, "ocd"),
    Topic("ptsd", "PTSD Support Network", "ptsd-support",
          "A compassionate community for individuals with post-traumatic stress disorder. Find healing and support.",
          True, "PTSD",
          (("nightmares", "at night since the typhoon"), ("being startled", "at sudden loud noises"),
           ("flashbacks", "when a smell brings it all back"), ("avoiding reminders", "near the street where it happened"),
           ("trusting people again", "when people try to get close"), ("anniversary reactions", "near the anniversary")),
          ("jumpy", "numb", "on guard", "shaken", "worn out"),
          ("grounding with both feet on the floor", "a safe-place visualisation", "trauma-focused therapy",
           "telling one trusted friend", "a night-light and a calming playlist"),
          ("slept without nightmares", "walked past the old street", "told my story in session"),
          {"Post-traumatic stress disorder (PTSD)": 0.7, "Insomnia": 0.5, "Anxiety": 0.45}, "ptsd"),
    Topic("social_anxiety", "Social Anxiety Support", "social-anxiety-support",
          "A community for people with social anxiety. Build confidence and find understanding from others who share "
          "similar experiences.", True, "social anxiety",
          (("group chats", "in the family group chat"), ("speaking up in meetings", "in team meetings"),
           ("ordering food", "at a busy counter"), ("small talk", "at parties"),
           ("eating in public", "in the office canteen"), ("video calls", "when I have to turn my camera on")),
          ("self-conscious", "awkward", "nervous", "frozen", "embarrassed"),
          ("small exposure steps", "preparing one question ahead", "focusing outward instead of inward",
           "a buddy for events", "replaying what went well"),
          ("asked a question in class", "ordered milk tea without rehearsing", "went to a friend's birthday"),
          {"Social anxiety": 0.75, "Anxiety": 0.5}, "social-anxiety"),
    Topic("phobia", "Phobia Support Group", "phobia-support",
          "A supportive community for individuals dealing with specific phobias. Face fears together and find coping "
          "strategies.", True, "phobia",
          (("fear of flying", "every time I need to book a flight home"), ("fear of needles", "before blood tests"), ("fear of heights", "on high floors"),
           ("fear of dogs", "when I walk past dogs in the street"), ("fear of elevators", "in the elevator at work"),
           ("fear of the dentist", "before a dental appointment"), ("fear of thunderstorms", "when a typhoon signal is raised")),
          ("terrified", "tense", "shaky", "nervous"),
          ("gradual exposure", "watching videos first", "a support person close by", "paced breathing", "an exposure ladder", "naming the fear out loud"),
          ("got my blood test done", "took the elevator to the tenth floor", "booked a flight to Cebu", "sat through a dental cleaning", "petted my friend's dog"),
          {"Anxiety": 0.55}, "phobia"),
    Topic("burnout", "Burnout Recovery", "burnout-recovery",
          "A community for people experiencing burnout and work-related stress. Find balance and recovery strategies.",
          True, "burnout",
          (("after-hours messages", "when work messages come in at 10 p.m."), ("BPO night shifts", "on night shift for a US account"),
           ("no vacation leave", "after a year without a real break"), ("caring fatigue", "as a nurse on twelve-hour shifts"),
           ("dreading Mondays", "from Sunday afternoon on"), ("losing motivation", "at a job I used to love")),
          ("drained", "numb", "running on empty", "cynical", "exhausted"),
          ("turning off notifications after seven", "a proper lunch away from the desk", "one day fully offline",
           "an honest talk with the manager about workload", "a weekend with no plans"),
          ("used a vacation leave", "logged off on time all week", "said no to overtime"),
          {"Burnout": 0.75, "Stress": 0.65, "Insomnia": 0.35}, "burnout"),
    Topic("eating", "Eating Disorder Recovery", "eating-disorder-recovery",
          "A supportive community for individuals with eating disorders. Find healing, understanding, and recovery "
          "support.", True, "eating disorder",
          (("binge nights", "late at night when I am alone"), ("family dinners", "at family dinners where everyone comments"),
           ("body checking", "in front of the mirror"), ("skipping meals", "when I am stressed"),
           ("food rules", "with all my food rules"),
           ("eating out", "when friends pick a buffet"), ("comparing bodies", "when I scroll through fitness posts")),
          ("ashamed", "anxious", "hopeful", "overwhelmed"),
          ("regular meal times", "a meal plan from a dietitian", "urge surfing", "eating with a friend", "a recovery journal", "muting diet accounts"),
          ("ate lunch without guilt", "got through a family dinner", "went a week without a binge", "ordered dessert with friends", "skipped body checking for a day"),
          {"Binge eating / Eating disorders": 0.7, "Depression Secondary": 0.35}, "eating-disorder"),
    Topic("adhd", "ADHD Support Community", "adhd-support",
          "A community for individuals with ADHD/ADD. Share strategies, experiences, and find understanding.",
          True, "ADHD",
          (("time blindness", "when an hour disappears"), ("unfinished projects", "with ten projects started"),
           ("forgetting appointments", "when I have to remember appointments"), ("focusing on studies", "while studying for board exams and I can't focus"),
           ("messy room", "when I try to keep my room in order"), ("late diagnosis", "after getting diagnosed at 30")),
          ("scattered", "restless", "overwhelmed", "frustrated", "motivated for once"),
          ("body doubling", "a visual timer", "breaking tasks into tiny steps", "a launch pad by the door",
           "one calendar for everything", "alarms for everything"),
          ("finished a project I started", "paid my bills on time", "studied two hours with body doubling", "got to work on time all week", "cleared my inbox"),
          {"ADD / ADHD": 0.75, "Stress": 0.4}, "adhd"),
    Topic("substance", "Substance Recovery Support", "substance-recovery-support",
          "A supportive community for individuals dealing with substance use issues. Find recovery, healing, and hope.",
          True, "substance use",
          (("cravings", "in the evenings after work"), ("pressure from old friends", "when old friends invite me out to use again"),
           ("slips", "after a slip"), ("weekend cravings", "on Friday nights when the cravings hit"),
           ("boredom", "on long empty afternoons"), ("stress at work", "after a bad day at work")),
          ("tempted", "proud", "shaky", "determined"),
          ("calling a sponsor", "a new evening routine", "avoiding old hangouts", "counting clean days", "a gratitude list each night", "exercise when a craving hits"),
          ("hit 30 days clean", "said no at a party", "went to three meetings this week", "stayed clean through a stressful week", "told my family how long I've been clean"),
          {"Substance or Alcohol Use Issues": 0.6, "Drug Issues": 0.5}, "drug-use"),
    Topic("alcohol", "Alcohol Recovery Support", "alcohol-recovery-support",
          "A supportive community for individuals dealing with alcohol use issues. Find recovery and healing.",
          True, "drinking",
          (("inuman invitations", "when friends invite me to inuman"), ("drinking to sleep", "at night, when I drink to fall asleep"),
           ("payday drinking", "on payday weekends"), ("drinking at family gatherings", "at fiestas and reunions where everyone drinks"),
           ("office party drinking", "at office parties with an open bar"), ("lonely-night drinking", "on nights when I feel lonely and want a drink")),
          ("tempted", "steady", "proud", "restless"),
          ("alcohol-free drinks at parties", "telling friends upfront about not drinking", "a drink diary", "a support meeting", "a sober buddy", "counting alcohol-free days"),
          ("went to a fiesta sober", "made it through payday weekend", "reached 60 days alcohol-free", "said no to a drink at work", "slept well without a nightcap"),
          {"Substance or Alcohol Use Issues": 0.7}, "substance-use"),
    # general communities
    Topic("mindfulness", "Mindfulness & Meditation", "mindfulness-meditation",
          "Share mindfulness practices and meditation techniques for mental wellness.", False, "restless mind",
          (("busy mind", "when I sit down to meditate"), ("rushed mornings", "first thing in the morning"),
           ("restlessness during body scans", "during a body scan"), ("distracted walks", "on my walk to work"),
           ("eating on autopilot", "when I eat at my desk"), ("drifting off in meetings", "in long meetings")),
          ("calm", "distracted", "grounded", "present"),
          ("a five-minute breathing space", "a body scan before sleep", "mindful eating", "a gratitude list", "walking meditation", "three mindful breaths before replying", "a short evening meditation"),
          ("meditated every day this week", "noticed my breath during a stressful meeting", "did a full body scan without giving up", "noticed a worry and let it pass"),
          {"Stress": 0.35}, "stress"),
    Topic("family", "Family & Relationships", "family-relationships",
          "Support for navigating family dynamics and relationship challenges.", False, "family stress",
          (("boundaries with parents", "when I try to set boundaries with my parents"), ("long-distance relationships", "with my partner abroad"),
           ("being the breadwinner", "while paying for my siblings' tuition"), ("partner conflict", "when we argue about chores"),
           ("in-law tension", "when my in-laws visit"), ("sibling rivalry", "when my siblings compare salaries")),
          ("torn", "guilty", "hopeful", "tired"),
          ("using first-person statements", "a weekly couple check-in", "a cooling-off rule before replying", "a family meeting with clear rules", "taking a short walk before answering"),
          ("had a calm talk with my mom", "set a boundary and kept it", "apologised first after an argument", "asked my partner for help without fighting"),
          {"Stress": 0.45, "Depression Secondary": 0.3}, "stress"),
    Topic("young_adults", "Young Adults (18-25)", "young-adults",
          "Mental health support specifically for young adults navigating life transitions.", False, "adulting stress",
          (("first-job stress", "since starting my first job"), ("living alone", "now that I live alone for the first time"),
           ("quarter-life crisis", "when I compare myself on social media"), ("board exam pressure", "while reviewing for the board exam"),
           ("friendships drifting", "now that my barkada is always busy"), ("career doubts", "when I wonder if I chose the wrong course")),
          ("lost", "hopeful", "anxious", "excited"),
          ("a simple weekly budget", "limiting social media at night", "talking to a mentor", "one small goal per week", "a standing call with a friend"),
          ("paid rent on my own", "passed my probation period", "opened my first savings account", "went to a job fair alone"),
          {"Anxiety": 0.45, "Stress": 0.5}, "anxiety"),
    Topic("students", "Students' Lounge", "students-lounge",
          "For students juggling classes, org work and everything else: a place to vent, study and cheer each other on.",
          False, "school stress", (("thesis stress", "with my thesis defense coming"), ("org burnout", "with three org events in a week"),
                            ("group projects", "when groupmates disappear"),
                            ("exam anxiety", "the night before a major exam"), ("long commutes", "on the two-hour commute to campus"),
                            ("scholarship pressure", "when my grades decide my scholarship")),
          ("swamped", "motivated", "tired", "anxious"),
          ("a study schedule with breaks", "the Pomodoro method", "asking the adviser early", "a study group", "sleeping before exams instead of cramming"),
          ("submitted my thesis draft", "passed my finals", "finished my requirements early", "presented in class without freezing"), {"Stress": 0.55, "ADD / ADHD": 0.3}, "stress"),
    Topic("workplace", "Workplace Wellbeing", "workplace-wellbeing",
          "Talk about work, bosses, teammates and keeping your mental health on the clock.", False, "work stress",
          (("difficult boss", "with a manager who micromanages"), ("hybrid work fatigue", "when I switch between home and office"),
           ("asking for a raise", "before my performance review"),
           ("unclear expectations", "when my tasks change every week"), ("commute fatigue", "on the three-hour commute"),
           ("office politics", "when teammates talk behind each other's backs")),
          ("frustrated", "hopeful", "drained", "confident"),
          ("a running list of wins for the review", "a clear end-of-day ritual", "talking to HR", "asking for expectations in writing", "a proper lunch break"),
          ("asked for the raise", "kept weekends work-free", "spoke up in a meeting", "set clear hours with my team"), {"Stress": 0.55, "Burnout": 0.45}, "burnout"),
    Topic("parents", "Parents Circle", "parents-circle",
          "For moms, dads and guardians: parenting is hard, and you don't have to do it alone.", False, "parenting stress",
          (("postpartum blues", "in the first months after giving birth"), ("toddler tantrums", "during toddler tantrums"),
           ("working parent guilt", "when I leave my kids with my parents to go to work"),
           ("sleepless nights", "when the baby wakes every two hours"), ("screen time battles", "when it's time to turn off the tablet"),
           ("parenting alone", "while my partner works abroad")),
          ("exhausted", "guilty", "grateful", "overwhelmed"),
          ("asking for help with night feeds", "ten minutes alone each day", "a parents' support group", "a shared chore chart", "a bedtime routine for the kids"),
          ("slept four hours straight", "took a walk alone", "handled a tantrum calmly", "asked my mom for help without guilt"), {"Depression Secondary": 0.45, "Insomnia": 0.45}, "depression"),
    Topic("lgbtqia", "LGBTQIA+ Support", "lgbtqia-support",
          "A safe, affirming space for LGBTQIA+ members and allies.", False, "coming-out anxiety",
          (("coming out to family", "when I think about coming out to my family"), ("loneliness", "when I look for people who get it"),
           ("hiding at work", "at work, where I'm not out yet"),
           ("dating stress", "when I try dating apps"), ("family and church expectations", "at Sunday family lunch"),
           ("being misgendered", "when people use the wrong pronouns")),
          ("nervous", "proud", "hopeful", "tired"),
          ("an affirming therapist", "chosen family dinners", "a local support group", "affirming online friends", "planning what to say ahead"),
          ("came out to my best friend", "went to Pride in Quezon City", "used my pronouns at work", "joined a local support group"), {"Anxiety": 0.45, "Depression Secondary": 0.35},
          "anxiety"),
    Topic("creative", "Creative Healing", "creative-healing",
          "Art, music, writing and crafts as ways to heal: share what you make and how it helps.", False, "low mood",
          (("stress after work", "after a long day at work"), ("heavy days", "on days when everything feels heavy"),
           ("sleepless nights", "on nights when I can't sleep"),
           ("creative block", "when I stare at a blank page"), ("fear of sharing art", "when I post my art online"),
           ("perfectionism", "when nothing I make feels good enough")),
          ("calm", "inspired", "stuck", "proud"),
          ("ten minutes of doodling", "a playlist for hard days", "a sketchbook by the bed", "art journaling", "writing poems about hard days", "playing guitar before bed", "a daily five-minute sketch", "making something badly on purpose"),
          ("finished a painting", "shared a poem in class", "posted my first drawing", "wrote every day for a week"), {"Stress": 0.35, "Depression Secondary": 0.3}, "stress"),
)
BY_KEY = {t.key: t for t in TOPICS}
BY_NAME = {t.name: t for t in TOPICS}
ILLNESS = tuple(t for t in TOPICS if t.illness)
GENERAL = tuple(t for t in TOPICS if not t.illness)
# Further chapters of the same communities at large scales.
CHAPTERS = ("Metro Manila", "Cebu", "Davao", "Iloilo", "Baguio", "Cagayan de Oro", "Bacolod", "Laguna", "Pampanga",
            "Bicol", "Ilocos", "Zamboanga")


def topic_of(name: str | None) -> Topic | None:
    """The topic of a community from its name (a chapter "... - Cebu Chapter" too); None for others' communities."""
    if not name:
        return None
    base = name.split(" - ", 1)[0]
    return BY_NAME.get(base)


# The room groups and rooms of every community (the web app's community sidebar); Community
# Guidelines is the moderators' room, every other room is open to members.
ROOM_GROUPS = (("Start Here", ("Introductions", "Community Guidelines")),
               ("Support", ("Share Your Story", "Coping Strategies", "Wins and Progress")))


def slug(name: str) -> str:
    """A name as a URL slug: lower case, words joined by single hyphens."""
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())
