"""The baseline for tests/bench/panel.py: a bare Flask JSON endpoint, served the same way."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)

#: About the size of a talk with a few agreements, as the panel receives it.
PAYLOAD = {
    "id": "0" * 36,
    "status": "held",
    "agreements": [
        {"id": str(n) * 36, "what": "Een afspraak van gemiddelde lengte " * 2, "version": 1}
        for n in range(4)
    ],
}


@app.get("/live")
def live() -> dict[str, object]:
    return PAYLOAD
