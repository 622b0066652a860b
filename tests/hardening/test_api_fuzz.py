"""The API under a bounded fuzz run (see tests/hardening/api_fuzz.py; `tools/api_fuzz.py` runs it longer)."""

import os

from tests.hardening.api_fuzz import fuzz, seed, snapshot

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "3"))


def test_api_fuzz_finds_no_error_no_schema_mismatch_and_no_other_teams_data(db, settings, tmp_path):
    # Given two teams with one of everything, and team A's owner with an API token
    settings.MEDIA_ROOT = tmp_path
    world = seed()
    before = snapshot(world.their_team)

    # When A's owner throws generated requests (valid and invalid, with B's ids among the path parameters) at every operation
    outcome = fuzz(world, max_examples=EXAMPLES)
    print(outcome.summary())

    # Then nothing failed, and none of B's rows changed
    assert outcome.operations >= 100
    assert not outcome.failures, outcome.summary()
    assert snapshot(world.their_team) == before
