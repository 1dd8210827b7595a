"""Reads one room out of a Synapse SQLite database, as Synapse itself stores it.

Usage: python3 synapse_db.py DATABASE room ROOM_ID
       python3 synapse_db.py DATABASE destination SERVER_NAME
For a room, prints one JSON object:
  events:   [{event_id, type, depth, stream_ordering, outlier, rejected, format_version, json}]
            (json is the event exactly as Synapse stored it in event_json; for room
            versions 3 and later it has no event_id field)
  forward_extremities:  event IDs in event_forward_extremities
  backward_extremities: event IDs in event_backward_extremities
  redactions: [{event_id, redacts}]
For a destination, prints its row of the `destinations` table (retry_last_ts, retry_interval,
failure_ts, last_successful_stream_ordering) or null.
Opens the database read-only, so it is safe while Synapse runs.
"""

import json
import sqlite3
import sys


def destination(db: sqlite3.Connection, name: str) -> None:
    db.row_factory = sqlite3.Row
    row = db.execute(
        """SELECT retry_last_ts, retry_interval, failure_ts, last_successful_stream_ordering
             FROM destinations WHERE destination = ?""",
        (name,),
    ).fetchone()
    json.dump(dict(row) if row else None, sys.stdout)


def main() -> None:
    database, what, key = sys.argv[1], sys.argv[2], sys.argv[3]
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    if what == "destination":
        destination(db, key)
    else:
        room(db, key)


def room(db: sqlite3.Connection, room_id: str) -> None:
    events = []
    for row in db.execute(
        """SELECT e.event_id, e.type, e.depth, e.stream_ordering, e.outlier,
                  r.event_id IS NOT NULL, j.format_version, j.json
             FROM events e JOIN event_json j USING (event_id)
             LEFT JOIN rejections r USING (event_id)
            WHERE e.room_id = ?
            ORDER BY e.stream_ordering""",
        (room_id,),
    ):
        events.append(
            {
                "event_id": row[0],
                "type": row[1],
                "depth": row[2],
                "stream_ordering": row[3],
                "outlier": bool(row[4]),
                "rejected": bool(row[5]),
                "format_version": row[6],
                "json": json.loads(row[7]),
            }
        )

    def ids(table: str) -> list:
        q = f"SELECT event_id FROM {table} WHERE room_id = ? ORDER BY event_id"
        return [r[0] for r in db.execute(q, (room_id,))]

    redactions = [
        {"event_id": r[0], "redacts": r[1]}
        for r in db.execute(
            """SELECT r.event_id, r.redacts FROM redactions r
                 JOIN events e USING (event_id) WHERE e.room_id = ?""",
            (room_id,),
        )
    ]
    json.dump(
        {
            "events": events,
            "forward_extremities": ids("event_forward_extremities"),
            "backward_extremities": ids("event_backward_extremities"),
            "redactions": redactions,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
