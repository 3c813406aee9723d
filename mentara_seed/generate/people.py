"""People and places of the Philippines, where the product runs: names, towns, provinces, addresses.

Faker has no Filipino name list, and its Philippine addresses pair towns
with random provinces; these lists are curated instead. Faker does know the
networks' mobile prefixes: a pool of its numbers, drawn once from a fixed
seed, gives everyone a plausible one. A town's province is the one an
address names; the therapist registration form offers only the provinces of
``contract.PROVINCES`` (``apps/web/constants/provinces.ts``, no "Metro
Manila"), so therapists practise outside Metro Manila.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mentara_seed.generate.keys import Stream

FIRST_NAMES_FEMALE = (
    "Maria", "Angelica", "Kristine", "Patricia", "Camille", "Jasmine", "Nicole", "Andrea", "Bianca", "Trisha",
    "Joanna", "Hazel", "Lorraine", "Mae", "Teresa", "Rosario", "Lourdes", "Carmela", "Danica", "Erika", "Frances",
    "Gianna", "Isabel", "Janine", "Katrina", "Leah", "Marites", "Nina", "Pauline", "Queenie", "Regina", "Sofia",
    "Tricia", "Veronica", "Ysabel", "Alyssa", "Bea", "Charlene", "Denise", "Ella", "Faith", "Grace", "Hannah",
    "Iris", "Joy", "Kaye", "Lea", "Mica", "Noreen", "Rica", "Shaira", "Abigail", "Clarisse", "Divina", "Rhea",
    "Marjorie", "Precious", "Louise", "Anne", "Czarina",
)
FIRST_NAMES_MALE = (
    "Juan", "Jose", "Mark", "John Paul", "Jerome", "Carlo", "Miguel", "Joshua", "Paolo", "Christian", "Gabriel",
    "Francis", "Rafael", "Kevin", "Arvin", "Jericho", "Ramon", "Ernesto", "Antonio", "Benjie", "Cedric", "Dominic",
    "Emmanuel", "Felix", "Gerald", "Harold", "Ian", "Jasper", "Kenneth", "Lorenzo", "Marco", "Nathan", "Oliver",
    "Patrick", "Renato", "Samuel", "Tristan", "Vincent", "Xavier", "Adrian", "Bryan", "Dennis", "Enrico", "Gino",
    "Hector", "Isaac", "Jomar", "Kiko", "Leo", "Nico", "Rodel", "Rommel", "Alfredo", "Bayani", "Diego", "Efren",
    "Migs", "Ronaldo", "Aldrin", "JM",
)
LAST_NAMES = (
    "Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Tomas", "Andrada", "Castillo",
    "Flores", "Villanueva", "Ramos", "Castro", "Rivera", "Aquino", "Navarro", "Salazar", "Mercado", "Dela Cruz",
    "Del Rosario", "Gonzales", "Lopez", "Hernandez", "Domingo", "Gutierrez", "Perez", "Soriano", "Pascual", "Manalo",
    "Lim", "Tan", "Co", "Sy", "Villareal", "Sison", "Tolentino", "Valdez", "Aguilar", "Francisco", "Magbanua",
    "Dizon", "Panganiban", "Fernandez", "Marquez", "Javier", "Morales", "Padilla", "Santiago", "Samonte", "Macaraeg",
    "Lacson", "Roxas", "Abad", "Buenaventura", "Cabrera", "Evangelista", "De Leon", "Galang", "Ilagan", "Jimenez",
    "Katigbak", "Lualhati", "Mangubat", "Natividad", "Ong", "Pineda", "Quiambao", "Rosales", "Salvador", "Tiongson",
    "Umali", "Vergara", "Yap", "Zamora", "Agbayani", "Baltazar", "Cordero", "Dimaculangan", "Estrada", "Fajardo",
    "Gatchalian", "Hidalgo", "Ignacio", "Jacinto", "Lagman", "Macapagal", "Nepomuceno", "Olivares", "Pacheco",
    "Quisumbing", "Robles", "Sarmiento", "Tuazon", "Velasco", "Yulo", "Alcantara", "Bernardo", "Cajucom",
)
MIDDLE_INITIALS = (None, None, None, "A.", "B.", "C.", "D.", "G.", "L.", "M.", "P.", "R.", "S.", "V.")

# (city or municipality, province of the web form, language spoken there besides Filipino and English)
PLACES = (
    ("Quezon City", "Metro Manila", None), ("Makati", "Metro Manila", None), ("Pasig", "Metro Manila", None),
    ("Taguig", "Metro Manila", None), ("Manila", "Metro Manila", None), ("Mandaluyong", "Metro Manila", None),
    ("Marikina", "Metro Manila", None), ("Antipolo", "Rizal", None), ("Cainta", "Rizal", None),
    ("Cebu City", "Cebu", "cebuano"), ("Mandaue", "Cebu", "cebuano"), ("Lapu-Lapu", "Cebu", "cebuano"),
    ("Talisay", "Cebu", "cebuano"), ("Davao City", "Davao del Sur", "cebuano"), ("Tagum", "Davao del Norte", "cebuano"),
    ("Iloilo City", "Iloilo", "hiligaynon"), ("Bacolod", "Negros Occidental", "hiligaynon"),
    ("Roxas City", "Capiz", "hiligaynon"), ("Dumaguete", "Negros Oriental", "cebuano"),
    ("Baguio", "Benguet", "ilocano"), ("Laoag", "Ilocos Norte", "ilocano"), ("Vigan", "Ilocos Sur", "ilocano"),
    ("San Fernando", "La Union", "ilocano"), ("Dagupan", "Pangasinan", "ilocano"), ("Tuguegarao", "Cagayan", "ilocano"),
    ("Calamba", "Laguna", None), ("Santa Rosa", "Laguna", None), ("San Pablo", "Laguna", None),
    ("Dasmariñas", "Cavite", None), ("Bacoor", "Cavite", None), ("Imus", "Cavite", None), ("Tagaytay", "Cavite", None),
    ("Batangas City", "Batangas", None), ("Lipa", "Batangas", None), ("Lucena", "Quezon", None),
    ("Angeles City", "Pampanga", None), ("San Fernando", "Pampanga", None), ("Malolos", "Bulacan", None),
    ("Meycauayan", "Bulacan", None), ("Tarlac City", "Tarlac", None), ("Cabanatuan", "Nueva Ecija", None),
    ("Olongapo", "Zambales", None), ("Naga", "Camarines Sur", None), ("Legazpi", "Albay", None),
    ("Puerto Princesa", "Palawan", None), ("Tacloban", "Leyte", "cebuano"), ("Ormoc", "Leyte", "cebuano"),
    ("Tagbilaran", "Bohol", "cebuano"), ("Cagayan de Oro", "Misamis Oriental", "cebuano"),
    ("Iligan", "Lanao del Norte", "cebuano"), ("General Santos", "South Cotabato", "cebuano"),
    ("Koronadal", "South Cotabato", "hiligaynon"), ("Zamboanga City", "Zamboanga del Sur", None),
    ("Butuan", "Agusan del Norte", "cebuano"), ("Surigao City", "Surigao del Norte", "cebuano"),
)
STREETS = ("Rizal St.", "Mabini St.", "Bonifacio Ave.", "Luna St.", "Del Pilar St.", "Aguinaldo Hwy.", "Burgos St.",
           "Quezon Ave.", "Osmeña Blvd.", "Magsaysay Ave.", "Roxas Blvd.", "Sampaguita St.", "Narra St.", "Acacia Ave.",
           "Ilang-Ilang St.", "Katipunan Ave.", "Gen. Luna St.", "J.P. Laurel Ave.", "Lapu-Lapu St.", "Santo Niño St.")
BARANGAYS = ("San Isidro", "Poblacion", "San Antonio", "Santo Niño", "Bagong Silang", "Malanday", "San Roque",
             "Santa Cruz", "Mabini", "Kapitolyo", "Lahug", "Talamban", "Banilad", "Guadalupe", "Matina", "Jaro",
             "Mandurriao", "Burnham", "Camp 7", "Pulo")


def person(rng: Stream) -> tuple[str, str, str | None, str]:
    """(first name, last name, middle initial or None, sex 'female'/'male')."""
    sex = "female" if rng.random() < 0.55 else "male"
    first = rng.choice(FIRST_NAMES_FEMALE if sex == "female" else FIRST_NAMES_MALE)
    return first, rng.choice(LAST_NAMES), rng.choice(MIDDLE_INITIALS), sex


OUTSIDE_METRO_MANILA = tuple(p for p in PLACES if p[1] != "Metro Manila")
MOBILE_POOL = 500
_FAKER_SEED = 20250101


def place(rng: Stream, in_a_province: bool = False) -> tuple[str, str, str | None]:
    """(city, province or "Metro Manila", local language) of somewhere people live; ``in_a_province``:
    outside Metro Manila (a province the therapist form offers)."""
    return rng.choice(OUTSIDE_METRO_MANILA if in_a_province else PLACES)


@lru_cache(maxsize=1)
def _mobiles() -> tuple[str, ...]:
    # Imported on first use: a run that makes no people never pays for Faker.
    from faker import Faker

    ph = Faker("en_PH")
    ph.seed_instance(_FAKER_SEED)
    numbers = (ph.mobile_number().replace("-", "").replace(" ", "") for _ in range(MOBILE_POOL))
    numbers = (n if n.startswith("+63") else "+63" + n[1:] for n in numbers)
    # The app's forms take 09/+639 numbers only (Faker also knows Globe's older 0817 prefix).
    return tuple(n for n in numbers if re.fullmatch(r"\+639\d{9}", n))


def mobile(rng: Stream, local: bool = False) -> str:
    """A Philippine mobile number as the app's forms take it: ``+639XXXXXXXXX``, or ``09XXXXXXXXX``
    (``local``: what e-wallets show)."""
    number = rng.choice(_mobiles())
    return "0" + number[3:] if local else number


def address(rng: Stream, city: str, province: str) -> str:
    unit = rng.choice((f"{rng.randint(1, 999)}", f"Unit {rng.randint(1, 30)}{rng.choice('ABCDEF')}",
                       f"Blk {rng.randint(1, 40)} Lot {rng.randint(1, 60)}"))
    return f"{unit} {rng.choice(STREETS)}, Brgy. {rng.choice(BARANGAYS)}, {city}, {province}"
