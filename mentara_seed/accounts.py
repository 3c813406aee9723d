"""The documented test accounts (README: "Test accounts"): the first user of each role.

All seeded users share the development password; these four have fixed
e-mails and names, and the enrichers make sure each has what its dashboard
shows (requirements ``demo_*``).
"""

TEST_ACCOUNTS = {
    "admin": ("admin@mentara.test", "Ada", "Ramos"),
    "moderator": ("moderator@mentara.test", "Miguel", "Santos"),
    "therapist": ("therapist@mentara.test", "Theresa", "Cruz"),
    "client": ("client@mentara.test", "Carlo", "Reyes"),
}
EMAILS = {role: account[0] for role, account in TEST_ACCOUNTS.items()}
