"""The versions a process refreshes for its open panels: one read, any number of talks."""

from __future__ import annotations

from datetime import timedelta

from plugin.store.talk_stamps import talk_stamps, talk_versions


def test_versions_of_many_talks_in_one_read_missing_ones_left_out(
    services, lead, learner, make_talk
):
    made = [
        make_talk(lead, learner, starts_at=services.clock.now() + timedelta(days=n + 1))
        for n in range(3)
    ]
    ids = [t.id for t in made]
    with services.db.connection() as connection:
        stamps = talk_stamps(connection, ids)
        assert talk_versions(connection, [*ids, "no-such-talk"]) == {i: stamps[i][1] for i in ids}
        assert talk_versions(connection, []) == {}
