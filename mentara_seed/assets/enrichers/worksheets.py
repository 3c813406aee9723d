"""Tier 4 enricher: therapists assign worksheets and every client with a therapist has one."""

from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers, state
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("worksheets", tier=4, owns=T.Worksheet, inputs=["enriched_relationships"], writes=[T.WorksheetSubmission])
def enrich_worksheets(s: Seeding) -> None:
    """Guarantees: every approved therapist has created the mode's minimum of worksheets, and every
    client with a therapist has at least one. A worksheet joins a related pair; handed-in ones come
    with their submission; due dates may lie ahead of the anchor. The documented client has one due
    in the coming week."""
    view = state.View(s)

    def for_one_of_their_clients(therapist_id, rng):
        clients = view.by_therapist.get(therapist_id)
        return (rng.choice(clients), therapist_id) if clients else None

    def from_their_therapist(client_id, rng):
        therapists = view.by_client.get(client_id)
        return (client_id, rng.choice(therapists)) if therapists else None

    makers.make_worksheets(s, "worksheets/therapist_worksheets", s.needs(BY_NAME["therapist_worksheets"]), for_one_of_their_clients)
    makers.make_worksheets(s, "worksheets/client_worksheets", s.needs(BY_NAME["client_worksheets"]), from_their_therapist)
    # The documented client's dashboard shows a worksheet due in the coming days.
    makers.make_worksheets(s, "worksheets/demo_client_due", s.needs(BY_NAME["demo_client_worksheet_due"]),
                           from_their_therapist, due_in=(2, 6))
