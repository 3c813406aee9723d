"""The Mentara database schemas: one generated module of SQLAlchemy tables per Mentara version."""
