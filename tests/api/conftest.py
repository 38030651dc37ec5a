"""The API tests' two signed-in browsers: Marco (the lead) and Sem (the learner)."""

import pytest


@pytest.fixture
def marco(client_for, lead):
    return client_for(lead)


@pytest.fixture
def sem(client_for, learner):
    return client_for(learner)
