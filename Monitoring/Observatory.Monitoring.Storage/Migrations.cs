namespace Observatory.Monitoring.Storage;

/// <summary>
/// Schema versions, applied in order at start-up; a version is never edited once released, only appended. A statement that
/// starts with "sqlite:" or "postgres:" runs on that database only.
/// </summary>
internal static class Migrations
{
    // Timestamps are UTC ticks (lossless DateTimeOffset round trip); booleans are 0/1 integers on both databases.
    public static readonly IReadOnlyList<(int Version, string[] Statements)> All =
    [
        (1,
        [
            "CREATE TABLE models (name TEXT PRIMARY KEY, json TEXT NOT NULL, created_at {BIGINT} NOT NULL, updated_at {BIGINT} NOT NULL)",
            """
            CREATE TABLE events (model TEXT NOT NULL, id TEXT NOT NULL, ts {BIGINT} NOT NULL, predicted_class TEXT NOT NULL,
              confidence {DOUBLE} NOT NULL, embedding {BLOB}, true_class TEXT, ingested_at {BIGINT} NOT NULL, image_stats {BLOB},
              PRIMARY KEY (model, id))
            """,
            "CREATE INDEX ix_events_model_ts ON events (model, ts)",
            "CREATE INDEX ix_events_ts ON events (ts)",
            """
            CREATE TABLE results (id {ID}, model TEXT NOT NULL, kind TEXT NOT NULL, window_start {BIGINT} NOT NULL, window_end {BIGINT} NOT NULL,
              event_count INTEGER NOT NULL, drifted INTEGER NOT NULL, value {DOUBLE}, json TEXT NOT NULL, created_at {BIGINT} NOT NULL)
            """,
            "CREATE INDEX ix_results_model_kind ON results (model, kind, window_end)",
            """
            CREATE TABLE alerts (id TEXT PRIMARY KEY, model TEXT NOT NULL, rule_id TEXT NOT NULL, state TEXT NOT NULL,
              fired_at {BIGINT} NOT NULL, json TEXT NOT NULL)
            """,
            // Deduplication by (model, rule) is enforced by the database, not only by the evaluator.
            "CREATE UNIQUE INDEX ux_alerts_open ON alerts (model, rule_id) WHERE state <> 'resolved'",
            """
            CREATE TABLE silences (id TEXT PRIMARY KEY, model TEXT NOT NULL, rule_id TEXT, starts_at {BIGINT} NOT NULL, ends_at {BIGINT} NOT NULL,
              json TEXT NOT NULL)
            """,
            """
            CREATE TABLE notifications (id {ID}, alert_id TEXT NOT NULL, kind TEXT NOT NULL, channel TEXT NOT NULL,
              attempts INTEGER NOT NULL, done INTEGER NOT NULL, next_attempt_at {BIGINT} NOT NULL, created_at {BIGINT} NOT NULL)
            """,
            "CREATE INDEX ix_notifications_due ON notifications (done, next_attempt_at)",
            """
            CREATE TABLE delivery_attempts (id {ID}, notification_id {BIGINT} NOT NULL, alert_id TEXT NOT NULL, channel TEXT NOT NULL,
              at {BIGINT} NOT NULL, success INTEGER NOT NULL, status_code INTEGER, error TEXT)
            """,
            """
            CREATE TABLE job_runs (id {ID}, job TEXT NOT NULL, model TEXT, started_at {BIGINT} NOT NULL, finished_at {BIGINT} NOT NULL,
              status TEXT NOT NULL, error TEXT, scheduled_at {BIGINT}, instance TEXT)
            """,
        ]),
        (2,
        [
            "ALTER TABLE events ADD COLUMN image_uri TEXT",
        ]),
        (3,
        [
            // One result per (model, kind, window end): a re-run replaces its window's result instead of adding a second one
            // that alert rules would count as another consecutive window. Older duplicates keep their newest row.
            "DELETE FROM results WHERE id NOT IN (SELECT MAX(id) FROM results GROUP BY model, kind, window_end)",
            "CREATE UNIQUE INDEX ux_results_window ON results (model, kind, window_end)",
        ]),
        (4,
        [
            // The model version that made each prediction (events stored before have none).
            "ALTER TABLE events ADD COLUMN model_version TEXT",
        ]),
        (5,
        [
            // The kept image of each event (content-addressed in the image store).
            "ALTER TABLE events ADD COLUMN image_sha256 TEXT",
        ]),
        (6,
        [
            // The objects the client's model detected, as a JSON array of boxes (exports turn them into pre-labels).
            "ALTER TABLE events ADD COLUMN boxes TEXT",
            // Serving a kept image asks whether an event of that model names it.
            "CREATE INDEX ix_events_model_image ON events (model, image_sha256)",
        ]),
        (7,
        [
            // Exports of drift windows: the manifest as JSON; the id is derived from the request, so a re-run finds its export.
            """
            CREATE TABLE exports (model TEXT NOT NULL, id TEXT NOT NULL, created_at {BIGINT} NOT NULL, window_end {BIGINT} NOT NULL,
              json TEXT NOT NULL, PRIMARY KEY (model, id))
            """,
            // The images each open export names, so retention can spare them without parsing every manifest.
            "CREATE TABLE export_images (model TEXT NOT NULL, export_id TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (model, export_id, sha256))",
        ]),
        (8,
        [
            // Image retention asks, per kept image, which models' events name it and how recently.
            "CREATE INDEX ix_events_image ON events (image_sha256, model, ts) WHERE image_sha256 IS NOT NULL",
            // What a job run did (e.g. how many images retention deleted and spared), beside its status.
            "ALTER TABLE job_runs ADD COLUMN detail TEXT",
        ]),
        (9,
        [
            // Endpoint health of seed-style deployments: how long the prediction took, and what failed when it did.
            "ALTER TABLE events ADD COLUMN latency_ms {DOUBLE}",
            "ALTER TABLE events ADD COLUMN error TEXT",
        ]),
        (10,
        [
            // Drift over a window of millions samples in the database: the events with the smallest SampleKey (a hash of the
            // id). The index holds the key beside (model, ts), so the sample is chosen without reading the rows left out; it
            // serves every (model, ts) range read, so it replaces that index rather than adding a second one to each insert.
            "ALTER TABLE events ADD COLUMN sample_key {BIGINT}",
            // Rows stored before: the same key, computed by the database (SQLite through the function the store registers).
            "sqlite:UPDATE events SET sample_key = obs_sample_key(id)",
            "postgres:UPDATE events SET sample_key = ('x' || left(encode(sha256(convert_to(id, 'UTF8')), 'hex'), 16))::bit(64)::bigint & 9223372036854775807",
            "sqlite:CREATE INDEX ix_events_sample ON events (model, ts, sample_key)",
            // PostgreSQL keeps the id in the index too, so choosing the sample is an index-only scan.
            "postgres:CREATE INDEX ix_events_sample ON events (model, ts, sample_key) INCLUDE (id)",
            "DROP INDEX ix_events_model_ts",
        ]),
        (11,
        [
            // PostgreSQL keeps events in one partition per UTC day (ts in ticks), so retention drops a day's table instead of
            // deleting its rows one by one; rows of a day without a partition (older than event retention, or too far ahead)
            // land in events_default. The table is rebuilt with its rows, in this migration's transaction.
            "postgres:ALTER TABLE events RENAME TO events_unpartitioned",
            "postgres:CREATE TABLE events (LIKE events_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (ts)",
            "postgres:CREATE TABLE events_default PARTITION OF events DEFAULT",
            // The names are those PostgresMonitoringStore gives the partitions it creates (events_pYYYYMMDD), so it finds these.
            $$"""
            postgres:DO $$
            DECLARE d bigint;
            BEGIN
              FOR d IN SELECT DISTINCT ts / {{PartitionDays.TicksPerDay}} FROM events_unpartitioned LOOP
                EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)',
                  'events_p' || to_char(date '0001-01-01' + d::int, 'YYYYMMDD'), d * {{PartitionDays.TicksPerDay}}, (d + 1) * {{PartitionDays.TicksPerDay}});
              END LOOP;
            END $$
            """,
            "postgres:INSERT INTO events SELECT * FROM events_unpartitioned",
            "postgres:DROP TABLE events_unpartitioned",
            // A unique key of a partitioned table must hold the partition key, so (model, id) alone cannot be the primary key.
            // An event is stored once per (model, id, ts): a client's retry (or a load balancer's) resends the event with its
            // own timestamp and is a duplicate as before; the same id sent again with another timestamp is a second event on
            // PostgreSQL (SQLite keeps (model, id)). A side table of ids would keep the old rule but add an index write to every
            // insert and a row-by-row delete to every retention run, which partitions are here to avoid.
            "postgres:ALTER TABLE events ADD PRIMARY KEY (model, id, ts)",
            // No index on ts alone: the day partitions already narrow a time range, and each index costs every insert (the
            // ingestion goal of 20,000 events/s is measured with these four).
            "postgres:CREATE INDEX ix_events_sample ON events (model, ts, sample_key) INCLUDE (id)",
            "postgres:CREATE INDEX ix_events_model_image ON events (model, image_sha256)",
            "postgres:CREATE INDEX ix_events_image ON events (image_sha256, model, ts) WHERE image_sha256 IS NOT NULL",
        ]),
        (12,
        [
            // A 512-d embedding makes a row of about 2.2 KB, just past PostgreSQL's default toast threshold (~2 KB): every insert
            // then tried to compress the embedding (random floats do not compress) and moved it out of line into the toast table,
            // a second heap and index write per event. Up to 8,160 bytes a row now stays whole in its page: inserting 50,000
            // 512-d rows took 2.68 s before and 1.01 s after, on the reference machine (see docs/scale.md). Existing partitions
            // change for the rows they get from now on; the store creates new day partitions with the same setting.
            """
            postgres:DO $$
            DECLARE p regclass;
            BEGIN
              FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'events'::regclass LOOP
                EXECUTE format('ALTER TABLE %s SET (toast_tuple_target = 8160)', p);
              END LOOP;
            END $$
            """,
            // Only events that name a kept image need this index (the image lookups all ask for a hash): events without one,
            // most of them, no longer pay an index write for a NULL key. Both stores; equality on the hash uses a partial index.
            "DROP INDEX ix_events_model_image",
            "CREATE INDEX ix_events_model_image ON events (model, image_sha256) WHERE image_sha256 IS NOT NULL",
        ]),
    ];
}
