"""Therapists as the registration form describes them, each internally consistent.

Values are those of the web app's application form (``apps/web/constants/
therapist_application.ts``, ``provider.ts``): provider types, licence slugs,
expertise, tools, approaches and languages. A profile's parts agree with one
another: the licence fits the provider type, the degree fits the licence, the
practice started after the degree, the years of experience are those since,
the tools measure the areas of expertise, the languages are those of the
province, the rate grows with experience, and the bio is written from these
very fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mentara_seed.generate.keys import Stream

# provider type -> (licence slug, licence as people say it, degrees that lead to it)
PROVIDERS = {
    "Psychologist": ("rpsy", "Registered Psychologist", (
        "MA Clinical Psychology, University of the Philippines Diliman", "MS Clinical Psychology, Ateneo de Manila University",
        "PhD Clinical Psychology, De La Salle University", "MA Psychology, University of Santo Tomas",
        "MA Clinical Psychology, University of San Carlos")),
    "Mental Health Counselor": ("rgc", "Registered Guidance Counselor", (
        "MA Guidance and Counseling, University of Santo Tomas", "MA Counseling Psychology, Ateneo de Manila University",
        "MA Guidance and Counseling, Philippine Normal University", "MA Guidance and Counseling, Silliman University")),
    "Therapist": ("rpsy", "Registered Psychologist", (
        "MA Counseling Psychology, De La Salle University", "MA Clinical Psychology, University of the Philippines Diliman",
        "MS Psychology, Ateneo de Davao University")),
}
# What each provider type may hold (a Psychologist is an RPsy, a counselor an RGC).
LICENCES_OF = {provider: (licence,) for provider, (licence, _, _) in PROVIDERS.items()} | {"Therapist": ("rpsy", "rgc")}
PROVIDER_WEIGHTS = ("Psychologist", "Psychologist", "Psychologist", "Mental Health Counselor", "Mental Health Counselor",
                    "Therapist")
# form slug -> (how a bio names it, the pre-assessment tools that measure it)
EXPERTISE = {
    "anxiety": ("anxiety", ("gad7",)), "depression": ("depression", ("phq9", "phq")), "stress": ("stress", ("pss",)),
    "insomnia": ("sleep problems", ("isi",)), "panic": ("panic attacks", ("pdss",)), "bipolar": ("bipolar disorder", ("mdq",)),
    "ocd": ("OCD", ("ocir",)), "ptsd": ("trauma", ("pcl5",)), "social-anxiety": ("social anxiety", ("spin",)),
    "phobia": ("phobias", ()), "burnout": ("burnout", ("mbi",)), "eating-disorder": ("eating concerns", ("bes",)),
    "adhd": ("ADHD", ("asrs",)), "substance-use": ("alcohol use", ("audit",)), "drug-use": ("substance use", ("dast10",)),
}
# Display names as the recommendation service matches them ("Anxiety", capitalised).
SPECIALIZATION = {"anxiety": "Anxiety", "depression": "Depression", "stress": "Stress", "insomnia": "Insomnia",
                  "panic": "Panic Disorder", "bipolar": "Bipolar Disorder", "ocd": "OCD", "ptsd": "PTSD",
                  "social-anxiety": "Social Anxiety", "phobia": "Phobia", "burnout": "Burnout",
                  "eating-disorder": "Eating Disorders", "adhd": "ADHD", "substance-use": "Substance Use",
                  "drug-use": "Substance Use"}
APPROACHES = {"cbt": "cognitive behavioral therapy", "dbt": "dialectical behavior therapy",
              "person-centered": "person-centered therapy", "psychodynamic": "psychodynamic therapy",
              "narrative": "narrative therapy", "mindfulness": "mindfulness-based therapy",
              "solution-focused": "solution-focused brief therapy"}
LANGUAGE_NAMES = {"english": "English", "filipino": "Filipino", "cebuano": "Cebuano", "ilocano": "Ilocano",
                  "hiligaynon": "Hiligaynon"}
ACCEPTS = ("self-pay", "hmo", "philhealth")
INSURERS = ("PhilHealth", "Maxicare", "Intellicare", "MediCard")


@dataclass(frozen=True)
class Practice:
    provider_type: str
    licence: str
    licence_name: str
    degree: str
    expertise: tuple[str, ...]
    tools: tuple[str, ...]
    approaches: tuple[str, ...]
    languages: tuple[str, ...]


def practice(rng: Stream, local_language: str | None) -> Practice:
    provider = rng.choice(PROVIDER_WEIGHTS)
    licence, licence_name, degrees = PROVIDERS[provider]
    expertise = tuple(rng.sample(sorted(EXPERTISE), 3))
    tools = tuple(dict.fromkeys(tool for area in expertise for tool in EXPERTISE[area][1])) or ("pss",)
    languages = ("english", "filipino") + ((local_language,) if local_language else ())
    return Practice(provider, licence, licence_name, rng.choice(degrees), expertise, tools,
                    tuple(rng.sample(sorted(APPROACHES), 2)), languages)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def bio(rng: Stream, p: Practice, years: int, city: str) -> str:
    """A therapist's bio, written from their own profile."""
    areas = _listed([EXPERTISE[a][0] for a in p.expertise])
    methods = _listed([APPROACHES[a] for a in p.approaches])
    languages = _listed([LANGUAGE_NAMES[x] for x in p.languages])
    opening = rng.choice((
        f"I'm a {p.licence_name.lower()} in {city} with {years} years of practice.",
        f"{p.licence_name} based in {city}; I have been in practice for {years} years.",
        f"For the past {years} years I have worked as a {p.provider_type.lower()} in {city}.",
    ))
    middle = rng.choice((
        f"I help adults with {areas}, drawing mainly on {methods}.",
        f"My work focuses on {areas}, and I use {methods} with practical tools for daily life.",
        f"Clients come to me for {areas}; sessions combine {methods} with what works for each person.",
    ))
    return f"{opening} {middle} Sessions in {languages}."


def full_years(start: dt.datetime, end: dt.datetime) -> int:
    """Whole years from ``start`` to ``end`` (an age, or experience as the app's calculateYearsOfExperience)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))
