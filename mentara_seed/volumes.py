"""Base volumes of the legacy generators per mode (the spec, ../shared/spec/SEEDING.md, "Modes and volumes").

The scale factor multiplies the user and community counts only; per-entity
rates (posts per community, meetings per relationship, ...) stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Volumes:
    clients: int
    therapists: int
    admins: int
    moderators: int
    illness_communities: int
    general_communities: int
    posts_per_community: int
    members_per_community: int
    share_with_therapist: float
    share_joining_communities: float
    avg_memberships: int
    posts_per_user: int
    comments_per_post: int
    post_heart_likelihood: float
    comment_heart_likelihood: float
    meetings_per_relationship: int
    worksheets_per_relationship: int
    assessment_rate: float
    session_notes_rate: float
    review_rate: float

    def scaled(self, scale: int) -> Volumes:
        return Volumes(
            **{
                **self.__dict__,
                "clients": self.clients * scale,
                "therapists": self.therapists * scale,
                "admins": self.admins * scale,
                "moderators": self.moderators * scale,
                "illness_communities": self.illness_communities * scale,
                "general_communities": self.general_communities * scale,
            }
        )


BASE_VOLUMES: dict[str, Volumes] = {
    "light": Volumes(8, 4, 2, 2, 5, 2, 3, 4, 0.5, 0.7, 2, 1, 2, 0.3, 0.2, 3, 2, 0.6, 0.5, 0.4),
    "medium": Volumes(25, 12, 4, 4, 10, 5, 8, 12, 0.7, 0.8, 3, 2, 4, 0.4, 0.3, 6, 4, 0.8, 0.7, 0.6),
    "heavy": Volumes(80, 25, 6, 8, 15, 8, 15, 25, 0.75, 0.85, 4, 3, 6, 0.5, 0.4, 10, 7, 0.85, 0.8, 0.7),
}


def volumes_for(mode: str, scale: int) -> Volumes:
    return BASE_VOLUMES[mode].scaled(scale)
