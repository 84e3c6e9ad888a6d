"""What the JSON API and the HTML pages share over HTTP: the database dependency and
ids, body parsing and its limits, login rate limits, and the red-team turn and upload
handling that both faces serve. ``api/`` and ``web/`` import this, never each other."""
